package io.lanestep.kernel;


/**
 * When the vector kernels may divide by a per-step constant {@code b} without a division.
 *
 * <p>Cache-resident Adam is bound by the divider, which also takes the square root. Its division by
 * {@code f(sqrt(bc2))} (NAdam's by {@code f(bc2)}, RAdam's by {@code f(bc1)}) runs instead as
 * {@code q = x·y} with {@code y = 1/b} rounded once, then {@code q + (x - b·q)·y} with two FMAs. That
 * gives exactly the bits of {@code x / b}, as PyTorch computes it: {@code engine/src/proof/divide_by_constant.c}
 * proves it for every float significand of {@code x} and {@code b}, inside the bounds below, where
 * no step under- or overflows. A vector with a lane outside them (zero, tiny, huge, infinite, NaN)
 * divides, and so do the 64- and 128-bit kernels ({@link #ENABLED_FROM_BITS}) and the 256-bit bf16
 * copies ({@link #BF16_ENABLED_FROM_BITS}).
 *
 * <p>A template asks {@code RECIPROCAL && Reciprocal.exact(b)} once per call and divides with the
 * macro {@code FloatVector q = @divide(x, b, -b, f(1/b), enabled);}, which KernelGenerator expands
 * inline into: {@code |x|} in {@code [MIN_DIVIDEND, MAX_DIVIDEND)} in every lane and enabled? the
 * FMA form : {@code x.div(b)}.
 */
final class Reciprocal {
    /**
     * The narrowest width that divides this way. At 64 bits C2 has no float compare to guard the
     * lanes with; at 128 bits the divider is not the bottleneck, and the extra operations made Adam
     * and RAdam 8-12% slower (43.5 against 38.8 µs per 64K step).
     */
    static final int ENABLED_FROM_BITS = 256;
    /**
     * The same for the bf16 copies, whose conversions leave the divider idle more of the time. At
     * 256 bits (AMD Zen 3) dividing made Adam with bf16 params and grads 13% faster (55.6 against
     * 63.6 µs per 64K step, FormatsBench, one run); 512 bits, where a division costs twice as much,
     * was not measured and keeps the FMA form.
     */
    static final int BF16_ENABLED_FROM_BITS = 512;
    /** Smallest magnitude of a dividend the proof covers. */
    static final float MIN_DIVIDEND = 0x1p-100f;
    /** Magnitudes from here on divide: {@code x·(1/b)} could overflow. */
    static final float MAX_DIVIDEND = 0x1p96f;

    private Reciprocal() {
    }

    /** Whether the proof covers dividing by {@code divisor}. */
    static boolean exact(float divisor) {
        return divisor >= 0x1p-30f && divisor <= 1f;
    }
}
