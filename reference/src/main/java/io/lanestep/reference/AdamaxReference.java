package io.lanestep.reference;

import io.lanestep.Adamax;

/**
 * PyTorch 1.13.1 {@code Adamax}, float32. At step {@code t} (from 1), per element:
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * u = max(u * f(beta2), |g| + f(eps))
 * p = p + (f(-(lr / (1 - beta1^t))) * m) / u
 * </pre>
 */
public final class AdamaxReference {
    private AdamaxReference() {
    }

    /** One step at step number {@code t}. */
    public static void step(Adamax c, float[] params, float[] grads, float[] m, float[] u, long t) {
        float negStep = (float) -(c.lr() / (1 - Math.pow(c.beta1(), t)));
        float b1 = (float) c.beta1();
        float oneMinusB1 = (float) (1 - c.beta1());
        float b2 = (float) c.beta2();
        float eps = (float) c.eps();
        float decay = (float) c.weightDecay();
        for (int i = 0; i < params.length; i++) {
            float g = c.maximize() ? -grads[i] : grads[i];
            if (c.weightDecay() != 0) {
                g = Math.fma(params[i], decay, g);
            }
            m[i] = Math.fma(g, oneMinusB1, m[i] * b1);
            u[i] = Math.max(u[i] * b2, Math.abs(g) + eps);
            params[i] = params[i] + (negStep * m[i]) / u[i];
        }
    }
}
