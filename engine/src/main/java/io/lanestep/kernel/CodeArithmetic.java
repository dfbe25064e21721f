package io.lanestep.kernel;

/**
 * The tables of the arithmetic 8-bit search, which finds {@link DynamicCodes#nearest}'s code in
 * registers: small enough for permutes, where the bucket table needs a gather (a 16-lane gather
 * costs about as much as the rest of the search on AMD's cores).
 *
 * <p>The map's positive codes come in seven groups, group {@code i} evenly spaced over a decade
 * (bitsandbytes' construction), then 1. A magnitude's <em>territory</em> is the number of
 * group boundaries (the midpoints below each group's first code and below 1) under it: 0 is the
 * code of 0, 8 the code of 1, {@code i + 1} group {@code i}. Every binade of the search's range
 * holds at most one boundary, so the territory is a row's own plus one past the row's boundary
 * (a lookup by exponent and a compare). Within group {@code i}, {@code fma(a, slope, offset)}
 * puts the midpoint between its {@code j}th and {@code j + 1}th code within {@link #NEAR} of
 * {@code j + 1/2}; as that fma never decreases when {@code a} grows, rounding it to an integer
 * counts the midpoints under {@code a} whenever it lies farther than {@link #NEAR} from a
 * half-integer. The vectors round by adding 2^23, whose float's low bits are then the integer.
 * Magnitudes near a half-integer, or equal to their row's boundary (a tie there when the
 * boundary is a float, as half the smallest code is, goes up or down by the sign), take the
 * bucket search instead; in an Adam run, a few dozen vectors in the first steps.
 */
final class CodeArithmetic {
    /** How far from a half-integer the fma's result must lie to be counted on. */
    static final float NEAR = 0x1p-12f;
    /** The territory of magnitudes nearest 0. */
    private static final int ZERO = 0;
    /** The territory of magnitudes nearest 1. */
    private static final int ONE = 8;
    private static final int GROUPS = 7;

    /** The index of the code 0. */
    final int zero;
    /**
     * By territory: the fma's factor and addend (float bits); the bits of 2^23 plus the last
     * offset within it, where the rounded fma is clamped; and its first position less those of
     * 2^23, which turns a clamped sum's bits into a position.
     */
    final int[] slope = new int[16];
    final int[] offset = new int[16];
    final int[] last = new int[16];
    final int[] first = new int[16];
    /** The bits of 2^23: a rounded fma's bits at or above them. */
    static final int ROUNDED_ZERO = Float.floatToRawIntBits(0x1p23f);
    /** By exponent row ({@code exponent - LOWEST_EXPONENT}): the territory of its lowest magnitude, and the boundary in it (bits; +inf if none). */
    final int[] territory = new int[32];
    final int[] boundary = new int[32];

    CodeArithmetic(DynamicCodes map, boolean signed) {
        zero = map.zero;
        int codes = 255 - zero;
        float[] boundaries = new float[ONE];
        int position = 1;
        for (int i = 0; i < GROUPS; i++) {
            int size = signed ? 1 << i : 1 << i + 1;
            double scale = Math.pow(10, i - 6);
            double spacing = 0.9 / size;
            int t = i + 1;
            slope[t] = Float.floatToRawIntBits((float) (1 / (scale * spacing)));
            offset[t] = Float.floatToRawIntBits((float) (-0.1 / spacing - 0.5));
            first[t] = position - ROUNDED_ZERO;
            last[t] = ROUNDED_ZERO + size - 1;
            boundaries[i] = map.below[zero + position - 1];
            for (int j = 1; j < size; j++) {
                float below = map.below[zero + position + j - 1];
                if (!(Math.abs(fma(t, below) - (j - 0.5f)) < NEAR
                        && Math.abs(fma(t, Math.nextUp(below)) - (j - 0.5f)) < NEAR)) {
                    throw new AssertionError("group " + i + "'s midpoint " + j + " is not where its fma puts it");
                }
            }
            position += size;
        }
        if (position != codes) {
            throw new AssertionError("the groups hold " + (position - 1) + " codes, not " + (codes - 1));
        }
        boundaries[GROUPS] = map.below[254];
        first[ZERO] = -ROUNDED_ZERO;
        first[ONE] = codes - ROUNDED_ZERO;
        last[ZERO] = last[ONE] = ROUNDED_ZERO;
        for (int row = 0; row <= DynamicCodes.HIGHEST_EXPONENT - DynamicCodes.LOWEST_EXPONENT; row++) {
            int exponent = DynamicCodes.LOWEST_EXPONENT + row;
            float low = row == 0 ? 0f : Float.intBitsToFloat(exponent << 23);
            float high = exponent == 127 ? 1f : Float.intBitsToFloat((exponent + 1 << 23) - 1);
            float inside = Float.POSITIVE_INFINITY;
            for (float g : boundaries) {
                if (low <= g && g < high) {
                    if (inside != Float.POSITIVE_INFINITY) {
                        throw new AssertionError("two group boundaries in the binade of exponent " + exponent);
                    }
                    inside = g;
                }
            }
            territory[row] = territoryOf(boundaries, low);
            boundary[row] = Float.floatToRawIntBits(inside);
            if (territoryOf(boundaries, high) != territory[row] + (high > inside ? 1 : 0)) {
                throw new AssertionError("the binade of exponent " + exponent + " is not split at its boundary");
            }
        }
    }

    private float fma(int territory, float a) {
        return Math.fma(a, Float.intBitsToFloat(slope[territory]), Float.intBitsToFloat(offset[territory]));
    }

    private static int territoryOf(float[] boundaries, float a) {
        int t = 0;
        for (float g : boundaries) {
            t += a > g ? 1 : 0;
        }
        return t;
    }
}
