package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;

import io.lanestep.Adam;
import io.lanestep.Adopt;
import io.lanestep.XlaMath;

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
 * and as optax 0.2.8's jitted {@code contrib.adopt} computes it on an XLA CPU, with {@code b1 = f(beta1)},
 * {@code b2 = f(beta2)} after the first step and 1, 0 on it:
 * <pre>
 * n = g / max(sqrt(v), f(eps));  clipping: c = powf(t - 1, f(clipExponent));  n = min(max(n, -c), c)
 * m = fma(m, b1, (1 - b1)·n);  u = nesterov ? fma(m, b1, (1 - b1)·n) : m
 *     (Nesterov without clipping: fma(n, 1 - b1, b1·m) in both, the product XLA fuses there)
 * p = fma(u, f(-lr), p);  v = fma(g·g, 1 - b2, v·b2)
 * </pre>
 */
public final class AdoptReference {
    private AdoptReference() {
    }

    /** One step, the {@code state.step() + 1}-th. */
    public static void step(Adopt c, float[] params, float[] grads, ReferenceState state) {
        if (c.optax()) {
            optax(c, params, grads, state);
            return;
        }
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

    private static void optax(Adopt c, float[] params, float[] grads, ReferenceState state) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        long count = state.step();
        float b1 = count > 0 ? (float) c.beta1() : 1f;
        float b2 = count > 0 ? (float) c.beta2() : 0f;
        float eps = (float) c.eps();
        float clip = Double.isNaN(c.clipExponent()) ? Float.POSITIVE_INFINITY
                : XlaMath.pow(count, (float) c.clipExponent());
        float negLr = (float) -c.lr();
        boolean fuseGradient = c.nesterov() && Double.isNaN(c.clipExponent());
        for (int i = 0; i < params.length; i++) {
            float g = grads[i];
            float n = Math.min(Math.max(g / Math.max((float) Math.sqrt(v[i]), eps), -clip), clip);
            m[i] = moment(m[i], n, b1, fuseGradient);
            float u = c.nesterov() ? moment(m[i], n, b1, fuseGradient) : m[i];
            params[i] = Math.fma(u, negLr, params[i]);
            v[i] = Math.fma(g * g, 1f - b2, v[i] * b2);
        }
    }

    private static float moment(float m, float n, float b1, boolean fuseGradient) {
        return fuseGradient ? Math.fma(n, 1f - b1, m * b1) : Math.fma(m, b1, (1f - b1) * n);
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(Adopt a, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx g = exact(a.maximize() ? -gf : gf);
        boolean decay = a.weightDecay() != 0;
        if (decay && !a.decoupled()) {
            g = g.plus(p.times(rounded(a.weightDecay())));
        }
        Approx v0 = exact(slots[1]);
        if (t == 1 && !a.optax()) {
            return new Approx[] {p, exact(slots[0]), v0.plus(g.times(g))};
        }
        // optax's first step runs the whole update with beta1 1 and beta2 0: its moment keeps
        // 0 times the normed gradient, which is NaN where eps is 0 and so is the moment.
        double beta1 = t == 1 ? 1 : a.beta1();
        double beta2 = t == 1 ? 0 : a.beta2();
        if (decay && a.decoupled()) {
            double s = a.correctedWeightDecay() ? a.lr() * a.lr() / a.initialLr() : a.lr();
            p = p.minus(rounded(s * a.weightDecay()).times(p));
        }
        // The gradient over the root of the previous steps' second moment, then clipped.
        Approx normed = g.dividedBy(v0.sqrt().max(rounded(a.eps())));
        if (!Double.isNaN(a.clipExponent())) {
            Approx c = rounded(Math.pow(t - 1, a.clipExponent()));
            normed = normed.max(c.negate()).min(c);
        }
        if (a.optax()) {
            // optax picks its decays per step in float32, so each weight is 1 - f(beta), not f(1 - beta).
            beta1 = (float) beta1;
            beta2 = (float) beta2;
        }
        Approx m = Models.moment(exact(slots[0]), normed, beta1, !a.optax());
        Approx u = a.nesterov() ? Models.moment(m, normed, beta1, false) : m;
        Approx v = rounded(beta2).times(v0).plus(rounded(1 - beta2).times(g).times(g));
        return new Approx[] {p.minus(rounded(a.lr()).times(u)), m, v};
    }
}
