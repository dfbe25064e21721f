package io.lanestep.reference;

import io.lanestep.HeavyBallMomentum;

/**
 * The seed's standard momentum, {@code v ← μv + ηĝ; Φ ← Φ − v}. Per element:
 * <pre>
 * v = fma(g, f(lr), v * f(momentum))
 * p = p - v
 * </pre>
 */
public final class HeavyBallReference {
    private HeavyBallReference() {
    }

    /** One step. */
    public static void step(HeavyBallMomentum config, float[] params, float[] grads, float[] velocity) {
        float lr = (float) config.lr();
        float momentum = (float) config.momentum();
        for (int i = 0; i < params.length; i++) {
            velocity[i] = Math.fma(grads[i], lr, velocity[i] * momentum);
            params[i] = params[i] - velocity[i];
        }
    }
}
