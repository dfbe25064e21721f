package io.lanestep.reference;

import io.lanestep.Lamb;

/**
 * LAMB (You et al. 2019, Algorithm 2, bias-corrected, φ the identity), float32. Per element, then
 * per block:
 * <pre>
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * v = fma(f(1 - beta2) * g, g, v * f(beta2))
 * u = m * f(1 / (1 - beta1^t)) / fma(sqrt(v), f(1 / sqrt(1 - beta2^t)), f(eps))
 * u = fma(p, f(weightDecay), u)                        (with weight decay)
 * ratio = ‖p‖ &gt; 0 and ‖u‖ &gt; 0 ? ‖p‖ / ‖u‖ : 1         ({@link Lamb#trustRatio}, double)
 * p = fma(u, f(-lr·ratio), p)
 * </pre>
 * A norm is the square root of {@link SquareSum#byChunks}.
 */
public final class LambReference {
    private LambReference() {
    }

    /** One step; {@code t} counts from 1. */
    public static void step(Lamb c, float[] params, float[] grads, float[] m, float[] v, float[] u, long t) {
        float b1 = (float) c.beta1();
        float oneMinusB1 = (float) (1 - c.beta1());
        float b2 = (float) c.beta2();
        float oneMinusB2 = (float) (1 - c.beta2());
        float invBc1 = (float) (1 / (1 - Math.pow(c.beta1(), t)));
        float invBc2Sqrt = (float) (1 / Math.sqrt(1 - Math.pow(c.beta2(), t)));
        float eps = (float) c.eps();
        float decay = (float) c.weightDecay();
        for (int i = 0; i < params.length; i++) {
            m[i] = Math.fma(grads[i], oneMinusB1, m[i] * b1);
            v[i] = Math.fma(oneMinusB2 * grads[i], grads[i], v[i] * b2);
            u[i] = m[i] * invBc1 / Math.fma((float) Math.sqrt(v[i]), invBc2Sqrt, eps);
            if (decay != 0) {
                u[i] = Math.fma(params[i], decay, u[i]);
            }
        }
        double paramNorm = Math.sqrt(SquareSum.byChunks(params, 1f));
        double updateNorm = Math.sqrt(SquareSum.byChunks(u, 1f));
        float negRate = (float) (-c.lr() * Lamb.trustRatio(paramNorm, updateNorm));
        for (int i = 0; i < params.length; i++) {
            params[i] = Math.fma(u[i], negRate, params[i]);
        }
    }
}
