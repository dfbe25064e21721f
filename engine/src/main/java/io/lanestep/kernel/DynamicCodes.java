package io.lanestep.kernel;

import java.util.Arrays;

/**
 * bitsandbytes' dynamic 8-bit code map ({@code create_dynamic_map(signed, 7, 8)}), built here by
 * its published construction in float32 as torch computes it, and the nearest-code search of
 * {@code Format.Q8}: the code at the least exact distance, ties to the lower.
 *
 * <p>The search looks the float's top 16 bits up in a table of the lowest code any float with
 * those bits can round to, then steps up past every midpoint below it (the map is sparse enough
 * that this is at most one step, checked when the table is built): two table loads and a compare
 * instead of a binary search over 256 codes. The vector loops compute the same {@link #key}s and
 * look them up in the same tables ({@code Q8Scratch}): one search, not two. Its inputs are what a
 * block normalized by its absmax holds: |x| <= 1, or NaN.
 */
final class DynamicCodes {
    static final DynamicCodes SIGNED = new DynamicCodes(true);
    static final DynamicCodes UNSIGNED = new DynamicCodes(false);
    /**
     * Exponent fields the table tells apart: below 2^-23 every float is nearest the code of 0 in
     * both maps (their smallest midpoints are above 1.6e-7, checked when the table is built), and
     * nothing normalized is above 1.
     */
    static final int LOWEST_EXPONENT = 103;
    static final int HIGHEST_EXPONENT = 127;
    /** Keys per sign: an exponent field and the top 7 fraction bits. */
    static final int KEYS_PER_SIGN = (HIGHEST_EXPONENT - LOWEST_EXPONENT + 1) << 7;

    /** The 256 codes, ascending. */
    final float[] values;
    /** The index of the code 0: what a block of zeros stores. */
    final byte zero;
    /**
     * {@code below[c]}: the largest float at or under the exact midpoint of codes {@code c} and
     * {@code c + 1} (infinite for the last). A float is above the midpoint exactly when it is
     * above this float: no float lies between the two.
     */
    final float[] below = new float[256];
    /**
     * {@code starts[key(bits of x)] & 0xff}: the lowest code a float with the top 16 bits of x can
     * be nearest to. Bytes, so both maps' tables stay in L1 beside the block (6.4 KB each).
     */
    final byte[] starts = new byte[2 * KEYS_PER_SIGN];

    private DynamicCodes(boolean signed) {
        values = build(signed);
        for (int c = 0; c < 255; c++) {
            double sum = (double) values[c] + values[c + 1];
            if (sum - values[c] != values[c + 1]) {
                throw new AssertionError("the midpoint of codes " + c + " and " + (c + 1) + " is not exact in double");
            }
            double mid = sum / 2;
            float f = (float) mid;
            below[c] = f > mid ? Math.nextDown(f) : f;
        }
        below[255] = Float.POSITIVE_INFINITY;
        int zeroAt = -1;
        for (int c = 0; c < 256; c++) {
            if (values[c] == 0f) {
                zeroAt = c;
            }
        }
        zero = (byte) zeroAt;
        for (int top = 0; top < 1 << 16; top++) {
            // The smallest float with these top bits: the bottom of the range for +, the top for -.
            float low = Float.intBitsToFloat(top << 16 | (top >= 0x8000 ? 0xffff : 0));
            float high = Float.intBitsToFloat(top << 16 | (top >= 0x8000 ? 0 : 0xffff));
            int exponent = top >>> 7 & 0xff;
            if (exponent < LOWEST_EXPONENT || exponent > HIGHEST_EXPONENT) {
                if (exponent < LOWEST_EXPONENT && (slowNearest(low) != zeroAt || slowNearest(high) != zeroAt)) {
                    throw new AssertionError("floats " + low + ".." + high + " are not all nearest the code of 0");
                }
                continue;
            }
            int first = slowNearest(low);
            starts[key(Float.floatToRawIntBits(low))] = (byte) first;
            if (slowNearest(high) > first + 1) {
                throw new AssertionError("floats " + low + ".." + high + " span more than two codes");
            }
        }
    }

    /**
     * The index into {@link #starts} of a float's bits: its exponent field clamped to the
     * table's, then its top 7 fraction bits, negative floats after all positive ones. A NaN lands
     * on some entry; callers give NaN code 0 themselves. The vector loops compute the same.
     */
    static int key(int bits) {
        int exponent = Math.min(Math.max(bits >>> 23 & 0xff, LOWEST_EXPONENT), HIGHEST_EXPONENT);
        return ((exponent - LOWEST_EXPONENT) << 7 | bits >>> 16 & 0x7f) + (bits >> 31 & KEYS_PER_SIGN);
    }

    /** The index of the code nearest {@code x}, |x| <= 1; NaN gives 0. */
    int nearest(float x) {
        if (x != x) {
            return 0;
        }
        return nearest(key(Float.floatToRawIntBits(x)), x);
    }

    /** {@link #nearest(float)} of a number that is not NaN, its {@link #key} already computed. */
    int nearest(int key, float x) {
        int c = starts[key] & 0xff;
        // Above the midpoint exactly when below[c] - x is negative (two unequal floats never differ by 0):
        // no branch, as the data decides it element by element.
        return c + (Float.floatToRawIntBits(below[c] - x) >>> 31);
    }

    /** The definition, for building the table: first code at or above {@code x}, or the one below if nearer. */
    private int slowNearest(float x) {
        if (x != x) {
            return 0;
        }
        int hi = 0;
        while (hi < 256 && values[hi] < x) {
            hi++;
        }
        if (hi == 0) {
            return 0;
        }
        if (hi == 256) {
            return 255;
        }
        return (double) values[hi] - x < (double) x - values[hi - 1] ? hi : hi - 1;
    }

    private static float[] build(boolean signed) {
        float[] data = new float[256];
        int n = 0;
        for (int i = 0; i < 7; i++) {
            int items = signed ? (1 << i) + 1 : (1 << (i + 1)) + 1;
            float step = (1f - 0.1f) / (items - 1);
            int half = items / 2;
            float[] bounds = new float[items];
            for (int j = 0; j < items; j++) {
                // torch.linspace on the CPU: one fma per point, counted from the nearer end.
                bounds[j] = j < half ? Math.fma(step, j, 0.1f) : Math.fma(-step, items - j - 1, 1f);
            }
            float scale = i == 6 ? 1f : (float) Math.pow(10, i - 6);
            for (int j = 0; j + 1 < items; j++) {
                float mean = (bounds[j] + bounds[j + 1]) / 2f;
                data[n++] = scale * mean;
                if (signed) {
                    data[n++] = -scale * mean;
                }
            }
        }
        data[n++] = 0f;
        data[n] = 1f;
        Arrays.sort(data);
        return data;
    }
}
