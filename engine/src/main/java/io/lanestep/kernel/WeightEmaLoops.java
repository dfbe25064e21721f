package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight moving average's update over a chunk of a block the step has just written
 * ({@code io.lanestep.WeightEma}): {@code ema.lerp_(params, w)} as torch computes it on float32,
 * {@link Lanes#lerp} lane by lane, whatever the width (a lerp reads one element of each, so the
 * bits cannot depend on it). bf16 widens and rounds in vectors as the 16-bit loops do; fp16 runs
 * element by element ({@link Halves}). A weight of 1 copies.
 */
final class WeightEmaLoops {
    /** Elements per chunk: 16 KB of float32 params, still in L1 when the average reads them. */
    static final int CHUNK = SquareSums.CHUNK;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = S.withLanes(int.class);
    /** The bf16 lanes of one float vector: half its bits (64 at the least width, 128). */
    private static final VectorSpecies<Short> HALF = VectorSpecies.of(short.class,
            VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfShort H = ValueLayout.JAVA_SHORT_UNALIGNED;

    private WeightEmaLoops() {
    }

    static void follow(Kernel k, long from, long to) {
        MemorySegment params = k.emaParams;
        MemorySegment ema = k.ema;
        float w = k.emaWeight;
        long size = k.paramsFormat == Halves.FP32 ? Float.BYTES : Short.BYTES;
        if (w == 1f) {
            MemorySegment.copy(params, from * size, ema, from * size, (to - from) * size);
            return;
        }
        int flags = Flags.lerp(w);
        switch (k.paramsFormat) {
            case Halves.FP32 -> fp32(params, ema, w, flags, from, to);
            case Halves.BF16 -> bf16(params, ema, w, flags, from, to);
            default -> {
                for (long i = from; i < to; i++) {
                    Halves.set(ema, i, k.paramsFormat, Lanes.lerp(Halves.get(ema, i, k.paramsFormat),
                            Halves.get(params, i, k.paramsFormat), w, flags));
                }
            }
        }
    }

    private static void fp32(MemorySegment params, MemorySegment ema, float w, int flags, long from, long to) {
        boolean low = (flags & Flags.LERP_LOW_WEIGHT) != 0;
        FloatVector coeff = FloatVector.broadcast(S, low ? w : w - 1f);
        long end = from + S.loopBound(to - from);
        for (long i = from; i < end; i += S.length()) {
            long o = i * Float.BYTES;
            FloatVector e = FloatVector.fromMemorySegment(S, ema, o, ORDER);
            FloatVector p = FloatVector.fromMemorySegment(S, params, o, ORDER);
            coeff.fma(p.sub(e), low ? e : p).intoMemorySegment(ema, o, ORDER);
        }
        for (long i = end; i < to; i++) {
            ema.setAtIndex(Lanes.F, i, Lanes.lerp(ema.getAtIndex(Lanes.F, i), params.getAtIndex(Lanes.F, i), w, flags));
        }
    }

    private static void bf16(MemorySegment params, MemorySegment ema, float w, int flags, long from, long to) {
        boolean low = (flags & Flags.LERP_LOW_WEIGHT) != 0;
        FloatVector coeff = FloatVector.broadcast(S, low ? w : w - 1f);
        long end = from + S.loopBound(to - from);
        for (long i = from; i < end; i += S.length()) {
            long o = i * Short.BYTES;
            FloatVector e = widen(ema, o);
            FloatVector p = widen(params, o);
            FloatVector x = coeff.fma(p.sub(e), low ? e : p);
            // Round to nearest even as Halves.bf16 does; NaN becomes 0x7fc0.
            IntVector bits = x.reinterpretAsInts();
            IntVector rounded = bits.add(bits.lanewise(VectorOperators.LSHR, 16).and(1).add(0x7fff))
                    .lanewise(VectorOperators.LSHR, 16)
                    .blend(0x7fc0, x.compare(VectorOperators.NE, x).cast(INTS));
            rounded.convertShape(VectorOperators.I2S, HALF, 0).reinterpretAsShorts().intoMemorySegment(ema, o, ORDER);
        }
        for (long i = end; i < to; i++) {
            Halves.set(ema, i, Halves.BF16, Lanes.lerp(Halves.get(ema, i, Halves.BF16),
                    Halves.get(params, i, Halves.BF16), w, flags));
        }
    }

    private static FloatVector widen(MemorySegment s, long offset) {
        return ((IntVector) ShortVector.fromMemorySegment(HALF, s, offset, ORDER)
                .convertShape(VectorOperators.S2I, INTS, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
