package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A thread's float32 copies of one chunk of each fp16 operand, for the fp16 vector copies
 * (KernelGenerator's {@code Fp16}). The Vector API has no fp16 conversion, and the arithmetic one
 * cost about 0.6 ns per element and operand (Adam with fp16 params and grads: 2.6 ns per element
 * against bf16's 0.8). Plain loops of {@link Float#float16ToFloat} and {@link Float#floatToFloat16}
 * between the segment and an array, which C2 compiles to the CPU's vector conversions, widen a
 * chunk into these arrays before the vector loop reads it and narrow it after; the chunk stays in
 * L1, so memory still sees one pass. One per thread, made on its first fp16 step.
 */
final class Fp16Scratch {
    /** Elements per chunk: a multiple of every width's lanes; all eight slots (16 KB) stay in L1. */
    static final int CHUNK = 512;
    private static final ValueLayout.OfShort H = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ThreadLocal<Fp16Scratch> OF_THREAD = ThreadLocal.withInitial(Fp16Scratch::new);

    /** One array per operand of a template, in the order KernelGenerator numbers them. */
    private final float[][] slots = new float[8][CHUNK];

    private Fp16Scratch() {
    }

    static Fp16Scratch get() {
        return OF_THREAD.get();
    }

    float[] slot(int operand) {
        return slots[operand];
    }

    /** {@code count} fp16 values of {@code s} from element {@code from}, as floats, into {@code values}. */
    void widen(MemorySegment s, long from, int count, float[] values) {
        for (int j = 0; j < count; j++) {
            values[j] = Float.float16ToFloat(s.getAtIndex(H, from + j));
        }
    }

    /**
     * {@code values[0..count)} as fp16 into {@code s} from element {@code from}, rounded as
     * {@link Halves#fp16}. {@code nanTest}, the sum of {@code x - x} over the values the loop stored,
     * is NaN if any of them is NaN (or infinite): the loop sums it as it stores, which costs less
     * than a pass over the chunk here.
     */
    void narrow(float[] values, MemorySegment s, long from, int count, float nanTest) {
        for (int j = 0; j < count; j++) {
            s.setAtIndex(H, from + j, Float.floatToFloat16(values[j]));
        }
        if (nanTest != nanTest) {
            // Halves.fp16's NaN (Float.floatToFloat16 keeps payload bits): out of the loop above,
            // which a branch would keep C2 from compiling to vector conversions.
            for (int j = 0; j < count; j++) {
                s.setAtIndex(H, from + j, Halves.fp16(values[j]));
            }
        }
    }
}
