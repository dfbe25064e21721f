package io.lanestep.reference;

import io.lanestep.Adagrad;

/**
 * PyTorch 1.13.1 {@code Adagrad}, float32. At step {@code t} (from 1), with
 * {@code clr = lr / (1 + (t - 1)·lrDecay)} in double, per element:
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * sum = fma(g, g, sum)
 * p = p + (f(-clr) * g) / (sqrt(sum) + f(eps))
 * </pre>
 */
public final class AdagradReference {
    private AdagradReference() {
    }

    /** One step at step number {@code t}. */
    public static void step(Adagrad c, float[] params, float[] grads, float[] sum, long t) {
        float negClr = (float) -(c.lr() / (1 + (t - 1) * c.lrDecay()));
        float eps = (float) c.eps();
        float decay = (float) c.weightDecay();
        for (int i = 0; i < params.length; i++) {
            float g = c.maximize() ? -grads[i] : grads[i];
            if (c.weightDecay() != 0) {
                g = Math.fma(params[i], decay, g);
            }
            sum[i] = Math.fma(g, g, sum[i]);
            params[i] = params[i] + (negClr * g) / ((float) Math.sqrt(sum[i]) + eps);
        }
    }
}
