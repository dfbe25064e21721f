package io.lanestep.kernel;

import java.util.Arrays;

/**
 * bitsandbytes' dynamic 8-bit code map ({@code create_dynamic_map(signed, 7, 8)}), built here by
 * its published construction in float32 as torch computes it, and the nearest-code search of
 * {@code Format.Q8}: the code at the least exact distance, ties to the lower.
 *
 * <p>The search is one table load and an add. A float's bits, read as a key that grows with
 * its value (negative floats' magnitude bits flipped), split into a bucket (sign, exponent field
 * clamped to the table's, top {@link #fractionBits} fraction bits) and the low bits below it.
 * Each bucket holds at most one midpoint between codes (checked when the table is built, which
 * picks the fewest fraction bits for which this holds), so its entry is
 * {@code (code << shift) + (mask - threshold)}: adding the low bits carries into the next code
 * exactly when they pass the midpoint's. The vector loops ({@code Q8Scratch}) compute the same
 * {@link #index} and {@link #low}, and gather the same entries: one search, not two. Its inputs
 * are what a block normalized by its absmax holds: |x| <= 1, or NaN.
 */
public final class DynamicCodes {
    static final DynamicCodes SIGNED = new DynamicCodes(true);
    static final DynamicCodes UNSIGNED = new DynamicCodes(false);
    /**
     * Exponent fields the table tells apart: below 2^-23 every float is nearest the code of 0 in
     * both maps (their smallest midpoints are above 1.6e-7, checked when the table is built), so
     * one row of buckets, that of exponent 103, serves every smaller float; nothing normalized is
     * above 1.
     */
    static final int LOWEST_EXPONENT = 103;
    static final int HIGHEST_EXPONENT = 127;

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
    /** Fraction bits in a bucket: 6 for the signed map, 7 for the denser unsigned one. */
    final int fractionBits;
    /** Bits below a bucket: {@code 23 - fractionBits}. */
    final int shift;
    /** {@code (1 << shift) - 1}. */
    final int mask;
    /** Buckets of one sign; negative floats' come after. */
    final int perSign;
    /** One int per bucket, both signs (12.8 KB per map; the half a map never sees stays out of cache). */
    final int[] entries;
    /** Byte {@code p} of every code value's bits at {@code 256 p + code}: what decoding by byte permutes looks up. */
    final byte[] planes = new byte[4 * 256];
    /** The arithmetic search's tables. */
    final CodeArithmetic arithmetic;

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
        float tiny = Math.nextDown(Math.scalb(1f, LOWEST_EXPONENT + 1 - 127));
        if (slowNearest(tiny) != zeroAt || slowNearest(-tiny) != zeroAt) {
            throw new AssertionError("floats below 2^-23 are not all nearest the code of 0");
        }
        int bits = 4;
        while (!oneMidpointPerBucket(bits)) {
            bits++;
        }
        fractionBits = bits;
        shift = 23 - bits;
        mask = (1 << shift) - 1;
        perSign = (HIGHEST_EXPONENT - LOWEST_EXPONENT + 1) << bits;
        entries = new int[2 * perSign];
        for (int bucket = 0; bucket < 2 * perSign; bucket++) {
            int first = nearestOf(bucketBits(bucket, 0));
            // The last low bits still nearest the bucket's first code: nearest grows with them.
            int lo = 0;
            int hi = mask;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (nearestOf(bucketBits(bucket, mid)) == first) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            entries[bucket] = (first << shift) + (mask - lo);
        }
        for (int c = 0; c < 256; c++) {
            int valueBits = Float.floatToRawIntBits(values[c]);
            for (int p = 0; p < 4; p++) {
                planes[256 * p + c] = (byte) (valueBits >>> 8 * p);
            }
        }
        arithmetic = new CodeArithmetic(this, signed);
    }

    /** Whether no bucket of {@code bits} fraction bits spans more than two codes. */
    private boolean oneMidpointPerBucket(int bits) {
        int s = 23 - bits;
        for (int sign = 0; sign < 2; sign++) {
            for (int e = LOWEST_EXPONENT; e <= HIGHEST_EXPONENT; e++) {
                for (int f = 0; f < 1 << bits; f++) {
                    int top = sign << 31 | e << 23 | f << s;
                    float low = Float.intBitsToFloat(top | (sign == 0 ? 0 : (1 << s) - 1));
                    float high = Float.intBitsToFloat(top | (sign == 0 ? (1 << s) - 1 : 0));
                    if (nearestByMidpoints(low) != slowNearest(low) || nearestByMidpoints(high) != slowNearest(high)) {
                        throw new AssertionError("the midpoints and the distances disagree at " + low + " or " + high);
                    }
                    if (nearestByMidpoints(high) > nearestByMidpoints(low) + 1) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** The float bits at low bits {@code low} of a bucket, counted upward in value. */
    private int bucketBits(int bucket, int low) {
        int sign = bucket >= perSign ? 1 : 0;
        int b = bucket - sign * perSign;
        int top = sign << 31 | (LOWEST_EXPONENT + (b >>> fractionBits)) << 23 | (b & (1 << fractionBits) - 1) << shift;
        return top | (sign == 0 ? low : mask - low);
    }

    /**
     * The bucket of a float's bits: exponent field clamped to the table's, top fraction bits,
     * negative floats after all positive ones. A NaN lands on some entry; callers give NaN code 0
     * themselves. The vector loops compute the same.
     */
    int index(int bits) {
        int exponent = Math.min(Math.max(bits >>> 23 & 0xff, LOWEST_EXPONENT), HIGHEST_EXPONENT);
        return ((exponent - LOWEST_EXPONENT) << fractionBits | bits >>> shift & (1 << fractionBits) - 1)
                + (bits >> 31 & perSign);
    }

    /** The low bits of a float's bits, counted upward in value within its bucket. */
    int low(int bits) {
        return (bits ^ bits >> 31) & mask;
    }

    /** The code of an entry and a float's {@link #low} bits. */
    int code(int entry, int low) {
        return (entry + low) >>> shift;
    }

    /**
     * The codes an 8-bit slot stores for {@code x[0..count)} in a block whose absmax is 1, found
     * by the search the steps run (vectors, then one by one): for checking it against the
     * definition, outside the module.
     */
    public static void search(boolean signed, float[] x, int count, byte[] codes) {
        Q8Scratch.search(signed ? SIGNED : UNSIGNED, x, 0, 1f, count, new int[count], codes);
    }

    /** The index of the code nearest {@code x}, |x| <= 1; NaN gives 0. */
    int nearest(float x) {
        if (x != x) {
            return 0;
        }
        int bits = Float.floatToRawIntBits(x);
        return code(entries[index(bits)], low(bits));
    }

    /**
     * The definition the table is built from and checked against: the number of midpoints below
     * {@code x}, by binary search over {@link #below}; NaN gives 0.
     */
    int nearestByMidpoints(float x) {
        if (x != x) {
            return 0;
        }
        int lo = 0;
        int hi = 255;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (x <= below[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private int nearestOf(int bits) {
        return nearestByMidpoints(Float.intBitsToFloat(bits));
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
