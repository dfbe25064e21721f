package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;
import static io.lanestep.reference.Models.xlaCorrection;

import io.lanestep.AdEMAMix;
import io.lanestep.SimplifiedAdEMAMix;
import io.lanestep.XlaMath;

/**
 * AdEMAMix and simplified AdEMAMix as optax's jitted steps compute them on an XLA CPU (float32
 * scalars, {@code fma} where XLA contracts, bias corrections as reciprocals of
 * {@code 1 - f(f(b)^t)}), with {@code t} the step from 1. Per element, AdEMAMix:
 * <pre>
 * m1 = fma(g, f(1 - b1), m1 * f(b1));  m2 = fma(g, f(1 - b3), m2 * f(b3));  nu = fma(g * g, f(1 - b2), nu * f(b2))
 * u = fma(m1, r1, m2 * f(alpha)) / (sqrt(epsRoot != 0 ? fma(nu, r2, f(epsRoot)) : nu * r2) + f(eps))
 * </pre>
 * simplified AdEMAMix:
 * <pre>
 * m = fma(m, f(b1), g);  n = fma(n - g * g, f(b2), g * g)
 * u = fma(g, f(alpha), m) / (sqrt(epsRoot != 0 ? fma(n, r2, f(epsRoot)) : n * r2) + f(eps))
 * </pre>
 * then {@code u = fma(p, f(weightDecay), u)} when decaying, and {@code p = fma(u, f(-lr), p)}. With
 * warm-ups, {@code f(alpha)}, {@code f(b3)} and {@code f(1 - b3)} are the records' values at
 * {@code t - 1}.
 */
public final class AdEMAMixReference {
    private AdEMAMixReference() {
    }

    /** One AdEMAMix step, the {@code state.step() + 1}-th. */
    public static void step(AdEMAMix c, float[] params, float[] grads, ReferenceState state) {
        float[] m1 = state.slot(AdEMAMix.M1);
        float[] m2 = state.slot(AdEMAMix.M2);
        float[] nu = state.slot(AdEMAMix.NU);
        long t = state.step() + 1;
        float b1 = (float) c.beta1();
        float b2 = (float) c.beta2();
        float b3 = c.beta3At(t - 1);
        float oneMinusB3 = c.oneMinusBeta3At(t - 1);
        float alpha = c.alphaAt(t - 1);
        float r1 = reciprocal(b1, t);
        float r2 = reciprocal(b2, t);
        for (int i = 0; i < params.length; i++) {
            float g = grads[i];
            m1[i] = Math.fma(g, (float) (1 - c.beta1()), m1[i] * b1);
            m2[i] = Math.fma(g, oneMinusB3, m2[i] * b3);
            nu[i] = Math.fma(g * g, (float) (1 - c.beta2()), nu[i] * b2);
            float u = Math.fma(m1[i], r1, m2[i] * alpha) / (root(nu[i], r2, c.epsRoot()) + (float) c.eps());
            params[i] = apply(params[i], u, c.weightDecay(), c.lr());
        }
    }

    /** One simplified AdEMAMix step, the {@code state.step() + 1}-th. */
    public static void step(SimplifiedAdEMAMix c, float[] params, float[] grads, ReferenceState state) {
        float[] m = state.slot(SimplifiedAdEMAMix.M);
        float[] n = state.slot(SimplifiedAdEMAMix.N);
        float r2 = reciprocal((float) c.beta2(), state.step() + 1);
        float alpha = c.alphaAt(state.step());
        for (int i = 0; i < params.length; i++) {
            float g = grads[i];
            m[i] = Math.fma(m[i], (float) c.beta1(), g);
            float gg = g * g;
            n[i] = Math.fma(n[i] - gg, (float) c.beta2(), gg);
            float u = Math.fma(g, alpha, m[i]) / (root(n[i], r2, c.epsRoot()) + (float) c.eps());
            params[i] = apply(params[i], u, c.weightDecay(), c.lr());
        }
    }

    /** {@code 1 / (1 - b^t)} in float32, the power XLA's. */
    private static float reciprocal(float b, long t) {
        return 1f / (1f - XlaMath.pow(b, (float) t));
    }

    private static float root(float v, float r2, double epsRoot) {
        return (float) Math.sqrt(epsRoot != 0 ? Math.fma(v, r2, (float) epsRoot) : v * r2);
    }

    private static float apply(float p, float u, double weightDecay, double lr) {
        if (weightDecay != 0) {
            u = Math.fma(p, (float) weightDecay, u);
        }
        return Math.fma(u, (float) -lr, p);
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(AdEMAMix a, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx g = exact(gf);
        Approx m1 = rounded(a.beta1()).times(exact(slots[0])).plus(rounded(1 - a.beta1()).times(g));
        Approx m2 = exact(a.beta3At(t - 1)).times(exact(slots[1]))
                .plus(exact(a.oneMinusBeta3At(t - 1)).times(g));
        Approx nu = rounded(a.beta2()).times(exact(slots[2])).plus(rounded(1 - a.beta2()).times(g).times(g));
        Approx u = m1.times(xlaCorrection(a.beta1(), t)).plus(exact(a.alphaAt(t - 1)).times(m2))
                .dividedBy(nu.times(xlaCorrection(a.beta2(), t)).plus(rounded(a.epsRoot())).sqrt()
                        .plus(rounded(a.eps())));
        return new Approx[] {p.minus(rounded(a.lr()).times(u.plus(rounded(a.weightDecay()).times(p)))), m1, m2,
                nu};
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(SimplifiedAdEMAMix a, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx g = exact(gf);
        // A momentum that sums (beta1·m + g), not an average.
        Approx m = rounded(a.beta1()).times(exact(slots[0])).plus(g);
        // optax's lerp from g² toward n by f(beta2): the weight on g² is 1 - f(beta2), not f(1 - beta2).
        Approx gg = g.times(g);
        Approx n = gg.plus(rounded(a.beta2()).times(exact(slots[1]).minus(gg)));
        Approx u = m.plus(exact(a.alphaAt(t - 1)).times(g))
                .dividedBy(n.times(xlaCorrection(a.beta2(), t)).plus(rounded(a.epsRoot())).sqrt()
                        .plus(rounded(a.eps())));
        return new Approx[] {p.minus(rounded(a.lr()).times(u.plus(rounded(a.weightDecay()).times(p)))), m, n};
    }
}
