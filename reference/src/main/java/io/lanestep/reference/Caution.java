package io.lanestep.reference;

/**
 * timm's caution mask on float32: {@code mask = u * g > 0 ? 1 : 0}, divided by
 * {@code max(mean(mask), 1e-3)} (the mean {@code f(k) / f(n)}), multiplying {@code u}.
 */
final class Caution {
    private Caution() {
    }

    /** {@code f(1 / max(f(k) / f(n), f(1e-3)))}, with {@code k} the coordinates where {@code u * g > 0}. */
    static float scale(float[] u, float[] g) {
        long agreeing = 0;
        for (int i = 0; i < u.length; i++) {
            if (u[i] * g[i] > 0) {
                agreeing++;
            }
        }
        float mean = (float) agreeing / (float) u.length;
        return 1f / Math.max(mean, (float) 1e-3);
    }

    /** {@code u} times its mask value. */
    static float masked(float u, float g, float scale) {
        return u * (u * g > 0 ? scale : 0f);
    }
}
