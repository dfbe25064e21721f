package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;
import static io.lanestep.reference.Models.moment;

import io.lanestep.Adam;
import io.lanestep.Lion;
import io.lanestep.Numerics;

/**
 * Lion (Chen et al. 2023, Algorithm 2, with decoupled weight decay) as timm 1.0's {@code Lion}
 * computes it on float32, {@code sign} = 1, -1 or 0 (also for NaN). Per element:
 * <pre>
 * g = maximize ? -g : g
 * p = p * f(1 - s·weightDecay)                 s = correctedWeightDecay ? lr²/initialLr : lr
 * u = sign(fma(g, f(1 - beta1), m * f(beta1)))
 * caution:  u = u * (u * g > 0 ? f(1 / max(f(k) / f(n), f(1e-3))) : 0), k the count of u * g > 0
 * p = fma(u, f(-lr), p)
 * m = fma(g, f(1 - beta2), m * f(beta2))       (TORCH_2_SINGLE, timm's single path: lerp(m, g, f(1 - beta2)))
 * </pre>
 */
public final class LionReference {
    private LionReference() {
    }

    /** One step. */
    public static void step(Lion c, float[] params, float[] grads, ReferenceState state) {
        float[] m = state.slot(Adam.EXP_AVG);
        double s = c.correctedWeightDecay() ? Math.pow(c.lr(), 2) / c.initialLr() : c.lr();
        float decayFactor = (float) (1 - s * c.weightDecay());
        float negLr = (float) -c.lr();
        float b1 = (float) c.beta1();
        float oneMinusB1 = (float) (1 - c.beta1());
        float b2 = (float) c.beta2();
        float oneMinusB2 = (float) (1 - c.beta2());
        float[] g = new float[params.length];
        float[] u = new float[params.length];
        for (int i = 0; i < params.length; i++) {
            g[i] = c.maximize() ? -grads[i] : grads[i];
            float interpolated = Math.fma(g[i], oneMinusB1, m[i] * b1);
            u[i] = interpolated > 0 ? 1f : interpolated < 0 ? -1f : 0f;
        }
        float scale = c.caution() ? Caution.scale(u, g) : 1f;
        for (int i = 0; i < params.length; i++) {
            float p = params[i] * decayFactor;
            float step = c.caution() ? Caution.masked(u[i], g[i], scale) : u[i];
            params[i] = Math.fma(step, negLr, p);
            m[i] = c.numerics() == Numerics.TORCH_2_SINGLE ? Lerp.lerp(m[i], g[i], oneMinusB2)
                    : Math.fma(g[i], oneMinusB2, m[i] * b2);
        }
    }

    /**
     * One element of {@code l}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(Lion l, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx g = exact(l.maximize() ? -gf : gf);
        double s = l.correctedWeightDecay() ? l.lr() * l.lr() / l.initialLr() : l.lr();
        Approx decayed = p.times(rounded(1 - s * l.weightDecay()));
        Approx c = rounded(l.beta1()).times(exact(slots[0])).plus(rounded(1 - l.beta1()).times(g));
        // The sign is discontinuous at 0: within rounding of 0 the float sign may go either way.
        Approx sign = Math.abs(c.value()) > c.error() ? exact(Math.signum(c.value()))
                : new Approx(0, Double.POSITIVE_INFINITY);
        Approx m = moment(exact(slots[0]), g, l.beta2(), l.numerics() == io.lanestep.Numerics.TORCH_2_SINGLE);
        return new Approx[] {decayed.minus(rounded(l.lr()).times(sign)), m};
    }
}
