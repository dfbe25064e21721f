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

    static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final VectorSpecies<Float> S64 = FloatVector.SPECIES_64;
    static final VectorSpecies<Float> S128 = FloatVector.SPECIES_128;
    static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;
    static final VectorSpecies<Float> S512 = FloatVector.SPECIES_512;

    private SquareSums() {
    }

    /**
     * The sum of squares of {@code [from, to)} of one operand, native ({@code segment}) or heap
     * ({@code array} from index {@code base}), each value first multiplied by {@code scale}, at
     * {@code bits} (0: scalar).
     */
    static double of(int bits, MemorySegment segment, float[] array, int base, long from, long to, float scale) {
        if (array == null) {
            return switch (bits) {
                case 64 -> SquareSumsLanes.of64N(segment, from, to, scale);
                case 128 -> SquareSumsLanes.of128N(segment, from, to, scale);
                case 256 -> SquareSumsLanes.of256N(segment, from, to, scale);
                case 512 -> SquareSumsLanes.of512N(segment, from, to, scale);
                default -> SquareSumsLanes.scalarN(segment, from, to, scale);
            };
        }
        return switch (bits) {
            case 64 -> SquareSumsLanes.of64A(array, base, from, to, scale);
            case 128 -> SquareSumsLanes.of128A(array, base, from, to, scale);
            case 256 -> SquareSumsLanes.of256A(array, base, from, to, scale);
            case 512 -> SquareSumsLanes.of512A(array, base, from, to, scale);
            default -> SquareSumsLanes.scalarA(array, base, from, to, scale);
        };
    }

    /**
     * {@link #of} of {@code [from, to)}, at most one {@link #CHUNK}, of a 16-bit operand
     * ({@code format} {@link Halves#BF16} or {@link Halves#FP16}): widened exactly into the
     * thread's {@link Widened} arrays and summed by the heap loops, so the sum has the bits of the
     * float32 values' sum.
     */
    static double ofHalf(int bits, MemorySegment segment, int format, long from, long to, float scale) {
        Widened w = Widened.OF_THREAD.get();
        int count = (int) (to - from);
        MemorySegment.copy(segment, HALF, from * 2, w.bits, 0, count);
        if (format == Halves.BF16) {
            for (int j = 0; j < count; j++) {
                w.values[j] = Float.intBitsToFloat(w.bits[j] << 16);
            }
        } else {
            for (int j = 0; j < count; j++) {
                w.values[j] = Float.float16ToFloat(w.bits[j]);
            }
        }
        return of(bits, null, w.values, (int) -from, from, to, scale);
    }

    /** A thread's float32 copy of one chunk of a 16-bit operand; made on its first 16-bit sum. */
    private static final class Widened {
        static final ThreadLocal<Widened> OF_THREAD = ThreadLocal.withInitial(Widened::new);
        final short[] bits = new short[CHUNK];
        final float[] values = new float[CHUNK];
    }

    /** {@link #of} for a segment of any accepted kind ({@link Memory#problem} null). */
    public static double of(int bits, MemorySegment values, float scale) {
        return of(bits, values, 0, values.byteSize() / Float.BYTES, scale);
    }

    /** {@link #of} of elements {@code [from, to)} of a segment of any accepted kind. */
    public static double of(int bits, MemorySegment values, long from, long to, float scale) {
        if (values.isNative()) {
            return of(bits, Memory.loopView(values), null, 0, from, to, scale);
        }
        return of(bits, null, (float[]) Memory.heapBase(values), (int) (values.address() / Float.BYTES),
                from, to, scale);
    }

    static double tree(float p0, float p1, float p2, float p3, float p4, float p5, float p6, float p7,
                               float p8, float p9, float p10, float p11, float p12, float p13, float p14, float p15) {
        double a = ((double) p0 + p1) + ((double) p2 + p3);
        double b = ((double) p4 + p5) + ((double) p6 + p7);
        double c = ((double) p8 + p9) + ((double) p10 + p11);
        double d = ((double) p12 + p13) + ((double) p14 + p15);
        return (a + b) + (c + d);
    }
}
