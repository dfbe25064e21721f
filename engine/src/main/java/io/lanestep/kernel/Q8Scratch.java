package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A thread's room for a span of 8-bit state ({@code Format.Q8}): each slot's values over
 * {@link #SPAN} elements (four blocks of 256), dequantized, which the templates' {@code Q8}
 * copies read and write in place of the slot (KernelGenerator's {@code # q8}), then each block
 * quantized against its new absmax. One per thread, made on its first 8-bit step.
 *
 * <p>A step runs span by span ({@link #steps}): decode every slot (code value times its block's
 * absmax, as the reference dequantizes, gathered in vectors), run the optimizer's own loop over
 * the span (one call per four blocks: its set-up cost 5% of the step at one), then find each
 * block's absmax, normalize, and gather each value's table entry, as {@link DynamicCodes#nearest}
 * looks it up. Memory still sees one pass: the span stays in L1 between.
 */
final class Q8Scratch {
    static final int BLOCK = 256;
    /** Elements decoded, stepped and quantized per call of the optimizer's loop: four blocks, 4 KB per slot in L1. */
    static final int SPAN = 4 * BLOCK;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    /**
     * Whether decoding and searching gather table entries in vectors, codes converted in
     * registers as one vector of bytes per vector of floats. Below 8 lanes no vector shape holds
     * the bytes and C2 does not compile every gather (one boxed, 10 ns per element at 128 bits):
     * there the table lookups and conversions are scalar loops between the vector steps.
     */
    private static final boolean GATHERS = S.length() >= 8;
    private static final VectorSpecies<Byte> B = GATHERS
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(S.length() * Byte.SIZE)) : null;
    private static final ValueLayout.OfByte CODE = ValueLayout.JAVA_BYTE;
    /** What a slot the step leaves out (an empty segment) reads as: nothing, as the loops never touch it. */
    private static final float[] NONE = new float[0];
    private static final ThreadLocal<Q8Scratch> OF_THREAD = ThreadLocal.withInitial(Q8Scratch::new);

    /** One row per state slot, grown to the most slots this thread has stepped (once, not per step). */
    private float[][] values = new float[0][];
    /** Codes as ints, or the table indices of normalized values: the index maps of the gathers. */
    private final int[] ints = new int[BLOCK];
    /** Codes on their way in or out: the slot is read and written in bulk, the lookups run on arrays. */
    private final byte[] codes = new byte[BLOCK];
    /** The state slots of the block being stepped. */
    private MemorySegment[] slots = new MemorySegment[0];
    /**
     * Minus the block's first element, as an int: the loops index {@code values(slot)[base + (int) i]},
     * which wraps to {@code i - b0} for any long {@code i}.
     */
    int base;

    private Q8Scratch() {
    }

    static Q8Scratch get() {
        return OF_THREAD.get();
    }

    /** A generated loop over a range of a kernel's block (a template's method). */
    @FunctionalInterface
    interface Loop<K extends Kernel> {
        void run(K k, long from, long to);
    }

    /**
     * Steps elements {@code [from, to)} of kernel {@code k}'s block, block by block ({@code from}
     * is a block bound): {@code wide} for float32 params and grads (native or heap), {@code half}
     * (its 16-bit copy) otherwise.
     */
    static <K extends Kernel> void steps(K k, long from, long to, Loop<K> wide, Loop<K> half) {
        blocks(k, from, to, wide, half, true);
    }

    /**
     * As {@link #steps}, for loops that only read the state (a counting pass): the codes stay as
     * they are, since quantizing the decoded values again need not give the same codes.
     */
    static <K extends Kernel> void reads(K k, long from, long to, Loop<K> wide, Loop<K> half) {
        blocks(k, from, to, wide, half, false);
    }

    private static <K extends Kernel> void blocks(K k, long from, long to, Loop<K> wide, Loop<K> half,
                                                  boolean writes) {
        Q8Scratch q8 = get();
        boolean fp32 = k.paramsFormat == Halves.FP32 && k.gradsFormat == Halves.FP32;
        for (long b0 = from; b0 < to; b0 += SPAN) {
            long b1 = Math.min(b0 + SPAN, to);
            int count = (int) (b1 - b0);
            q8.decode(k, b0, count);
            if (fp32) {
                wide.run(k, b0, b1);
            } else {
                half.run(k, b0, b1);
            }
            if (writes) {
                q8.finish(k, b0, count);
            }
        }
    }

    /** The dequantized values of {@code slot}, one of the block's state slots (or an empty segment). */
    float[] values(MemorySegment slot) {
        for (int n = 0; n < slots.length; n++) {
            if (slots[n] == slot) {
                return values[n];
            }
        }
        return NONE;
    }

    /** Where the absmax of the block at element {@code b0} is, in a slot of {@code length} elements. */
    static long absmaxOffset(long length, long b0) {
        return io.lanestep.Format.q8AbsmaxOffset(length) + b0 / BLOCK * Float.BYTES;
    }

    private void decode(Kernel k, long b0, int count) {
        slots = k.slots;
        if (values.length < slots.length) {
            float[][] grown = Arrays.copyOf(values, slots.length);
            for (int n = values.length; n < grown.length; n++) {
                grown[n] = new float[SPAN];
            }
            values = grown;
        }
        base = (int) -b0;
        for (int n = 0; n < slots.length; n++) {
            MemorySegment slot = slots[n];
            float[] table = k.q8Maps[n].values;
            float[] x = values[n];
            for (int off = 0; off < count; off += BLOCK) {
                int size = Math.min(BLOCK, count - off);
                MemorySegment.copy(slot, CODE, b0 + off, codes, 0, size);
                float absmax = slot.get(Lanes.F, absmaxOffset(k.length, b0 + off));
                int vectors = GATHERS ? S.loopBound(size) : 0;
                for (int j = 0; j < vectors; j += S.length()) {
                    ((IntVector) ByteVector.fromArray(B, codes, j).convertShape(VectorOperators.B2I, I, 0))
                            .and(0xff).intoArray(ints, j);
                    FloatVector.fromArray(S, table, 0, ints, j).mul(absmax).intoArray(x, off + j);
                }
                for (int j = vectors; j < size; j++) {
                    x[off + j] = table[codes[j] & 0xff] * absmax;
                }
            }
        }
    }

    private void finish(Kernel k, long b0, int count) {
        for (int n = 0; n < slots.length; n++) {
            float[] x = values[n];
            for (int off = 0; off < count; off += BLOCK) {
                int size = Math.min(BLOCK, count - off);
                int vectors = S.loopBound(size);
                FloatVector vMax = FloatVector.zero(S);
                for (int j = 0; j < vectors; j += S.length()) {
                    vMax = vMax.max(FloatVector.fromArray(S, x, off + j).abs());
                }
                float max = vMax.reduceLanes(VectorOperators.MAX);
                for (int j = vectors; j < size; j++) {
                    max = Math.max(max, Math.abs(x[off + j]));
                }
                search(k.q8Maps[n], x, off, divisor(max), size, ints, codes);
                MemorySegment.copy(codes, 0, slots[n], CODE, b0 + off, size);
                slots[n].set(Lanes.F, absmaxOffset(k.length, b0 + off), max);
            }
        }
    }

    /**
     * The nearest codes of {@code x[off..off + count)} divided by {@code divisor}, into
     * {@code codes[0..count)}, dividing {@code x} in place: whole vectors gather their buckets' entries, as
     * {@link DynamicCodes#nearest} looks them up one by one. {@code ints} holds at least count.
     */
    static void search(DynamicCodes map, float[] x, int off, float divisor, int count, int[] ints, byte[] codes) {
        // A finite absmax leaves no NaN to map to code 0 (an infinite one divides itself into NaN).
        int clean = Float.isFinite(divisor) ? S.loopBound(count) : 0;
        int fraction = (1 << map.fractionBits) - 1;
        for (int j = 0; j < clean; j += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + j).div(divisor);
            v.intoArray(x, off + j);
            IntVector bits = v.reinterpretAsInts();
            IntVector sign = bits.lanewise(VectorOperators.ASHR, 31);
            bits.lanewise(VectorOperators.LSHR, 23).and(0xff)
                    .max(DynamicCodes.LOWEST_EXPONENT).min(DynamicCodes.HIGHEST_EXPONENT)
                    .sub(DynamicCodes.LOWEST_EXPONENT).lanewise(VectorOperators.LSHL, map.fractionBits)
                    .or(bits.lanewise(VectorOperators.LSHR, map.shift).and(fraction))
                    .add(sign.and(map.perSign))
                    .intoArray(ints, j);
            if (GATHERS) {
                IntVector.fromArray(I, map.entries, 0, ints, j)
                        .add(bits.lanewise(VectorOperators.XOR, sign).and(map.mask))
                        .lanewise(VectorOperators.LSHR, map.shift)
                        .convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(codes, j);
            }
        }
        for (int j = GATHERS ? clean : 0; j < clean; j++) {
            // Scalar lookups in a loop of their own: mixed with the vector steps, each vector
            // would reload what scalar stores had just written, which the CPU cannot forward.
            codes[j] = (byte) map.code(map.entries[ints[j]], map.low(Float.floatToRawIntBits(x[off + j])));
        }
        for (int j = clean; j < count; j++) {
            x[off + j] /= divisor;
            codes[j] = (byte) map.nearest(x[off + j]);
        }
    }

    /** A block of zeros divides by 1, not 0: its codes are then the code of 0 (of either sign). */
    static float divisor(float max) {
        return max == 0f ? 1f : max;
    }
}
