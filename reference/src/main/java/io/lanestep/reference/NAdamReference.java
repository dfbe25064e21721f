package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;
import static io.lanestep.reference.Lerp.lerp;
import static io.lanestep.reference.Models.moment;

import io.lanestep.Adam;
import io.lanestep.NAdam;
import io.lanestep.Numerics;

/**
 * PyTorch {@code NAdam} with 2.x's momentum schedule (see {@link NAdam}), float32. At step
 * {@code t}: {@code mu = μ_t}, {@code muNext = μ_{t+1}} in double; {@code product = product * f(mu)}
 * and {@code next = product * f(muNext)} in float32. Per element:
 * <pre>
 * g = maximize ? -g : g                                   (torch 2.x option)
 * decoupled, weightDecay != 0: p = p * f(1 - lr·weightDecay) (torch 2.x option)
 * else if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * v = fma(f(1 - beta2) * g, g, v * f(beta2))
 * denom = sqrt(v / f(1 - beta2^t)) + f(eps)
 * p = p + (f(-lr·(1 - mu) / (1 - product)) * g) / denom
 * p = p + (f(-lr·muNext / (1 - next)) * m) / denom
 * </pre>
 *
 * <p>torch 2.x's {@code _single_tensor_*} and {@code _multi_tensor_*} (foreach) paths, written from
 * torch 2.13's operation order ({@code torch2} below); {@code lerp} is torch's ({@code Lerp}), {@code t} the step
 * from 1:
 * <pre>
 * NAdam:   g = maximize ? -g : g;  wd: decoupled ? p = p * f(1 - lr·wd) : g = fma(p, f(wd), g)
 *          mu_product = mu_product * f(mu_t);  m = lerp(m, g, f(1 - b1));  v = fma(f(1 - b2) * g, g, v * f(b2))
 *          single: denom = sqrt(v / f(1 - b2^t)) + f(eps);  foreach: denom = sqrt(v) / f(sqrt(1 - b2^t)) + f(eps)
 *          p = p + (f(-lr·(1 - mu_t) / (1 - mp)) * g) / denom;  p = p + (f((-lr·mu_{t+1}) / (1 - mp·mu_{t+1})) * m) / denom
 * </pre>
 */
public final class NAdamReference {
    private NAdamReference() {
    }

    /** One step at step number {@code t}; returns the new {@code mu_product}. */
    public static float step(NAdam c, float[] params, float[] grads, float[] m, float[] v, float muProduct, long t) {
        double mu = c.beta1() * (1 - 0.5 * Math.pow(0.96, t * c.momentumDecay()));
        double muNext = c.beta1() * (1 - 0.5 * Math.pow(0.96, (t + 1) * c.momentumDecay()));
        float product = muProduct * (float) mu;
        float next = product * (float) muNext;
        float gradCoef = (float) (-c.lr() * (1 - mu) / (1 - (double) product));
        float avgCoef = (float) (-c.lr() * muNext / (1 - (double) next));
        float bc2 = (float) (1 - Math.pow(c.beta2(), t));
        float b1 = (float) c.beta1();
        float oneMinusB1 = (float) (1 - c.beta1());
        float b2 = (float) c.beta2();
        float oneMinusB2 = (float) (1 - c.beta2());
        float eps = (float) c.eps();
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
            float denom = (float) Math.sqrt(v[i] / bc2) + eps;
            float p = params[i] + (gradCoef * g) / denom;
            params[i] = p + (avgCoef * m[i]) / denom;
        }
        return product;
    }

    /** One step of {@code a} under its numerics: torch 1.13.1's, or torch 2.x's. */
    public static void step(NAdam a, float[] params, float[] grads, ReferenceState state) {
        long t = state.step() + 1;
        if (a.numerics().torch2()) {
            torch2(a, params, grads, state, t);
        } else {
            state.setScalar(NAdam.MU_PRODUCT, step(a, params, grads, state.slot(Adam.EXP_AVG),
                    state.slot(Adam.EXP_AVG_SQ), state.scalar(NAdam.MU_PRODUCT), t));
        }
    }

    static void torch2(NAdam a, float[] params, float[] grads, ReferenceState state, long t) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        double mu = a.beta1() * (1 - 0.5 * Math.pow(0.96, t * a.momentumDecay()));
        double muNext = a.beta1() * (1 - 0.5 * Math.pow(0.96, (t + 1) * a.momentumDecay()));
        float product = state.scalar(NAdam.MU_PRODUCT) * (float) mu;
        state.setScalar(NAdam.MU_PRODUCT, product);
        double mp = product;
        float gradCoef = (float) (-a.lr() * (1 - mu) / (1 - mp));
        float avgCoef = (float) ((-a.lr() * muNext) / (1 - mp * muNext));
        double bc2 = 1 - Math.pow(a.beta2(), t);
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
            float denom = (foreach ? (float) Math.sqrt(v[i]) / (float) Math.sqrt(bc2)
                    : (float) Math.sqrt(v[i] / (float) bc2)) + (float) a.eps();
            p = p + (gradCoef * g) / denom;
            params[i] = p + (avgCoef * m[i]) / denom;
        }
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(NAdam a, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx one = exact(1);
        if (a.decoupledWeightDecay()) {
            p = p.times(rounded(1 - a.lr() * a.weightDecay()));
        }
        Approx g = exact(a.maximize() ? -gf : gf)
                .plus(p.times(rounded(a.decoupledWeightDecay() ? 0 : a.weightDecay())));
        double mu = a.beta1() * (1 - 0.5 * Math.pow(0.96, t * a.momentumDecay()));
        double muNext = a.beta1() * (1 - 0.5 * Math.pow(0.96, (t + 1) * a.momentumDecay()));
        Approx product = exact(scalars[0]).times(rounded(mu));
        Approx next = product.times(rounded(muNext));
        Approx m = moment(exact(slots[0]), g, a.beta1(), a.numerics().torch2());
        Approx v = rounded(a.beta2()).times(exact(slots[1])).plus(rounded(1 - a.beta2()).times(g).times(g));
        Approx denom = v.dividedBy(rounded(1 - Math.pow(a.beta2(), t))).sqrt().plus(rounded(a.eps()));
        Approx gradCoef = exact(a.lr() * (1 - mu)).dividedBy(one.minus(product));
        Approx avgCoef = exact(a.lr() * muNext).dividedBy(one.minus(next));
        return new Approx[] {p.minus(gradCoef.times(g).dividedBy(denom)).minus(avgCoef.times(m).dividedBy(denom)),
                m, v};
    }
}
