package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.DECOUPLED_DECAY;
import static io.lanestep.kernel.Flags.FUSED_TAIL;
import static io.lanestep.kernel.Flags.LERP;
import static io.lanestep.kernel.Flags.MAXIMIZE;
import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.Format;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Adam and AdamW with 8-bit block-quantized moments ({@code Format.Q8}), params and grads in any
 * other format: per block of 256, the moments are dequantized ({@code code · absmax}), updated in
 * float32 exactly as {@code Adam.kernel}'s scalar tail does, the parameters stepped from the
 * unquantized new moments, and the moments requantized against the block's new absmax. The
 * absmax needs the whole block first, so each block is computed twice: once for its absmax, once
 * to write; the second pass recomputes the same bits and reads the block from L1.
 *
 * <p>Scalar: the nearest-code search ({@link DynamicCodes}) and the code lookups are table loads,
 * which the Vector API can only gather through int arrays; this loop is the reference speed.
 */
final class AdamQ8 {
    static final int BLOCK = 256;
    private static final ValueLayout.OfByte CODE = ValueLayout.JAVA_BYTE;

    private AdamQ8() {
    }

    static void run(AdamKernel k, long from, long to) {
        MemorySegment m = k.expAvg;
        MemorySegment v = k.expAvgSq;
        long absAt = Format.q8AbsmaxOffset(k.length);
        float[] signed = DynamicCodes.SIGNED.values;
        float[] unsigned = DynamicCodes.UNSIGNED.values;
        for (long b0 = from; b0 < to; b0 += BLOCK) {
            long b1 = Math.min(b0 + BLOCK, to);
            long absOffset = absAt + b0 / BLOCK * Float.BYTES;
            float absM = m.get(Lanes.F, absOffset);
            float absV = v.get(Lanes.F, absOffset);
            float maxM = 0f;
            float maxV = 0f;
            for (long i = b0; i < b1; i++) {
                float g = grad(k, i);
                float mi = moment(k, g, signed[m.get(CODE, i) & 0xff] * absM);
                float vi = square(k, i, g, unsigned[v.get(CODE, i) & 0xff] * absV);
                maxM = Math.max(maxM, Math.abs(mi));
                maxV = Math.max(maxV, Math.abs(vi));
            }
            for (long i = b0; i < b1; i++) {
                float p = param(k, i);
                float g = grad(k, i, p);
                float mi = moment(k, g, signed[m.get(CODE, i) & 0xff] * absM);
                float vi = square(k, i, g, unsigned[v.get(CODE, i) & 0xff] * absV);
                if ((k.flags & DECOUPLED_DECAY) != 0) {
                    p = p * k.decayFactor;
                }
                float denom = (float) Math.sqrt(vi) / k.bc2Sqrt + k.eps;
                Halves.putParam(k, k.params, k.master, k.paramsFormat, i, p + (k.negStepSize * mi) / denom);
                m.set(CODE, i, (byte) DynamicCodes.SIGNED.nearest(maxM == 0f ? 0f : mi / maxM));
                v.set(CODE, i, (byte) DynamicCodes.UNSIGNED.nearest(maxV == 0f ? 0f : vi / maxV));
            }
            m.set(Lanes.F, absOffset, maxM);
            v.set(Lanes.F, absOffset, maxV);
        }
    }

    private static float param(AdamKernel k, long i) {
        return k.masterRead ? k.master.getAtIndex(Lanes.F, i) : Halves.get(k.params, i, k.paramsFormat);
    }

    /** The gradient the moments take, for the first pass (L2 decay reads the parameter). */
    private static float grad(AdamKernel k, long i) {
        return grad(k, i, (k.flags & WEIGHT_DECAY) != 0 ? param(k, i) : 0f);
    }

    private static float grad(AdamKernel k, long i, float p) {
        float g = Lanes.clipped(Halves.get(k.grads, i, k.gradsFormat), k.gradScale, k.gradClip, k.flags);
        if ((k.flags & MAXIMIZE) != 0) {
            g = -g;
        }
        if ((k.flags & WEIGHT_DECAY) != 0) {
            // AdamW decays the parameter, not the gradient: its p here is not multiplied yet.
            g = Math.fma(p, k.weightDecay, g);
        }
        return g;
    }

    private static float moment(AdamKernel k, float g, float m0) {
        return (k.flags & LERP) == 0 ? Math.fma(g, k.oneMinusBeta1, m0 * k.beta1)
                : Lanes.lerp(m0, g, k.oneMinusBeta1, k.flags);
    }

    private static float square(AdamKernel k, long i, float g, float v0) {
        return (k.flags & FUSED_TAIL) != 0 && i >= k.fusedFrom ? Math.fma(v0, k.beta2, (k.oneMinusBeta2 * g) * g)
                : Math.fma(k.oneMinusBeta2 * g, g, v0 * k.beta2);
    }
}
