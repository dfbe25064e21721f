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
    private final int[] floats = new int[3 * ENTRIES];

    private Powers() {
        // pow(NaN, NaN) is NaN in both: every entry is a true triple from the start.
        long nan = Double.doubleToRawLongBits(Double.NaN);
        int nanF = Float.floatToRawIntBits(Float.NaN);
        for (int i = 0; i < 3 * ENTRIES; i++) {
            doubles[i] = nan;
            floats[i] = nanF;
        }
    }

    /** {@code Math.pow(base, exponent)}. */
    static double pow(double base, double exponent) {
        long[] e = OF_THREAD.get().doubles;
        long b = Double.doubleToRawLongBits(base);
        long x = Double.doubleToRawLongBits(exponent);
        for (int i = 0; i < e.length; i += 3) {
            if (e[i] == b && e[i + 1] == x) {
                return Double.longBitsToDouble(e[i + 2]);
            }
        }
        double p = Math.pow(base, exponent);
        System.arraycopy(e, 0, e, 3, e.length - 3);
        e[0] = b;
        e[1] = x;
        e[2] = Double.doubleToRawLongBits(p);
        return p;
    }

    /** {@code XlaMath.pow(base, exponent)}. */
    static float xlaPow(float base, float exponent) {
        int[] e = OF_THREAD.get().floats;
        int b = Float.floatToRawIntBits(base);
        int x = Float.floatToRawIntBits(exponent);
        for (int i = 0; i < e.length; i += 3) {
            if (e[i] == b && e[i + 1] == x) {
                return Float.intBitsToFloat(e[i + 2]);
            }
        }
        float p = XlaMath.pow(base, exponent);
        System.arraycopy(e, 0, e, 3, e.length - 3);
        e[0] = b;
        e[1] = x;
        e[2] = Float.floatToRawIntBits(p);
        return p;
    }
}
