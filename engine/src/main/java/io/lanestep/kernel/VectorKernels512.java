package io.lanestep.kernel;

import static io.lanestep.kernel.Kernels.FIRST_STEP;
import static io.lanestep.kernel.Kernels.MAXIMIZE;
import static io.lanestep.kernel.Kernels.MOMENTUM;
import static io.lanestep.kernel.Kernels.NESTEROV;
import static io.lanestep.kernel.Kernels.WEIGHT_DECAY;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels at 512 bits. This class is the template of the other widths: KernelGenerator derives
 * them from it by renaming the width, so edit this one and rerun the generator.
 */
public final class VectorKernels512 implements Kernels {
    /** The single instance. */
    public static final VectorKernels512 INSTANCE = new VectorKernels512();

    // A static final species is a constant to C2; anything else drops every vector op to boxed Java code.
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final int LANES = S.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private VectorKernels512() {
    }

    private static FloatVector load(MemorySegment segment, long index) {
        return FloatVector.fromMemorySegment(S, segment, index * Float.BYTES, ORDER);
    }

    private static void store(FloatVector value, MemorySegment segment, long index) {
        value.intoMemorySegment(segment, index * Float.BYTES, ORDER);
    }

    private static long vectorEnd(long from, long to) {
        return from + S.loopBound(to - from);
    }

    @Override
    public void sgd(MemorySegment params, MemorySegment grads, MemorySegment buffer, long from, long to,
                    float negLr, float weightDecay, float momentum, float gradScale, int flags) {
        long end = vectorEnd(from, to);
        FloatVector vNegLr = FloatVector.broadcast(S, negLr);
        FloatVector vDecay = FloatVector.broadcast(S, weightDecay);
        FloatVector vMomentum = FloatVector.broadcast(S, momentum);
        FloatVector vScale = FloatVector.broadcast(S, gradScale);
        for (long i = from; i < end; i += LANES) {
            FloatVector p = load(params, i);
            FloatVector d = load(grads, i);
            if ((flags & MAXIMIZE) != 0) {
                d = d.neg();
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                d = p.fma(vDecay, d);
            }
            if ((flags & MOMENTUM) != 0) {
                FloatVector b = (flags & FIRST_STEP) != 0 ? d : d.fma(vScale, load(buffer, i).mul(vMomentum));
                store(b, buffer, i);
                d = (flags & NESTEROV) != 0 ? b.fma(vMomentum, d) : b;
            }
            store(d.fma(vNegLr, p), params, i);
        }
        ScalarKernels.sgdLoop(params, grads, buffer, end, to, negLr, weightDecay, momentum, gradScale, flags);
    }
}
