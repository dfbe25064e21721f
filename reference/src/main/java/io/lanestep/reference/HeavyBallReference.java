package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;

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
    public static void step(HeavyBallMomentum config, float[] params, float[] grads, ReferenceState state) {
        float[] velocity = state.slot(HeavyBallMomentum.VELOCITY);
        float lr = (float) config.lr();
        float momentum = (float) config.momentum();
        for (int i = 0; i < params.length; i++) {
            velocity[i] = Math.fma(grads[i], lr, velocity[i] * momentum);
            params[i] = params[i] - velocity[i];
        }
    }

    /**
     * One element of {@code h}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(HeavyBallMomentum h, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx v = rounded(h.momentum()).times(exact(slots[0])).plus(rounded(h.lr()).times(exact(gf)));
        return new Approx[] {p.minus(v), v};
    }
}
