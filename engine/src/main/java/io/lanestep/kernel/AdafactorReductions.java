package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Adafactor's reductions over native memory in 256-bit vectors: torch's 8 lane sums
 * ({@link TorchReductions.SumOfSquares}) are one 8-lane vector accumulator, each lane seeing the
 * same additions in the same order, so the results are the scalar definition's bits. Used when
 * the step's width has 256-bit vectors; 16-bit operands widen in the vector, exactly (bf16 by a
 * shift, fp16 by a rebias, see {@link #load}). Each method is small, so that C2 compiles and
 * inlines it whole.
 */
final class AdafactorReductions {
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> H8 = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private AdafactorReductions() {
    }

    /** {@link TorchReductions.SumOfSquares} of {@code x[from, from + n)} fed in order, stored as {@code format}. */
    static float sumOfSquares(MemorySegment x, int format, long from, long n) {
        long blocks = n - n % 8;
        FloatVector acc = FloatVector.zero(S8);
        for (long k = 0; k < blocks; k += 8) {
            FloatVector v = load(x, format, from + k);
            acc = acc.add(v.mul(v));
        }
        return tail(lanes(acc), x, format, from, blocks, n);
    }

    /**
     * Elements {@code [i, i + 8)} of {@code s} stored as {@code format}, widened as
     * {@code Float.float16ToFloat} and bf16's shift widen them, bit for bit (every one of the 65,536
     * halves checked, NaNs quieted as it quiets them): an fp16's exponent and mantissa shifted into
     * float32's place read as 2^-112 of its value, subnormals included, so one exact multiply by
     * 2^112 rebiases it; infinities and NaNs take the all-ones exponent instead.
     */
    private static FloatVector load(MemorySegment s, int format, long i) {
        if (format == Halves.FP32) {
            return FloatVector.fromMemorySegment(S8, s, i * Float.BYTES, ORDER);
        }
        IntVector h = (IntVector) ShortVector.fromMemorySegment(H8, s, i * 2, ORDER)
                .convertShape(VectorOperators.S2I, I8, 0);
        if (format == Halves.BF16) {
            return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        }
        IntVector magnitude = h.and(0x7fff);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector bits = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                .blend(shifted.or(0x7f800000), magnitude.compare(VectorOperators.EQ, 0x7c00))
                .blend(shifted.or(0x7fc00000), magnitude.compare(VectorOperators.GT, 0x7c00));
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /**
     * Row {@code r}'s gradients as the step reads them (scaled, clamped, negated to maximize): the
     * row's {@link TorchReductions.SumOfSquares}, returned, and each squared gradient added to its
     * column's sum in {@code colSums}.
     */
    static float rowSquares(AdafactorKernel k, long r, float[] colSums) {
        long cols = k.cols;
        long blocks = cols - cols % 8;
        long first = r * cols;
        boolean clip = (k.flags & Flags.CLIP_VALUE) != 0;
        boolean maximize = (k.flags & Flags.MAXIMIZE) != 0;
        FloatVector acc = FloatVector.zero(S8);
        for (int c = 0; c < blocks; c += 8) {
            // load must stay small enough for C2 to inline here: a call it left out of line would
            // box the vector it returns, one allocation per 8 elements.
            FloatVector g = load(k.grads, k.gradsFormat, first + c).mul(k.gradScale);
            g = clip ? g.max(-k.gradClip).min(k.gradClip) : g;
            g = maximize ? g.neg() : g;
            FloatVector g2 = g.mul(g);
            acc = acc.add(g2);
            FloatVector.fromArray(S8, colSums, c).add(g2).intoArray(colSums, c);
        }
        float sum = lanes(acc);
        long rest = cols - blocks;
        for (int c = (int) blocks; c < cols; c++) {
            float g = k.gradAt(first + c);
            sum = rest >= 4 && c < blocks + 4 ? sum + g * g : Math.fma(g, g, sum);
            colSums[c] = colSums[c] + g * g;
        }
        return sum;
    }

    /**
     * A vector parameter's variance, {@code v = lerp(v, g², w)} for every element, as
     * {@link AdafactorKernel} takes it one element at a time (torch's {@code lerp_} on float32:
     * the same two roundings per element at any width), in 256-bit vectors when {@code vectors}
     * (native operands, 256 bits or wider). One element at a time it was half of a 64K step.
     */
    static void vectorVariance(AdafactorKernel k, float w, int lerp, boolean vectors) {
        long n = k.length;
        long blocks = vectors ? n - n % 8 : 0;
        boolean clip = (k.flags & Flags.CLIP_VALUE) != 0;
        boolean maximize = (k.flags & Flags.MAXIMIZE) != 0;
        boolean low = (lerp & Flags.LERP_LOW_WEIGHT) != 0;
        FloatVector weight = FloatVector.broadcast(S8, low ? w : w - 1f);
        for (long i = 0; i < blocks; i += 8) {
            FloatVector g = load(k.grads, k.gradsFormat, i).mul(k.gradScale);
            g = clip ? g.max(-k.gradClip).min(k.gradClip) : g;
            g = maximize ? g.neg() : g;
            FloatVector square = g.mul(g);
            FloatVector v = FloatVector.fromMemorySegment(S8, k.colVar, i * Float.BYTES, ORDER);
            square.sub(v).fma(weight, low ? v : square).intoMemorySegment(k.colVar, i * Float.BYTES, ORDER);
        }
        for (long i = blocks; i < n; i++) {
            float g = k.gradAt(i);
            k.colVar.setAtIndex(Lanes.F, i, Lanes.lerp(k.colVar.getAtIndex(Lanes.F, i), g * g, w, lerp));
        }
    }

    /**
     * The {@link TorchReductions.SumOfSquares} of the update {@code g / sqrt(max(row·col / mean,
     * eps1²))} over the whole block in row-major order; rows of a multiple of 8 columns, or one
     * row, so that no 8-element block straddles two rows.
     */
    static float updateSquares(AdafactorKernel k) {
        long n = k.length;
        long blocks = n - n % 8;
        FloatVector acc = FloatVector.zero(S8);
        FloatVector one = FloatVector.broadcast(S8, 1f);
        boolean clip = (k.flags & Flags.CLIP_VALUE) != 0;
        boolean maximize = (k.flags & Flags.MAXIMIZE) != 0;
        // Row by row: whole blocks never straddle rows (see above), so no division per block.
        for (long r = 0, rowStart = 0, i = 0; r < k.rows && i < blocks; r++, rowStart += k.cols) {
            float row = k.rowValue(r);
            for (long rowEnd = Math.min(blocks, rowStart + k.cols); i < rowEnd; i += 8) {
                FloatVector col = FloatVector.fromMemorySegment(S8, k.colVar, (i - rowStart) * Float.BYTES, ORDER);
                FloatVector ve = col.mul(row).div(k.mean).max(k.epsSq);
                FloatVector g = load(k.grads, k.gradsFormat, i).mul(k.gradScale);
                g = clip ? g.max(-k.gradClip).min(k.gradClip) : g;
                g = maximize ? g.neg() : g;
                FloatVector upd = one.div(ve.lanewise(VectorOperators.SQRT)).mul(g);
                acc = acc.add(upd.mul(upd));
            }
        }
        float sum = lanes(acc);
        long rest = n - blocks;
        for (long i = blocks; i < n; i++) {
            float u = k.updateAt(i);
            sum = rest >= 4 && i < blocks + 4 ? sum + u * u : Math.fma(u, u, sum);
        }
        return sum;
    }

    /** The 8 lane sums added left to right. */
    private static float lanes(FloatVector acc) {
        float b = acc.lane(0);
        for (int l = 1; l < 8; l++) {
            b = b + acc.lane(l);
        }
        return b;
    }

    /** The elements after the whole blocks: 4 plain products when at least 4 remain, then fma. */
    private static float tail(float sum, MemorySegment x, int format, long from, long blocks, long n) {
        if (n == blocks) {
            return sum;
        }
        long rest = n - blocks;
        for (long k = blocks; k < n; k++) {
            float v = Halves.get(x, from + k, format);
            sum = rest >= 4 && k < blocks + 4 ? sum + v * v : Math.fma(v, v, sum);
        }
        return sum;
    }
}
