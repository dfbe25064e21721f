package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;

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
    public static void step(AveragedMomentum config, float[] params, float[] grads, ReferenceState state) {
        float[] average = state.slot(AveragedMomentum.AVERAGE);
        float negLr = (float) -config.lr();
        float momentum = (float) config.momentum();
        float weight = (float) (1 - config.momentum());
        for (int i = 0; i < params.length; i++) {
            average[i] = Math.fma(grads[i], weight, average[i] * momentum);
            params[i] = Math.fma(average[i], negLr, params[i]);
        }
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(AveragedMomentum a, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx avg = rounded(a.momentum()).times(exact(slots[0]))
                .plus(rounded(1 - a.momentum()).times(exact(gf)));
        return new Approx[] {p.minus(rounded(a.lr()).times(avg)), avg};
    }
}
