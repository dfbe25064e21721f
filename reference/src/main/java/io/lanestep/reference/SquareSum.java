package io.lanestep.reference;

import java.math.BigDecimal;

/**
 * The engine's documented summation order for a sum of squares, written out plainly: chunks of
 * 4096 floats from {@code from}; in each, element {@code i} (times {@code scale}, in float) is
 * accumulated into float partial {@code i mod 16} by fma; the 16 partials are added in double as a
 * balanced tree; chunk sums are added in double in order; the last {@code n mod 16} squares are
 * added in double.
 */
public final class SquareSum {
    private static final int CHUNK = 4096;

    private SquareSum() {
    }

    /**
     * The sum of squares of a whole block as the trust-ratio optimizers take it: {@link #of} of
     * each 4096-float chunk, added exactly and rounded once to the nearest double (NaN or infinity
     * if a chunk's sum is).
     */
    public static double byChunks(float[] values, float scale) {
        BigDecimal exact = BigDecimal.ZERO;
        double special = 0;
        for (int from = 0; from < values.length; from += CHUNK) {
            double chunk = of(values, from, Math.min(from + CHUNK, values.length), scale);
            if (Double.isFinite(chunk)) {
                exact = exact.add(new BigDecimal(chunk));
            } else {
                special += chunk;
            }
        }
        return special != 0 || Double.isNaN(special) ? special : exact.doubleValue();
    }

    /** The sum of the squares of {@code scale·values[i]} over {@code [from, to)}. */
    public static double of(float[] values, int from, int to, float scale) {
        int full = to - (to - from) % 16;
        double total = 0;
        for (int c = from; c < full; c += CHUNK) {
            float[] partial = new float[16];
            for (int i = c; i < Math.min(c + CHUNK, full); i++) {
                float v = scale * values[i];
                partial[(i - c) % 16] = Math.fma(v, v, partial[(i - c) % 16]);
            }
            double[] level = new double[16];
            for (int k = 0; k < 16; k++) {
                level[k] = partial[k];
            }
            for (int width = 16; width > 1; width /= 2) {
                for (int k = 0; k < width / 2; k++) {
                    level[k] = level[2 * k] + level[2 * k + 1];
                }
            }
            total += level[0];
        }
        double tail = 0;
        for (int i = full; i < to; i++) {
            double v = scale * values[i];
            tail += v * v;
        }
        return total + tail;
    }
}
