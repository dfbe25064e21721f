package io.lanestep.reference;

import io.lanestep.Lion;

/**
 * Lion (Chen et al. 2023, Algorithm 2, with decoupled weight decay), float32, {@code sign} = 1,
 * -1 or 0 (also for NaN). Per element:
 * <pre>
 * g = maximize ? -g : g
 * p = p * f(1 - lr·weightDecay)
 * c = fma(g, f(1 - beta1), m * f(beta1))
 * p = fma(sign(c), f(-lr), p)
 * m = fma(g, f(1 - beta2), m * f(beta2))
 * </pre>
 */
public final class LionReference {
    private LionReference() {
    }

    /** One step. */
    public static void step(Lion c, float[] params, float[] grads, float[] m) {
        float decayFactor = (float) (1 - c.lr() * c.weightDecay());
        float negLr = (float) -c.lr();
        float b1 = (float) c.beta1();
        float oneMinusB1 = (float) (1 - c.beta1());
        float b2 = (float) c.beta2();
        float oneMinusB2 = (float) (1 - c.beta2());
        for (int i = 0; i < params.length; i++) {
            float g = c.maximize() ? -grads[i] : grads[i];
            float p = params[i] * decayFactor;
            float interpolated = Math.fma(g, oneMinusB1, m[i] * b1);
            float sign = interpolated > 0 ? 1f : interpolated < 0 ? -1f : 0f;
            params[i] = Math.fma(sign, negLr, p);
            m[i] = Math.fma(g, oneMinusB2, m[i] * b2);
        }
    }
}
