package io.lanestep.reference;

import io.lanestep.Lars;

/**
 * LARS (You et al. 2017, Algorithm 1), float32; norms by {@link SquareSum#byChunks}, the trust ratio in double ({@link Lars#trustRatio}). Per element:
 * <pre>
 * d = fma(p, f(weightDecay), g)         (with weight decay; else d = g)
 * v = fma(d, f(lr·trust), v * f(momentum))
 * p = p - v
 * </pre>
 */
public final class LarsReference {
    private LarsReference() {
    }

    /** One step. */
    public static void step(Lars c, float[] params, float[] grads, float[] velocity) {
        double paramNorm = Math.sqrt(SquareSum.byChunks(params, 1f));
        double gradNorm = Math.sqrt(SquareSum.byChunks(grads, 1f));
        float rate = (float) (c.lr() * c.trustRatio(paramNorm, gradNorm));
        float decay = (float) c.weightDecay();
        float momentum = (float) c.momentum();
        for (int i = 0; i < params.length; i++) {
            float d = decay != 0 ? Math.fma(params[i], decay, grads[i]) : grads[i];
            velocity[i] = Math.fma(d, rate, velocity[i] * momentum);
            params[i] = params[i] - velocity[i];
        }
    }
}
