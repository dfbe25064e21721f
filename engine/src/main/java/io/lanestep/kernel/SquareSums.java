package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sum of squares of a block in one fixed order, whatever the lane width, so a gradient norm
 * does not depend on the width or the thread count. The order: the block is cut into chunks of
 * {@value #CHUNK} floats from its start; in each chunk, element {@code i}, first multiplied by
 * {@code scale} in float, goes into float partial sum {@code i mod 16} by {@code fma(g, g, partial)};
 * the 16 partials are added in double as a balanced tree {@code ((p0+p1)+(p2+p3))+...}; chunk sums
 * are added in double in order; the last {@code n mod 16} elements are squared and added in double.
 * Each width keeps the 16 partials in {@code 16/lanes} registers, so every partial sees the same
 * additions in the same order.
 *
 * <p>Error bound: a partial adds at most {@code CHUNK/16 = 256} non-negative terms in float, so a
 * chunk's sum is within {@code 256·2⁻²⁴} (relative, 1.5e-5) of the exact sum of the squares; the
 * double additions afterwards add a relative {@code (n/CHUNK + 4)·2⁻⁵³} at most.
 */
public final class SquareSums {
    /** Floats per chunk: bounds how many terms a float partial sum adds. */
    public static final int CHUNK = 4096;

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final VectorSpecies<Float> S64 = FloatVector.SPECIES_64;
    private static final VectorSpecies<Float> S128 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> S512 = FloatVector.SPECIES_512;

    private SquareSums() {
    }

    static double scalar(MemorySegment values, long from, long to, float scale) {
        long full = to - (to - from) % 16;
        double total = 0;
        for (long c = from; c < full; c += CHUNK) {
            long end = Math.min(c + CHUNK, full);
            float p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0;
            float p8 = 0, p9 = 0, p10 = 0, p11 = 0, p12 = 0, p13 = 0, p14 = 0, p15 = 0;
            for (long i = c; i < end; i += 16) {
                p0 = Math.fma(scale * values.getAtIndex(F, i), scale * values.getAtIndex(F, i), p0);
                p1 = Math.fma(scale * values.getAtIndex(F, i + 1), scale * values.getAtIndex(F, i + 1), p1);
                p2 = Math.fma(scale * values.getAtIndex(F, i + 2), scale * values.getAtIndex(F, i + 2), p2);
                p3 = Math.fma(scale * values.getAtIndex(F, i + 3), scale * values.getAtIndex(F, i + 3), p3);
                p4 = Math.fma(scale * values.getAtIndex(F, i + 4), scale * values.getAtIndex(F, i + 4), p4);
                p5 = Math.fma(scale * values.getAtIndex(F, i + 5), scale * values.getAtIndex(F, i + 5), p5);
                p6 = Math.fma(scale * values.getAtIndex(F, i + 6), scale * values.getAtIndex(F, i + 6), p6);
                p7 = Math.fma(scale * values.getAtIndex(F, i + 7), scale * values.getAtIndex(F, i + 7), p7);
                p8 = Math.fma(scale * values.getAtIndex(F, i + 8), scale * values.getAtIndex(F, i + 8), p8);
                p9 = Math.fma(scale * values.getAtIndex(F, i + 9), scale * values.getAtIndex(F, i + 9), p9);
                p10 = Math.fma(scale * values.getAtIndex(F, i + 10), scale * values.getAtIndex(F, i + 10), p10);
                p11 = Math.fma(scale * values.getAtIndex(F, i + 11), scale * values.getAtIndex(F, i + 11), p11);
                p12 = Math.fma(scale * values.getAtIndex(F, i + 12), scale * values.getAtIndex(F, i + 12), p12);
                p13 = Math.fma(scale * values.getAtIndex(F, i + 13), scale * values.getAtIndex(F, i + 13), p13);
                p14 = Math.fma(scale * values.getAtIndex(F, i + 14), scale * values.getAtIndex(F, i + 14), p14);
                p15 = Math.fma(scale * values.getAtIndex(F, i + 15), scale * values.getAtIndex(F, i + 15), p15);
            }
            total += tree(p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15);
        }
        return total + tail(values, full, to, scale);
    }

    static double of64(MemorySegment values, long from, long to, float scale) {
        long full = to - (to - from) % 16;
        double total = 0;
        for (long c = from; c < full; c += CHUNK) {
            long end = Math.min(c + CHUNK, full);
            FloatVector a0 = FloatVector.zero(S64);
            FloatVector a1 = FloatVector.zero(S64);
            FloatVector a2 = FloatVector.zero(S64);
            FloatVector a3 = FloatVector.zero(S64);
            FloatVector a4 = FloatVector.zero(S64);
            FloatVector a5 = FloatVector.zero(S64);
            FloatVector a6 = FloatVector.zero(S64);
            FloatVector a7 = FloatVector.zero(S64);
            for (long i = c; i < end; i += 16) {
                long o = i * Float.BYTES;
                FloatVector v0 = FloatVector.fromMemorySegment(S64, values, o, ORDER).mul(scale);
                a0 = v0.fma(v0, a0);
                FloatVector v1 = FloatVector.fromMemorySegment(S64, values, o + 8, ORDER).mul(scale);
                a1 = v1.fma(v1, a1);
                FloatVector v2 = FloatVector.fromMemorySegment(S64, values, o + 16, ORDER).mul(scale);
                a2 = v2.fma(v2, a2);
                FloatVector v3 = FloatVector.fromMemorySegment(S64, values, o + 24, ORDER).mul(scale);
                a3 = v3.fma(v3, a3);
                FloatVector v4 = FloatVector.fromMemorySegment(S64, values, o + 32, ORDER).mul(scale);
                a4 = v4.fma(v4, a4);
                FloatVector v5 = FloatVector.fromMemorySegment(S64, values, o + 40, ORDER).mul(scale);
                a5 = v5.fma(v5, a5);
                FloatVector v6 = FloatVector.fromMemorySegment(S64, values, o + 48, ORDER).mul(scale);
                a6 = v6.fma(v6, a6);
                FloatVector v7 = FloatVector.fromMemorySegment(S64, values, o + 56, ORDER).mul(scale);
                a7 = v7.fma(v7, a7);
            }
            total += tree(a0.lane(0), a0.lane(1), a1.lane(0), a1.lane(1),
                    a2.lane(0), a2.lane(1), a3.lane(0), a3.lane(1),
                    a4.lane(0), a4.lane(1), a5.lane(0), a5.lane(1),
                    a6.lane(0), a6.lane(1), a7.lane(0), a7.lane(1));
        }
        return total + tail(values, full, to, scale);
    }

    static double of128(MemorySegment values, long from, long to, float scale) {
        long full = to - (to - from) % 16;
        double total = 0;
        for (long c = from; c < full; c += CHUNK) {
            long end = Math.min(c + CHUNK, full);
            FloatVector a0 = FloatVector.zero(S128);
            FloatVector a1 = FloatVector.zero(S128);
            FloatVector a2 = FloatVector.zero(S128);
            FloatVector a3 = FloatVector.zero(S128);
            for (long i = c; i < end; i += 16) {
                long o = i * Float.BYTES;
                FloatVector v0 = FloatVector.fromMemorySegment(S128, values, o, ORDER).mul(scale);
                a0 = v0.fma(v0, a0);
                FloatVector v1 = FloatVector.fromMemorySegment(S128, values, o + 16, ORDER).mul(scale);
                a1 = v1.fma(v1, a1);
                FloatVector v2 = FloatVector.fromMemorySegment(S128, values, o + 32, ORDER).mul(scale);
                a2 = v2.fma(v2, a2);
                FloatVector v3 = FloatVector.fromMemorySegment(S128, values, o + 48, ORDER).mul(scale);
                a3 = v3.fma(v3, a3);
            }
            total += tree(a0.lane(0), a0.lane(1), a0.lane(2), a0.lane(3),
                    a1.lane(0), a1.lane(1), a1.lane(2), a1.lane(3),
                    a2.lane(0), a2.lane(1), a2.lane(2), a2.lane(3),
                    a3.lane(0), a3.lane(1), a3.lane(2), a3.lane(3));
        }
        return total + tail(values, full, to, scale);
    }

    static double of256(MemorySegment values, long from, long to, float scale) {
        long full = to - (to - from) % 16;
        double total = 0;
        for (long c = from; c < full; c += CHUNK) {
            long end = Math.min(c + CHUNK, full);
            FloatVector a0 = FloatVector.zero(S256);
            FloatVector a1 = FloatVector.zero(S256);
            for (long i = c; i < end; i += 16) {
                long o = i * Float.BYTES;
                FloatVector v0 = FloatVector.fromMemorySegment(S256, values, o, ORDER).mul(scale);
                a0 = v0.fma(v0, a0);
                FloatVector v1 = FloatVector.fromMemorySegment(S256, values, o + 32, ORDER).mul(scale);
                a1 = v1.fma(v1, a1);
            }
            total += tree(a0.lane(0), a0.lane(1), a0.lane(2), a0.lane(3),
                    a0.lane(4), a0.lane(5), a0.lane(6), a0.lane(7),
                    a1.lane(0), a1.lane(1), a1.lane(2), a1.lane(3),
                    a1.lane(4), a1.lane(5), a1.lane(6), a1.lane(7));
        }
        return total + tail(values, full, to, scale);
    }

    static double of512(MemorySegment values, long from, long to, float scale) {
        long full = to - (to - from) % 16;
        double total = 0;
        for (long c = from; c < full; c += CHUNK) {
            long end = Math.min(c + CHUNK, full);
            FloatVector a0 = FloatVector.zero(S512);
            for (long i = c; i < end; i += 16) {
                long o = i * Float.BYTES;
                FloatVector v0 = FloatVector.fromMemorySegment(S512, values, o, ORDER).mul(scale);
                a0 = v0.fma(v0, a0);
            }
            total += tree(a0.lane(0), a0.lane(1), a0.lane(2), a0.lane(3),
                    a0.lane(4), a0.lane(5), a0.lane(6), a0.lane(7),
                    a0.lane(8), a0.lane(9), a0.lane(10), a0.lane(11),
                    a0.lane(12), a0.lane(13), a0.lane(14), a0.lane(15));
        }
        return total + tail(values, full, to, scale);
    }

    private static double tail(MemorySegment values, long from, long to, float scale) {
        double sum = 0;
        for (long i = from; i < to; i++) {
            double g = scale * values.getAtIndex(F, i);
            sum += g * g;
        }
        return sum;
    }

    private static double tree(float p0, float p1, float p2, float p3, float p4, float p5, float p6, float p7,
                               float p8, float p9, float p10, float p11, float p12, float p13, float p14, float p15) {
        double a = ((double) p0 + p1) + ((double) p2 + p3);
        double b = ((double) p4 + p5) + ((double) p6 + p7);
        double c = ((double) p8 + p9) + ((double) p10 + p11);
        double d = ((double) p12 + p13) + ((double) p14 + p15);
        return (a + b) + (c + d);
    }
}
