package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;
import static io.lanestep.reference.Models.adam;

import io.lanestep.Adam;
import io.lanestep.AdamWLegacy;
import io.lanestep.Numerics;

/**
 * timm 1.0's {@code AdamWLegacy} on float32, with {@code t} the step from 1. Per element:
 * <pre>
 * g = maximize ? -g : g
 * p = p * f(1 - s·weightDecay)                 s = correctedWeightDecay ? lr²/initialLr : lr
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * v = fma(f(1 - beta2) * g, g, v * f(beta2))
 * amsgrad:  vmax = max(vmax, v), used below in place of v
 * denom = sqrt(v) / f(sqrt(1 - beta2^t)) + f(eps)
 * caution:  u = m * (m * g > 0 ? f(1 / max(f(k) / f(n), f(1e-3))) : 0), k the count of m * g > 0
 * single:   p = p + (f(-lr / (1 - beta1^t)) * u) / denom       (u = m without caution)
 * foreach:  p = p + u / (denom / f(-lr / (1 - beta1^t)))
 * </pre>
 */
public final class AdamWLegacyReference {
    private AdamWLegacyReference() {
    }

    /** One step, the {@code state.step() + 1}-th. */
    public static void step(AdamWLegacy c, float[] params, float[] grads, ReferenceState state) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        float[] vmax = c.amsgrad() ? state.slot(Adam.MAX_EXP_AVG_SQ) : null;
        double t = state.step() + 1;
        float b1 = (float) c.beta1();
        float oneMinusB1 = (float) (1 - c.beta1());
        float b2 = (float) c.beta2();
        float oneMinusB2 = (float) (1 - c.beta2());
        float[] g = new float[params.length];
        for (int i = 0; i < params.length; i++) {
            g[i] = c.maximize() ? -grads[i] : grads[i];
            m[i] = Math.fma(g[i], oneMinusB1, m[i] * b1);
            v[i] = Math.fma(oneMinusB2 * g[i], g[i], v[i] * b2);
            if (vmax != null) {
                vmax[i] = Math.max(vmax[i], v[i]);
            }
        }
        float scale = c.caution() ? Caution.scale(m, g) : 1f;
        double s = c.correctedWeightDecay() ? Math.pow(c.lr(), 2) / c.initialLr() : c.lr();
        float decayFactor = (float) (1 - s * c.weightDecay());
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(c.beta2(), t));
        float eps = (float) c.eps();
        float negStep = (float) (-c.lr() / (1 - Math.pow(c.beta1(), t)));
        for (int i = 0; i < params.length; i++) {
            float p = params[i] * decayFactor;
            float denom = (float) Math.sqrt(vmax != null ? vmax[i] : v[i]) / bc2Sqrt + eps;
            float u = c.caution() ? Caution.masked(m[i], g[i], scale) : m[i];
            params[i] = c.numerics() == Numerics.TORCH_2_FOREACH ? p + u / (denom / negStep)
                    : p + (negStep * u) / denom;
        }
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(AdamWLegacy a, float pf, float gf, float[] slots, float[] scalars, long t) {
        // Corrected decay multiplies by 1 - (lr²/initialLr)·wd: the same factor as decay lr·wd/initialLr.
        Approx p = exact(pf);
        return adam(p, exact(a.maximize() ? -gf : gf), slots, t, a.lr(), a.beta1(), a.beta2(),
                a.eps(), a.correctedWeightDecay() ? a.lr() * a.weightDecay() / a.initialLr() : a.weightDecay(),
                true, a.amsgrad(), false, false);
    }
}
