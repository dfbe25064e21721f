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
 * caution:       u = m * (m * g > 0 ? f(1 / max(f(k) / f(n), f(1e-3))) : 0), k the count of m * g > 0
 * p = fma(u, f(-lr), p)                                  (u = m without caution)
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
        float wd = (float) c.weightDecay();
        float[] g = new float[params.length];
        for (int i = 0; i < params.length; i++) {
            g[i] = c.maximize() ? -grads[i] : grads[i];
            if (c.weightDecay() != 0 && !c.decoupled()) {
                g[i] = Math.fma(params[i], wd, g[i]);
            }
        }
        if (t == 1) {
            for (int i = 0; i < params.length; i++) {
                v[i] = Math.fma(g[i], g[i], v[i]);
            }
            return;
        }
        float eps = (float) c.eps();
        float clip = Double.isNaN(c.clipExponent()) ? Float.POSITIVE_INFINITY
                : (float) Math.pow(t - 1, c.clipExponent());
        float w = (float) (1 - c.beta1());
        for (int i = 0; i < params.length; i++) {
            float n = g[i] / Math.max((float) Math.sqrt(v[i]), eps);
            n = Math.min(Math.max(n, -clip), clip);
            m[i] = Lerp.lerp(m[i], n, w);
        }
        float scale = c.caution() ? Caution.scale(m, g) : 1f;
        double s = c.correctedWeightDecay() ? Math.pow(c.lr(), 2) / c.initialLr() : c.lr();
        float negDecay = (float) (-s * c.weightDecay());
        float b2 = (float) c.beta2();
        float oneMinusB2 = (float) (1 - c.beta2());
        float negLr = (float) -c.lr();
        for (int i = 0; i < params.length; i++) {
            float p = params[i];
            if (c.weightDecay() != 0 && c.decoupled()) {
                p = Math.fma(p, negDecay, p);
            }
            float u = c.caution() ? Caution.masked(m[i], g[i], scale) : m[i];
            params[i] = Math.fma(u, negLr, p);
            v[i] = Math.fma(oneMinusB2 * g[i], g[i], v[i] * b2);
        }
    }
}
