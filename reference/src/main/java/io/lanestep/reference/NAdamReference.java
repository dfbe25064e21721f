package io.lanestep.reference;

import io.lanestep.NAdam;

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
}
