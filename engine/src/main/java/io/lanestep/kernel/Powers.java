package io.lanestep.kernel;

import io.lanestep.XlaMath;

/**
 * The powers of a step's decays ({@code beta^t}), remembered per thread: every block of a step
 * asks for the same few, and computing them again spent a third of a call over 1000 small Adam
 * blocks in {@code Math.pow} (about 45 ns a block). The values are {@code Math.pow}'s and
 * {@link XlaMath#pow}'s, bit for bit; a hit compares the arguments' bits.
 */
final class Powers {
    /** Entries of (base bits, exponent bits, power bits), most recent first. */
    private static final int ENTRIES = 4;
    private static final ThreadLocal<Powers> OF_THREAD = ThreadLocal.withInitial(Powers::new);

    private final long[] doubles = new long[3 * ENTRIES];
    private final long[] floats = new long[3 * ENTRIES];

    private Powers() {
        // pow(NaN, NaN) is NaN in both: every entry is a true triple from the start.
        java.util.Arrays.fill(doubles, Double.doubleToRawLongBits(Double.NaN));
        java.util.Arrays.fill(floats, Float.floatToRawIntBits(Float.NaN));
    }

    /** {@code Math.pow(base, exponent)}. */
    static double pow(double base, double exponent) {
        long[] e = OF_THREAD.get().doubles;
        long b = Double.doubleToRawLongBits(base);
        long x = Double.doubleToRawLongBits(exponent);
        int hit = find(e, b, x);
        if (hit >= 0) {
            return Double.longBitsToDouble(e[hit]);
        }
        double p = Math.pow(base, exponent);
        remember(e, b, x, Double.doubleToRawLongBits(p));
        return p;
    }

    /** {@code XlaMath.pow(base, exponent)}. */
    static float xlaPow(float base, float exponent) {
        long[] e = OF_THREAD.get().floats;
        long b = Float.floatToRawIntBits(base);
        long x = Float.floatToRawIntBits(exponent);
        int hit = find(e, b, x);
        if (hit >= 0) {
            return Float.intBitsToFloat((int) e[hit]);
        }
        float p = XlaMath.pow(base, exponent);
        remember(e, b, x, Float.floatToRawIntBits(p));
        return p;
    }

    /** The index of the power remembered for these argument bits, or -1. */
    private static int find(long[] entries, long base, long exponent) {
        for (int i = 0; i < entries.length; i += 3) {
            if (entries[i] == base && entries[i + 1] == exponent) {
                return i + 2;
            }
        }
        return -1;
    }

    private static void remember(long[] entries, long base, long exponent, long power) {
        System.arraycopy(entries, 0, entries, 3, entries.length - 3);
        entries[0] = base;
        entries[1] = exponent;
        entries[2] = power;
    }
}
