package io.lanestep;

import java.util.Locale;
import jdk.incubator.vector.FloatVector;

/**
 * The SIMD register width a kernel runs at. Every width produces bit-identical results; they
 * differ only in speed.
 */
public enum LaneWidth {
    /** The engine's own scalar kernels: one float at a time, no Vector API. */
    SCALAR(0),
    /** 64-bit vectors, 2 floats per operation. */
    BITS_64(64),
    /** 128-bit vectors (SSE/NEON), 4 floats per operation. */
    BITS_128(128),
    /** 256-bit vectors (AVX2), 8 floats per operation. */
    BITS_256(256),
    /** 512-bit vectors (AVX-512), 16 floats per operation. */
    BITS_512(512);

    /** System property that overrides the default width: {@code scalar}, {@code 64} ... {@code 512} or {@code preferred}. */
    public static final String PROPERTY = "lanestep.lanes";

    private final int bits;

    LaneWidth(int bits) {
        this.bits = bits;
    }

    /** Register width in bits; 0 for {@link #SCALAR}. */
    public int bits() {
        return bits;
    }

    /** Floats processed per vector operation; 1 for {@link #SCALAR}. */
    public int lanes() {
        return bits == 0 ? 1 : bits / Float.SIZE;
    }

    /** The widest width this CPU runs natively, as the JIT reports it. */
    public static LaneWidth preferred() {
        VectorModule.require();
        return ofBits(FloatVector.SPECIES_PREFERRED.vectorBitSize());
    }

    /** The widest width the hardware supports; wider species would run in slow Java fallback code. */
    public static int maxSupportedBits() {
        VectorModule.require();
        return FloatVector.SPECIES_MAX.vectorBitSize();
    }

    /**
     * The width named by the system property {@value #PROPERTY}, or {@link #preferred()} when it is
     * unset.
     *
     * @throws IllegalArgumentException if the property holds something other than a width name
     * @throws IllegalStateException    if the JVM was started without {@code --add-modules jdk.incubator.vector}
     */
    public static LaneWidth fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        return value == null ? preferred() : parse(value);
    }

    /**
     * Parses {@code scalar}, {@code preferred}, or a bit count {@code 64}, {@code 128}, {@code 256},
     * {@code 512}.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static LaneWidth parse(String name) {
        String s = name.trim().toLowerCase(Locale.ROOT);
        if (s.equals("scalar") || s.equals("0")) {
            return SCALAR;
        }
        if (s.equals("preferred")) {
            return preferred();
        }
        try {
            return ofBits(Integer.parseInt(s));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("lane width '" + name
                    + "' is not one of scalar, 64, 128, 256, 512, preferred", e);
        }
    }

    private static LaneWidth ofBits(int bits) {
        for (LaneWidth w : values()) {
            if (w.bits == bits) {
                return w;
            }
        }
        throw new IllegalArgumentException("no lane width of " + bits + " bits; use 0 (scalar), 64, 128, 256 or 512");
    }

    /**
     * Throws if this width is wider than {@code maxBits}: the Vector API would still run it, but in
     * Java fallback code 10-100x slower than the scalar kernel.
     */
    void requireSupported(int maxBits) {
        if (bits > maxBits) {
            throw new IllegalArgumentException("lane width " + this + " needs " + bits
                    + "-bit vectors but this CPU supports at most " + maxBits
                    + " bits; choose LaneWidth.preferred() or a width of at most " + maxBits + " bits");
        }
    }
}
