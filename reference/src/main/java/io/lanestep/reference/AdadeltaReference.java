package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;

import io.lanestep.Adadelta;

/**
 * PyTorch {@code Adadelta}, float32, from torch 2.13's operation order: one sequence for every
 * profile, torch 1.13.1's included. {@code f(x)} rounds a double once. Per element:
 * <pre>
 * Adadelta: g = maximize ? -g : g;  wd: g = fma(p, f(wd), g);  v = fma(f(1 - rho) * g, g, v * f(rho))
 *          delta = (sqrt(acc + f(eps)) / sqrt(v + f(eps))) * g;  acc = fma(f(1 - rho) * delta, delta, acc * f(rho))
 *          p = fma(delta, f(-lr), p)                                  (every profile; torch 1.13 too)
 * </pre>
 */
public final class AdadeltaReference {
    private AdadeltaReference() {
    }

    /** One step of {@code a}, whose state this updates (its step counter is the caller's). */
    public static void step(Adadelta a, float[] params, float[] grads, ReferenceState state) {
        float[] v = state.slot(Adadelta.SQUARE_AVG);
        float[] acc = state.slot(Adadelta.ACC_DELTA);
        float rho = (float) a.rho();
        float w = (float) (1 - a.rho());
        float eps = (float) a.eps();
        for (int i = 0; i < params.length; i++) {
            float g = a.maximize() ? -grads[i] : grads[i];
            if (a.weightDecay() != 0) {
                g = Math.fma(params[i], (float) a.weightDecay(), g);
            }
            v[i] = Math.fma(w * g, g, v[i] * rho);
            float delta = ((float) Math.sqrt(acc[i] + eps) / (float) Math.sqrt(v[i] + eps)) * g;
            acc[i] = Math.fma(w * delta, delta, acc[i] * rho);
            params[i] = Math.fma(delta, (float) -a.lr(), params[i]);
        }
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(Adadelta a, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx g = exact(a.maximize() ? -gf : gf).plus(p.times(rounded(a.weightDecay())));
        Approx v = rounded(a.rho()).times(exact(slots[0])).plus(rounded(1 - a.rho()).times(g).times(g));
        Approx acc = exact(slots[1]);
        Approx delta = acc.plus(rounded(a.eps())).sqrt().dividedBy(v.plus(rounded(a.eps())).sqrt()).times(g);
        Approx newAcc = rounded(a.rho()).times(acc).plus(rounded(1 - a.rho()).times(delta).times(delta));
        return new Approx[] {p.minus(rounded(a.lr()).times(delta)), v, newAcc};
    }
}
