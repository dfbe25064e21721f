package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;
import static io.lanestep.reference.Lerp.lerp;
import static io.lanestep.reference.Models.moment;

import io.lanestep.Adam;
import io.lanestep.Adamax;

/**
 * PyTorch 1.13.1 {@code Adamax}, float32. At step {@code t} (from 1), per element:
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * u = max(u * f(beta2), |g| + f(eps))
 * p = p + (f(-(lr / (1 - beta1^t))) * m) / u
 * </pre>
 *
 * <p>torch 2.x's {@code _single_tensor_*} and {@code _multi_tensor_*} (foreach) paths, written from
 * torch 2.13's operation order ({@code torch2} below); {@code lerp} is torch's ({@code Lerp}), {@code t} the step
 * from 1:
 * <pre>
 * Adamax:  m = lerp(m, g, f(1 - b1));  u = max(u * f(b2), |g| + f(eps));  p = p + (f(-(lr / (1 - b1^t))) * m) / u
 * </pre>
 */
public final class AdamaxReference {
    private AdamaxReference() {
    }

    /** One step at step number {@code t}. */
    public static void step(Adamax c, float[] params, float[] grads, float[] m, float[] u, long t) {
        float negStep = (float) -(c.lr() / (1 - Math.pow(c.beta1(), t)));
        float b1 = (float) c.beta1();
        float oneMinusB1 = (float) (1 - c.beta1());
        float b2 = (float) c.beta2();
        float eps = (float) c.eps();
        float decay = (float) c.weightDecay();
        for (int i = 0; i < params.length; i++) {
            float g = c.maximize() ? -grads[i] : grads[i];
            if (c.weightDecay() != 0) {
                g = Math.fma(params[i], decay, g);
            }
            m[i] = Math.fma(g, oneMinusB1, m[i] * b1);
            u[i] = Math.max(u[i] * b2, Math.abs(g) + eps);
            params[i] = params[i] + (negStep * m[i]) / u[i];
        }
    }

    /** One step of {@code a} under its numerics: torch 1.13.1's, or torch 2.x's. */
    public static void step(Adamax a, float[] params, float[] grads, ReferenceState state) {
        long t = state.step() + 1;
        if (a.numerics().torch2()) {
            torch2(a, params, grads, state, t);
        } else {
            step(a, params, grads, state.slot(Adam.EXP_AVG), state.slot(Adamax.EXP_INF), t);
        }
    }

    static void torch2(Adamax a, float[] params, float[] grads, ReferenceState state, long t) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] u = state.slot(Adamax.EXP_INF);
        float negStep = (float) -(a.lr() / (1 - Math.pow(a.beta1(), t)));
        for (int i = 0; i < params.length; i++) {
            float g = a.maximize() ? -grads[i] : grads[i];
            if (a.weightDecay() != 0) {
                g = Math.fma(params[i], (float) a.weightDecay(), g);
            }
            m[i] = lerp(m[i], g, (float) (1 - a.beta1()));
            u[i] = Math.max(u[i] * (float) a.beta2(), Math.abs(g) + (float) a.eps());
            params[i] = params[i] + (negStep * m[i]) / u[i];
        }
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(Adamax a, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx g = exact(a.maximize() ? -gf : gf).plus(p.times(rounded(a.weightDecay())));
        Approx m = moment(exact(slots[0]), g, a.beta1(), a.numerics().torch2());
        Approx u = rounded(a.beta2()).times(exact(slots[1])).max(g.abs().plus(rounded(a.eps())));
        Approx step = rounded(a.lr() / (1 - Math.pow(a.beta1(), t)));
        return new Approx[] {p.minus(step.times(m).dividedBy(u)), m, u};
    }
}
