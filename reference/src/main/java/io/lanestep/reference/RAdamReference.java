package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;
import static io.lanestep.reference.Lerp.lerp;
import static io.lanestep.reference.Models.moment;

import io.lanestep.Adam;
import io.lanestep.Numerics;
import io.lanestep.RAdam;

/**
 * PyTorch 1.13.1 {@code RAdam}, float32. At step {@code t}: {@code bc1 = 1 - beta1^t},
 * {@code bc2 = 1 - beta2^t}, {@code ρ∞ = 2/(1 - beta2) - 1}, {@code ρ_t = ρ∞ - 2t·beta2^t/bc2}, all
 * double. Per element:
 * <pre>
 * g = maximize ? -g : g                                   (torch 2.x option)
 * decoupled, weightDecay != 0: p = p * f(1 - lr·weightDecay) (torch 2.x option)
 * else if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * v = fma(f(1 - beta2) * g, g, v * f(beta2))
 * mh = m / f(bc1)
 * if ρ_t > 5:
 *     rect = sqrt((ρ_t - 4)(ρ_t - 2)ρ∞ / ((ρ∞ - 4)(ρ∞ - 2)ρ_t))
 *     p = p - ((mh * f(lr)) * ((1 / (sqrt(v) + f(eps))) * f(sqrt(bc2)))) * f(rect)
 * else:
 *     p = p - mh * f(lr)
 * </pre>
 *
 * <p>torch 2.x's {@code _single_tensor_*} and {@code _multi_tensor_*} (foreach) paths, written from
 * torch 2.13's operation order ({@code torch2} below); {@code lerp} is torch's ({@code Lerp}), {@code t} the step
 * from 1:
 * <pre>
 * RAdam:   g, decay as NAdam;  m = lerp(...);  v = fma(...);  rect as torch, when rho_t > 5
 *          single: mh = m / f(bc1);  rectified: p = p - ((mh * f(lr)) * ((1 / (sqrt(v) + f(eps))) * f(sqrt(bc2)))) * f(rect)
 *                  otherwise p = p - mh * f(lr)
 *          foreach: b = 1 / ((sqrt(v) + f(eps)) / f(-(sqrt(bc2)·(lr·R/bc1)))) + f(-(lr·U/bc1));  p = fma(m, b, p)
 *                  with R = rect or 0, U = R > 0 ? 0 : 1
 * </pre>
 */
public final class RAdamReference {
    private RAdamReference() {
    }

    /** One step at step number {@code t}. */
    public static void step(RAdam c, float[] params, float[] grads, float[] m, float[] v, long t) {
        double bc2 = 1 - Math.pow(c.beta2(), t);
        double rhoInf = 2 / (1 - c.beta2()) - 1;
        double rhoT = rhoInf - 2 * t * Math.pow(c.beta2(), t) / bc2;
        boolean rectified = rhoT > 5;
        float rect = rectified
                ? (float) Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0f;
        float bc1 = (float) (1 - Math.pow(c.beta1(), t));
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float lr = (float) c.lr();
        float eps = (float) c.eps();
        float b1 = (float) c.beta1();
        float oneMinusB1 = (float) (1 - c.beta1());
        float b2 = (float) c.beta2();
        float oneMinusB2 = (float) (1 - c.beta2());
        float decay = (float) c.weightDecay();
        for (int i = 0; i < params.length; i++) {
            float g = c.maximize() ? -grads[i] : grads[i];
            if (c.weightDecay() != 0 && c.decoupledWeightDecay()) {
                params[i] = params[i] * (float) (1 - c.lr() * c.weightDecay());
            } else if (c.weightDecay() != 0) {
                g = Math.fma(params[i], decay, g);
            }
            m[i] = Math.fma(g, oneMinusB1, m[i] * b1);
            v[i] = Math.fma(oneMinusB2 * g, g, v[i] * b2);
            float mh = m[i] / bc1;
            if (rectified) {
                params[i] = params[i] - ((mh * lr) * ((1f / ((float) Math.sqrt(v[i]) + eps)) * bc2Sqrt)) * rect;
            } else {
                params[i] = params[i] - mh * lr;
            }
        }
    }

