package io.lanestep.reference.lowp;

import io.lanestep.Format;

/**
 * Block-wise 8-bit quantization of an optimizer moment: blocks of {@link #BLOCK} values share one
 * float32 absmax; each value is stored as the index of the code of {@link DynamicMap} nearest to
 * {@code value / absmax} (float32 division). The nearest code is the one at the least exact
 * distance; of two at the same distance, the smaller (lower index). A block of zeros (absmax 0)
 * stores the index of 0. Dequantization is {@code code · absmax} in float32. Tensors of fewer than
 * {@link #MIN_ELEMENTS} values stay float32 (bitsandbytes' small-tensor rule).
 */
public final class BlockQuantizer {
    public static final int BLOCK = 256;
    public static final long MIN_ELEMENTS = 4096;

    private BlockQuantizer() {
    }

    /**
     * Whether the 8-bit slot of state {@code key} takes the signed map: all but the slots never
     * negative (squares and sums of squares, Adamax's {@code exp_inf}, Rprop's {@code step_size}),
     * which take the unsigned one. Which slots those are, each optimizer's template declares once
     * ({@link Format#q8Signed}); a list kept here as well drifted from it.
     */
    public static boolean signed(String key) {
        return Format.q8Signed(key);
    }

    /** Whether a moment of {@code length} values is stored in 8 bits. */
    public static boolean quantized(long length) {
        return length >= MIN_ELEMENTS;
    }

    /** The index of the code nearest {@code x} (normally in [-1, 1]) under the tie rule above. */
    public static int nearest(float x, boolean signed) {
        float[] codes = DynamicMap.shared(signed);
        int hi = 0;
        while (hi < codes.length && codes[hi] < x) {
            hi++;
        }
        if (hi == 0) {
            return 0;
        }
        if (hi == codes.length) {
            return codes.length - 1;
        }
        int lo = hi - 1;
        double below = (double) x - codes[lo];
        double above = (double) codes[hi] - x;
        return above < below ? hi : lo;
    }

    /** Quantizes {@code values} into {@code codes} (one byte each) and {@code absmax} (one per block). */
    public static void quantize(float[] values, boolean signed, byte[] codes, float[] absmax) {
        for (int b = 0; b * BLOCK < values.length; b++) {
            int from = b * BLOCK;
            int to = Math.min(values.length, from + BLOCK);
            float max = 0f;
            for (int i = from; i < to; i++) {
                max = Math.max(max, Math.abs(values[i]));
            }
            absmax[b] = max;
            for (int i = from; i < to; i++) {
                codes[i] = (byte) nearest(max == 0f ? 0f : values[i] / max, signed);
            }
        }
    }

    /** The value of element {@code i}. */
    public static float dequantize(byte[] codes, float[] absmax, boolean signed, int i) {
        return DynamicMap.shared(signed)[codes[i] & 0xff] * absmax[i / BLOCK];
    }
}
