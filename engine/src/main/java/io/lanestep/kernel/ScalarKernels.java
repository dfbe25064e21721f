package io.lanestep.kernel;

import static io.lanestep.kernel.Kernels.FIRST_STEP;
import static io.lanestep.kernel.Kernels.MAXIMIZE;
import static io.lanestep.kernel.Kernels.MOMENTUM;
import static io.lanestep.kernel.Kernels.NESTEROV;
import static io.lanestep.kernel.Kernels.WEIGHT_DECAY;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The engine's scalar kernels: one element at a time, exactly the lane formula of the vector
 * kernels, which call these loops for their tails.
 */
public final class ScalarKernels implements Kernels {
    /** The single instance. */
    public static final ScalarKernels INSTANCE = new ScalarKernels();

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ScalarKernels() {
    }

    @Override
    public void sgd(MemorySegment params, MemorySegment grads, MemorySegment buffer, long from, long to,
                    float negLr, float weightDecay, float momentum, float gradScale, int flags) {
        sgdLoop(params, grads, buffer, from, to, negLr, weightDecay, momentum, gradScale, flags);
    }

    static void sgdLoop(MemorySegment params, MemorySegment grads, MemorySegment buffer, long from, long to,
                        float negLr, float weightDecay, float momentum, float gradScale, int flags) {
        for (long i = from; i < to; i++) {
            float p = params.getAtIndex(F, i);
            float d = grads.getAtIndex(F, i);
            if ((flags & MAXIMIZE) != 0) {
                d = -d;
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                d = Math.fma(p, weightDecay, d);
            }
            if ((flags & MOMENTUM) != 0) {
                float b = (flags & FIRST_STEP) != 0 ? d : Math.fma(d, gradScale, buffer.getAtIndex(F, i) * momentum);
                buffer.setAtIndex(F, i, b);
                d = (flags & NESTEROV) != 0 ? Math.fma(b, momentum, d) : b;
            }
            params.setAtIndex(F, i, Math.fma(d, negLr, p));
        }
    }
}
