package io.lanestep.reference;

import io.lanestep.Adam;
import io.lanestep.Adopt;

/**
 * ADOPT as timm 1.0's {@code Adopt} computes it on float32 (its single-tensor and foreach paths
 * agree), with {@code t} the step from 1. Per element:
 * <pre>
 * g = maximize ? -g : g
 * L2:            g = fma(p, f(weightDecay), g)
 * t = 1:         v = fma(g, g, v); stop
 * decoupled:     p = fma(p, f(-s·weightDecay), p)      s = corrected ? lr²/initialLr : lr
 * n = g / max(sqrt(v), f(eps))
 * clipping:      c = f((t - 1)^clipExponent);  n = min(max(n, -c), c)
 * m = lerp(m, n, f(1 - beta1))
 * p = fma(m, f(-lr), p)
 * v = fma(f(1 - beta2)·g, g, v·f(beta2))
 * </pre>
 */
public final class AdoptReference {
    private AdoptReference() {
    }

    /** One step, the {@code state.step() + 1}-th. */
    public static void step(Adopt c, float[] params, float[] grads, ReferenceState state) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        long t = state.step() + 1;
        boolean l2 = c.weightDecay() != 0 && !c.decoupled();
        boolean decoupled = c.weightDecay() != 0 && c.decoupled();
        float wd = (float) c.weightDecay();
        double s = c.correctedWeightDecay() ? Math.pow(c.lr(), 2) / c.initialLr() : c.lr();
        float negDecay = (float) (-s * c.weightDecay());
        float eps = (float) c.eps();
        float clip = Double.isNaN(c.clipExponent()) ? Float.POSITIVE_INFINITY
                : (float) Math.pow(t - 1, c.clipExponent());
        float w = (float) (1 - c.beta1());
        float b2 = (float) c.beta2();
        float oneMinusB2 = (float) (1 - c.beta2());
        float negLr = (float) -c.lr();
        for (int i = 0; i < params.length; i++) {
            float g = c.maximize() ? -grads[i] : grads[i];
            float p = params[i];
            if (l2) {
                g = Math.fma(p, wd, g);
            }
            if (t == 1) {
                v[i] = Math.fma(g, g, v[i]);
                continue;
            }
            if (decoupled) {
                p = Math.fma(p, negDecay, p);
            }
            float n = g / Math.max((float) Math.sqrt(v[i]), eps);
            n = Math.min(Math.max(n, -clip), clip);
            m[i] = Lerp.lerp(m[i], n, w);
            params[i] = Math.fma(m[i], negLr, p);
            v[i] = Math.fma(oneMinusB2 * g, g, v[i] * b2);
        }
    }
}
