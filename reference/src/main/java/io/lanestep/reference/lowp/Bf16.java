package io.lanestep.reference.lowp;

/**
 * bfloat16 as a {@code short} holding its bits: the upper half of a float32. Conversions as
 * PyTorch's {@code c10::BFloat16} does them: to bf16 rounds to nearest, ties to even; a NaN becomes
 * the quiet NaN {@code 0x7fc0} (so a NaN never rounds to infinity); from bf16 is exact.
 */
public final class Bf16 {
    /** PyTorch's bf16 NaN. */
    public static final short NAN = 0x7fc0;

    private Bf16() {
    }

    /** The bf16 nearest {@code x}, ties to the even one; overflow gives infinity. */
    public static short fromFloat(float x) {
        if (Float.isNaN(x)) {
            return NAN;
        }
        int bits = Float.floatToRawIntBits(x);
        // Adding 0x7fff plus the kept part's lowest bit carries into the kept half exactly when
        // the dropped half is above one half, or equal to it with an odd kept half.
        int rounded = bits + 0x7fff + (bits >>> 16 & 1);
        return (short) (rounded >>> 16);
    }

    /** The float32 of bf16 bits {@code b}, exactly. */
    public static float toFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /**
     * Stochastic rounding: one of the two bf16 values around {@code x}, the upper with probability
     * (distance to the lower) / (their gap), decided by 16 random bits {@code random16}: the result
     * is the truncation of {@code x + random16 · 2^-16 ulp}. Its mean over uniform {@code random16}
     * is {@code x} exactly for every finite {@code x} whose upper neighbour is finite. bf16 values
     * are kept; NaN gives {@link #NAN}; infinities stay; a value above the largest finite bf16 may
     * round to infinity, as the carry says.
     */
    public static short stochastic(float x, int random16) {
        if (Float.isNaN(x)) {
            return NAN;
        }
        if (Float.isInfinite(x)) {
            return (short) (Float.floatToRawIntBits(x) >>> 16);
        }
        int bits = Float.floatToRawIntBits(x);
        // Sign-magnitude: adding to the magnitude bits moves away from zero whatever the sign.
        return (short) ((bits + (random16 & 0xffff)) >>> 16);
    }
}
