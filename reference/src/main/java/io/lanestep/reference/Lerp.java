package io.lanestep.reference;

/** torch 2.x's float32 {@code lerp}, as its CPU kernel computes it. */
final class Lerp {
    private Lerp() {
    }

    /** {@code fma(w, b - a, a)} for {@code |w| < 0.5}, else {@code fma(w - 1, b - a, b)}. */
    static float lerp(float a, float b, float w) {
        return Math.abs(w) < 0.5f ? Math.fma(w, b - a, a) : Math.fma(w - 1f, b - a, b);
    }
}
