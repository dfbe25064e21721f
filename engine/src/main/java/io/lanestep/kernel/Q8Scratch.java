package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
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
    /**
     * Whether the search finds codes by {@link CodeArithmetic}: its tables of 16 and 32 ints are
     * one and two registers of 16 lanes, looked up by permutes.
     */
    private static final boolean ARITHMETIC = S.length() == 16;
    /**
     * Whether decoding looks the code values up by byte permutes over 64 lanes, four byte planes
     * of two 128-entry lookups each: it needs byte permutes across a 512-bit register (x86's
     * AVX-512 VBMI), which C2 otherwise leaves to a slow fallback.
     */
    private static final boolean PLANES = S.length() == 16 && cpuHas("avx512vbmi");
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_512;
    private static final VectorSpecies<Short> W32 = ShortVector.SPECIES_512;
    /** Two-table byte indices that put byte {@code k} of two vectors side by side: k < 32, then k >= 32. */
    private static final byte[] PAIRS = new byte[128];
    /** Two-table short indices that put short {@code k} of two vectors side by side: k < 16, then k >= 16. */
    private static final short[] WORDS = new short[64];

    static {
        for (int k = 0; k < 64; k++) {
            PAIRS[2 * k] = (byte) k;
            PAIRS[2 * k + 1] = (byte) (64 + k);
        }
        for (int k = 0; k < 32; k++) {
            WORDS[2 * k] = (short) k;
            WORDS[2 * k + 1] = (short) (32 + k);
        }
    }
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
                int decoded = PLANES ? decodeByPlanes(k.q8Maps[n].planes, absmax, x, off, size) : 0;
                int vectors = GATHERS ? S.loopBound(size) : 0;
                for (int j = decoded; j < vectors; j += S.length()) {
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

    /**
     * Decodes the first whole 64-code vectors of {@link #codes} into {@code x} from {@code off},
     * each value assembled from its four bytes; returns how many it decoded.
     */
    private int decodeByPlanes(byte[] planes, float absmax, float[] x, int off, int count) {
        ByteVector a0 = ByteVector.fromArray(B64, planes, 0);
        ByteVector a1 = ByteVector.fromArray(B64, planes, 64);
        ByteVector a2 = ByteVector.fromArray(B64, planes, 128);
        ByteVector a3 = ByteVector.fromArray(B64, planes, 192);
        ByteVector b0 = ByteVector.fromArray(B64, planes, 256);
        ByteVector b1 = ByteVector.fromArray(B64, planes, 320);
        ByteVector b2 = ByteVector.fromArray(B64, planes, 384);
        ByteVector b3 = ByteVector.fromArray(B64, planes, 448);
        ByteVector c0 = ByteVector.fromArray(B64, planes, 512);
        ByteVector c1 = ByteVector.fromArray(B64, planes, 576);
        ByteVector c2 = ByteVector.fromArray(B64, planes, 640);
        ByteVector c3 = ByteVector.fromArray(B64, planes, 704);
        ByteVector d0 = ByteVector.fromArray(B64, planes, 768);
        ByteVector d1 = ByteVector.fromArray(B64, planes, 832);
        ByteVector d2 = ByteVector.fromArray(B64, planes, 896);
        ByteVector d3 = ByteVector.fromArray(B64, planes, 960);
        ByteVector pairLow = ByteVector.fromArray(B64, PAIRS, 0);
        ByteVector pairHigh = ByteVector.fromArray(B64, PAIRS, 64);
        ShortVector wordLow = ShortVector.fromArray(W32, WORDS, 0);
        ShortVector wordHigh = ShortVector.fromArray(W32, WORDS, 32);
        int whole = count & -B64.length();
        for (int j = 0; j < whole; j += B64.length()) {
            ByteVector code = ByteVector.fromArray(B64, codes, j);
            VectorMask<Byte> upper = code.compare(VectorOperators.LT, (byte) 0);
            ByteVector index = code.and((byte) 0x7f);
            ByteVector byte0 = index.selectFrom(a0, a1).blend(index.selectFrom(a2, a3), upper);
            ByteVector byte1 = index.selectFrom(b0, b1).blend(index.selectFrom(b2, b3), upper);
            ByteVector byte2 = index.selectFrom(c0, c1).blend(index.selectFrom(c2, c3), upper);
            ByteVector byte3 = index.selectFrom(d0, d1).blend(index.selectFrom(d2, d3), upper);
            // Bytes 0 and 1 (2 and 3) of each value side by side, then those pairs side by side:
            // four permutes make the values' bits, in place of widening and shifting each plane.
            ShortVector low01 = pairLow.selectFrom(byte0, byte1).reinterpretAsShorts();
            ShortVector low23 = pairLow.selectFrom(byte2, byte3).reinterpretAsShorts();
            ShortVector high01 = pairHigh.selectFrom(byte0, byte1).reinterpretAsShorts();
            ShortVector high23 = pairHigh.selectFrom(byte2, byte3).reinterpretAsShorts();
            int at = off + j;
            wordLow.selectFrom(low01, low23).reinterpretAsFloats().mul(absmax).intoArray(x, at);
            wordHigh.selectFrom(low01, low23).reinterpretAsFloats().mul(absmax).intoArray(x, at + 16);
            wordLow.selectFrom(high01, high23).reinterpretAsFloats().mul(absmax).intoArray(x, at + 32);
            wordHigh.selectFrom(high01, high23).reinterpretAsFloats().mul(absmax).intoArray(x, at + 48);
        }
        return whole;
    }

    private void finish(Kernel k, long b0, int count) {
        for (int n = 0; n < slots.length; n++) {
            float[] x = values[n];
            for (int off = 0; off < count; off += BLOCK) {
                int size = Math.min(BLOCK, count - off);
                float max = absmax(x, off, size);
                search(k.q8Maps[n], x, off, divisor(max), size, ints, codes);
                MemorySegment.copy(codes, 0, slots[n], CODE, b0 + off, size);
                slots[n].set(Lanes.F, absmaxOffset(k.length, b0 + off), max);
            }
        }
    }

    /**
     * The largest magnitude of {@code x[off..off + size)}. Magnitudes' bits compare as ints: one
     * cycle a vector, where float max (Java's NaN and signed-zero rules, several instructions
     * in a chain) took about ten. A block holding NaN takes the float max, for its NaN's bits.
     */
    private static float absmax(float[] x, int off, int size) {
        int vectors = S.loopBound(size);
        IntVector vMax = IntVector.zero(I);
        for (int j = 0; j < vectors; j += S.length()) {
            vMax = vMax.max(FloatVector.fromArray(S, x, off + j).reinterpretAsInts().and(0x7fffffff));
        }
        int bits = vMax.reduceLanes(VectorOperators.MAX);
        for (int j = vectors; j < size; j++) {
            bits = Math.max(bits, Float.floatToRawIntBits(x[off + j]) & 0x7fffffff);
        }
        return bits <= 0x7f800000 ? Float.intBitsToFloat(bits) : nanMax(x, off, size);
    }

    private static float nanMax(float[] x, int off, int size) {
        int vectors = S.loopBound(size);
        FloatVector vMax = FloatVector.zero(S);
        for (int j = 0; j < vectors; j += S.length()) {
            vMax = vMax.max(FloatVector.fromArray(S, x, off + j).abs());
        }
        float max = vMax.reduceLanes(VectorOperators.MAX);
        for (int j = vectors; j < size; j++) {
            max = Math.max(max, Math.abs(x[off + j]));
        }
        return max;
    }

    /**
     * The nearest codes of {@code x[off..off + count)} divided by {@code divisor}, into
     * {@code codes[0..count)}, leaving {@code x} undefined: whole vectors of 16 lanes find them by
     * {@link CodeArithmetic} (or, near a midpoint, as narrower ones do), narrower ones gather their
     * buckets' entries, as {@link DynamicCodes#nearest} looks them up one by one. {@code ints}
     * holds at least count.
     */
    static void search(DynamicCodes map, float[] x, int off, float divisor, int count, int[] ints, byte[] codes) {
        // A finite absmax leaves no NaN to map to code 0 (an infinite one divides itself into NaN).
        int clean = Float.isFinite(divisor) ? S.loopBound(count) : 0;
        int fraction = (1 << map.fractionBits) - 1;
        CodeArithmetic a = map.arithmetic;
        IntVector slope = ARITHMETIC ? IntVector.fromArray(I, a.slope, 0) : null;
        IntVector offset = ARITHMETIC ? IntVector.fromArray(I, a.offset, 0) : null;
        IntVector first = ARITHMETIC ? IntVector.fromArray(I, a.first, 0) : null;
        IntVector last = ARITHMETIC ? IntVector.fromArray(I, a.last, 0) : null;
        IntVector territory0 = ARITHMETIC ? IntVector.fromArray(I, a.territory, 0) : null;
        IntVector territory1 = ARITHMETIC ? IntVector.fromArray(I, a.territory, 16) : null;
        IntVector boundary0 = ARITHMETIC ? IntVector.fromArray(I, a.boundary, 0) : null;
        IntVector boundary1 = ARITHMETIC ? IntVector.fromArray(I, a.boundary, 16) : null;
        for (int j = 0; j < clean; j += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + j).div(divisor);
            if (!GATHERS) {
                v.intoArray(x, off + j);
            }
            IntVector bits = v.reinterpretAsInts();
            if (ARITHMETIC) {
                IntVector magnitude = bits.and(0x7fffffff);
                // Normalized magnitudes are at most 1: no exponent above the table's.
                IntVector row = magnitude.lanewise(VectorOperators.LSHR, 23).max(DynamicCodes.LOWEST_EXPONENT)
                        .sub(DynamicCodes.LOWEST_EXPONENT);
                IntVector bound = row.selectFrom(boundary0, boundary1);
                IntVector t = row.selectFrom(territory0, territory1)
                        .add(1, magnitude.compare(VectorOperators.GT, bound));
                FloatVector at = magnitude.reinterpretAsFloats().fma(t.selectFrom(slope, slope).reinterpretAsFloats(),
                        t.selectFrom(offset, offset).reinterpretAsFloats());
                FloatVector rounded = at.add(0x1p23f);
                VectorMask<Float> near = at.sub(rounded.sub(0x1p23f)).abs()
                        .compare(VectorOperators.GT, 0.5f - CodeArithmetic.NEAR);
                // The first vector of each call takes the bucket search too: C2 compiles a branch its
                // profile never saw taken as a trap, and the first vector near a midpoint would send
                // the search back to the interpreter (allocating every vector) until recompiled.
                int bucket = near.or(magnitude.compare(VectorOperators.EQ, bound).cast(S)).trueCount() + (j - 1 >>> 31);
                if (bucket == 0) {
                    IntVector sign = bits.lanewise(VectorOperators.ASHR, 31);
                    rounded.reinterpretAsInts().max(CodeArithmetic.ROUNDED_ZERO).min(t.selectFrom(last, last))
                            .add(t.selectFrom(first, first)).lanewise(VectorOperators.XOR, sign).sub(sign)
                            .add(a.zero).max(0)
                            .convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(codes, j);
                    continue;
                }
            }
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

    /** Whether Linux lists {@code flag} among the CPU's features; false where it cannot tell. */
    private static boolean cpuHas(String flag) {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(line -> line.startsWith("flags")).findFirst()
                    .map(line -> java.util.List.of(line.split("\\s+")).contains(flag)).orElse(false);
        } catch (java.io.IOException | java.io.UncheckedIOException | SecurityException e) {
            return false;
        }
    }

    /** A block of zeros divides by 1, not 0: its codes are then the code of 0 (of either sign). */
    static float divisor(float max) {
        return max == 0f ? 1f : max;
    }
}
