package io.lanestep.kernel;

import java.util.Arrays;

/**
 * bitsandbytes' dynamic 8-bit code map ({@code create_dynamic_map(signed, 7, 8)}), built here by
 * its published construction in float32 as torch computes it, and the nearest-code search of
 * {@code Format.Q8}: the code at the least exact distance, ties to the lower.
 *
 * <p>The search looks the float's top 16 bits up in a table of the lowest code any float with
 * those bits can round to, then steps up past every midpoint below it (the map is sparse enough
 * that this is at most one step, checked when the table is built): an array load and a compare
 * instead of a binary search over 256 codes.
 */
final class DynamicCodes {
    static final DynamicCodes SIGNED = new DynamicCodes(true);
    static final DynamicCodes UNSIGNED = new DynamicCodes(false);

    /** The 256 codes, ascending. */
    final float[] values;
    /** The index of the code 0: what a block of zeros stores. */
    final byte zero;
    /** {@code upper[c]}: the exact midpoint of codes {@code c} and {@code c + 1} (infinite for the last). */
    private final double[] upper = new double[256];
    /** The lowest code a float whose bits start with the index can be nearest to. */
    private final byte[] start = new byte[1 << 16];

    private DynamicCodes(boolean signed) {
        values = build(signed);
        for (int c = 0; c < 255; c++) {
            double sum = (double) values[c] + values[c + 1];
            if (sum - values[c] != values[c + 1]) {
                throw new AssertionError("the midpoint of codes " + c + " and " + (c + 1) + " is not exact in double");
            }
            upper[c] = sum / 2;
        }
        upper[255] = Double.POSITIVE_INFINITY;
        int zeroAt = -1;
        for (int c = 0; c < 256; c++) {
            if (values[c] == 0f) {
                zeroAt = c;
            }
        }
        zero = (byte) zeroAt;
        for (int key = 0; key < start.length; key++) {
            // The smallest float with these top bits: the bottom of the range for +, the top for -.
            float low = Float.intBitsToFloat(key << 16 | (key >= 0x8000 ? 0xffff : 0));
            float high = Float.intBitsToFloat(key << 16 | (key >= 0x8000 ? 0 : 0xffff));
            int first = slowNearest(low);
            start[key] = (byte) first;
            if (!Float.isNaN(high) && !Float.isNaN(low) && slowNearest(high) > first + 1) {
                throw new AssertionError("floats " + low + ".." + high + " span more than two codes");
            }
        }
    }

    /** The index of the code nearest {@code x}; NaN gives 0. */
    int nearest(float x) {
        if (x != x) {
            return 0;
        }
        int c = start[Float.floatToRawIntBits(x) >>> 16] & 0xff;
        return (double) x > upper[c] ? c + 1 : c;
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
