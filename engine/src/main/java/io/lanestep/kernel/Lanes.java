package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.CLIP_VALUE;

import java.lang.foreign.ValueLayout;

/** What the scalar tails of every template share. */
final class Lanes {
    /** The element layout of native operands: native order, any 4-byte-multiple offset. */
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Lanes() {
    }

    /** The gradient an update uses: times {@code gradScale}, then clamped under {@link Flags#CLIP_VALUE}. */
    static float clipped(float g, float gradScale, float gradClip, int flags) {
        float scaled = g * gradScale;
        return (flags & CLIP_VALUE) != 0 ? Math.min(Math.max(scaled, -gradClip), gradClip) : scaled;
    }

    /**
     * torch's {@code a.lerp(b, w)} on float32 for a scalar weight: {@code fma(w, b - a, a)} when
     * {@code |w| < 0.5}, else {@code fma(w - 1, b - a, b)} ({@code w - 1} is exact then).
     */
    static float lerp(float a, float b, float w, int flags) {
        return (flags & Flags.LERP_LOW_WEIGHT) != 0 ? Math.fma(w, b - a, a) : Math.fma(w - 1f, b - a, b);
    }

    /**
     * optax's moment {@code (1 - b)·x + b·m} as XLA contracts it: the decayed moment's product fused
     * ({@code fma(m, b, w·x)}), or with {@link Flags#XLA_FUSE_GRADIENT} the other one.
     */
    static float xlaMoment(float m, float x, float b, float w, int flags) {
        return (flags & Flags.XLA_FUSE_GRADIENT) != 0 ? Math.fma(x, w, m * b) : Math.fma(m, b, w * x);
    }

    /**
     * XLA's bias correction factor for decay {@code beta} (float32) at step {@code t}: XLA's float32
     * power {@code beta^t}, then {@code 1 / (1 - power)} in float32, as optax's jitted steps
     * multiply by it.
     */
    static float biasReciprocal(float beta, double t) {
        float power = Powers.xlaPow(beta, (float) t);
        return 1f / (1f - power);
    }

    /** {@code x}, or a zero of its sign when it is subnormal and the step flushes state. */
    static float flush(float x, int flags) {
        return (flags & Flags.FLUSH_SUBNORMAL) != 0 && Math.abs(x) < Float.MIN_NORMAL ? x * 0f : x;
    }
}
