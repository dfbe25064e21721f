package io.lanestep.properties;

import java.util.SplittableRandom;

/** Reproducible float data of the kinds that break kernels: signed zeros, subnormals, huge values, non-finites. */
enum Data {
    /** N(0, 1). */
    NORMAL,
    /** Mostly N(0, 1), with ±0, subnormals across their range and magnitudes from 1e4 to 1e38. */
    SPECIAL,
    /** {@link #SPECIAL} plus NaN, +Inf and -Inf. */
    NONFINITE,
    /**
     * Magnitudes of every binade, in runs of 32: most runs within [2^-99, 2^61), whose squares stay
     * finite and normal; some tiny, from subnormal to 2^-60; the rest anything, zeros, infinities and
     * NaN included.
     */
    WIDE;

    private static final int RUN = 32;

    float[] fill(int n, SplittableRandom random) {
        float[] values = new float[n];
        double run = 0;
        for (int i = 0; i < n; i++) {
            if (this != WIDE) {
                values[i] = next(random);
                continue;
            }
            if (i % RUN == 0) {
                run = random.nextDouble();
            }
            values[i] = run < 0.6 ? binade(random, -99, 61) : run < 0.8 ? binade(random, -149, -60) : anyFloat(random);
        }
        return values;
    }

    private static float anyFloat(SplittableRandom random) {
        double u = random.nextDouble();
        if (u < 0.05) {
            return random.nextBoolean() ? 0f : -0f;
        }
        if (u < 0.08) {
            return random.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NaN;
        }
        return Float.intBitsToFloat(random.nextInt(1, 0x7f80_0000)) * (random.nextBoolean() ? 1 : -1);
    }

    private static float binade(SplittableRandom random, int minExponent, int maxExponent) {
        float significand = 1 + random.nextFloat();
        return Math.scalb(significand, random.nextInt(minExponent, maxExponent)) * (random.nextBoolean() ? 1 : -1);
    }

    float next(SplittableRandom random) {
        double u = random.nextDouble();
        float normal = (float) gaussian(random);
        if (this == NORMAL || u < 0.70) {
            return normal;
        }
        if (u < 0.76) {
            return 0f;
        }
        if (u < 0.80) {
            return -0f;
        }
        if (u < 0.86) {
            return Float.intBitsToFloat(random.nextInt(1, 0x007f_ffff)) * (random.nextBoolean() ? 1 : -1);
        }
        if (u < 0.93 || this == SPECIAL) {
            return (float) (Math.pow(10, 4 + 34 * random.nextDouble()) * Math.signum(normal + 1e-9));
        }
        if (u < 0.96) {
            return Float.NaN;
        }
        return random.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = random.nextDouble(Double.MIN_NORMAL, 1);
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