    /** One step of {@code a} under its numerics: torch 1.13.1's, or torch 2.x's. */
    public static void step(RAdam a, float[] params, float[] grads, ReferenceState state) {
        long t = state.step() + 1;
        if (a.numerics().torch2()) {
            torch2(a, params, grads, state, t);
        } else {
            step(a, params, grads, state.slot(Adam.EXP_AVG), state.slot(Adam.EXP_AVG_SQ), t);
        }
    }

    static void torch2(RAdam a, float[] params, float[] grads, ReferenceState state, long t) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        double bc1 = 1 - Math.pow(a.beta1(), t);
        double bc2 = 1 - Math.pow(a.beta2(), t);
        double rhoInf = 2 / (1 - a.beta2()) - 1;
        double rhoT = rhoInf - 2 * t * Math.pow(a.beta2(), t) / bc2;
        boolean rectified = rhoT > 5;
        double rect = rectified
                ? Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
        double unrect = (a.lr() * (rect > 0 ? 0 : 1.0) / bc1) * -1;
        float scale = (float) (Math.sqrt(bc2) * (a.lr() * rect / bc1) * -1);
        boolean foreach = a.numerics() == Numerics.TORCH_2_FOREACH;
        for (int i = 0; i < params.length; i++) {
            float g = a.maximize() ? -grads[i] : grads[i];
            float p = params[i];
            if (a.weightDecay() != 0) {
                if (a.decoupledWeightDecay()) {
                    p = p * (float) (1 - a.lr() * a.weightDecay());
                } else {
                    g = Math.fma(p, (float) a.weightDecay(), g);
                }
            }
            m[i] = lerp(m[i], g, (float) (1 - a.beta1()));
            v[i] = Math.fma((float) (1 - a.beta2()) * g, g, v[i] * (float) a.beta2());
            if (foreach) {
                float b = 1f / (((float) Math.sqrt(v[i]) + (float) a.eps()) / scale) + (float) unrect;
                params[i] = Math.fma(m[i], b, p);
            } else {
                float mh = m[i] / (float) bc1;
                if (rectified) {
                    float adaptive = (1f / ((float) Math.sqrt(v[i]) + (float) a.eps())) * (float) Math.sqrt(bc2);
                    params[i] = p - ((mh * (float) a.lr()) * adaptive) * (float) rect;
                } else {
                    params[i] = p - mh * (float) a.lr();
                }
            }
        }
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(RAdam a, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        if (a.decoupledWeightDecay()) {
            p = p.times(rounded(1 - a.lr() * a.weightDecay()));
        }
        Approx g = exact(a.maximize() ? -gf : gf)
                .plus(p.times(rounded(a.decoupledWeightDecay() ? 0 : a.weightDecay())));
        Approx m = moment(exact(slots[0]), g, a.beta1(), a.numerics().torch2());
        Approx v = rounded(a.beta2()).times(exact(slots[1])).plus(rounded(1 - a.beta2()).times(g).times(g));
        Approx mh = m.dividedBy(rounded(1 - Math.pow(a.beta1(), t)));
        double bc2 = 1 - Math.pow(a.beta2(), t);
        double rhoInf = 2 / (1 - a.beta2()) - 1;
        double rhoT = rhoInf - 2 * t * Math.pow(a.beta2(), t) / bc2;
        Approx step = rounded(a.lr()).times(mh);
        if (rhoT > 5) {
            double rect = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
            step = step.times(rounded(Math.sqrt(bc2))).dividedBy(v.sqrt().plus(rounded(a.eps())))
                    .times(rounded(rect));
        }
        return new Approx[] {p.minus(step), m, v};
    }
}
