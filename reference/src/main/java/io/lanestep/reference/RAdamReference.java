package io.lanestep.reference;

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
}
