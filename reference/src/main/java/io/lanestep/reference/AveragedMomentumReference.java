package io.lanestep.reference;

import io.lanestep.AveragedMomentum;

/**
 * The seed's non-standard momentum, {@code g̃ ← μg̃ + (1−μ)ĝ; Φ ← Φ − η'g̃}. Per element:
 * <pre>
 * a = fma(g, f(1 - momentum), a * f(momentum))
 * p = fma(a, f(-lr), p)
 * </pre>
 */
public final class AveragedMomentumReference {
    private AveragedMomentumReference() {
    }

    /** One step. */
    public static void step(AveragedMomentum config, float[] params, float[] grads, float[] average) {
        float negLr = (float) -config.lr();
        float momentum = (float) config.momentum();
        float weight = (float) (1 - config.momentum());
        for (int i = 0; i < params.length; i++) {
            average[i] = Math.fma(grads[i], weight, average[i] * momentum);
            params[i] = Math.fma(average[i], negLr, params[i]);
        }
    }
}
