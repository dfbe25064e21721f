package io.lanestep.properties;

import java.util.SplittableRandom;

/** Reproducible float data of the kinds that break kernels: signed zeros, subnormals, huge values, non-finites. */
enum Data {
    /** N(0, 1). */
    NORMAL,
    /** Mostly N(0, 1), with ±0, subnormals across their range and magnitudes from 1e4 to 1e38. */
    SPECIAL,
    /** {@link #SPECIAL} plus NaN, +Inf and -Inf. */
    NONFINITE;

    float[] fill(int n, SplittableRandom random) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = next(random);
        }
        return values;
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
