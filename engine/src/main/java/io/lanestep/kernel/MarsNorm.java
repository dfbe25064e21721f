package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sum of squares of MARS's corrected gradient {@code c = ((g - last)·k) + g} in torch's
 * order ({@link TorchReductions.SumOfSquares}): one 8-lane vector accumulator over native
 * gradients at widths with 256-bit vectors, the scalar definition otherwise. Sequential by
 * definition, so the norm does not depend on the thread count.
 */
final class MarsNorm {
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private MarsNorm() {
    }

    static float squares(MarsKernel k, float gain) {
        long n = k.length;
        long blocks = n - n % 8;
        float sum;
        long from;
        if (k.bits >= 256 && k.grads != null) {
            boolean clip = (k.flags & Flags.CLIP_VALUE) != 0;
            FloatVector acc = FloatVector.zero(S8);
            for (long i = 0; i < blocks; i += 8) {
                FloatVector g = FloatVector.fromMemorySegment(S8, k.grads, i * Float.BYTES, ORDER).mul(k.gradScale);
                g = clip ? g.max(-k.gradClip).min(k.gradClip) : g;
                FloatVector last = FloatVector.fromMemorySegment(S8, k.lastGrad, i * Float.BYTES, ORDER);
                FloatVector c = g.sub(last).mul(gain).add(g);
                acc = acc.add(c.mul(c));
            }
            sum = acc.lane(0);
            for (int l = 1; l < 8; l++) {
                sum = sum + acc.lane(l);
            }
            from = blocks;
        } else {
            float[] lanes = k.laneSums;
            java.util.Arrays.fill(lanes, 0f);
            for (long i = 0; i < blocks; i++) {
                float c = k.corrected(i, gain);
                lanes[(int) (i & 7)] = lanes[(int) (i & 7)] + c * c;
            }
            sum = lanes[0];
            for (int l = 1; l < 8; l++) {
                sum = sum + lanes[l];
            }
            from = blocks;
        }
        long rest = n - blocks;
        for (long i = from; i < n; i++) {
            float c = k.corrected(i, gain);
            sum = rest >= 4 && i < blocks + 4 ? sum + c * c : Math.fma(c, c, sum);
        }
        return sum;
    }
}
