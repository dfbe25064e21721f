package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;

import io.lanestep.Asgd;
import io.lanestep.Numerics;

/**
 * PyTorch {@code ASGD}, float32, from torch 2.13's operation order: the single-tensor path (torch
 * 1.13.1's too) and the foreach path. {@code f(x)} rounds a double once. Per element:
 * <pre>
 * ASGD:    g = maximize ? -g : g;  wd: g = fma(p, f(wd), g);  eta, mu: the scalar state of the previous step
 *          single (and 1.13): p = fma(g, -eta, p * f(1 - lambd·eta));  ax = mu != 1 ? ax + (p - ax) * mu : p
 *                  eta = f(lr / (1 + lambd·lr·t)^alpha)
 *          foreach: p = fma(-fma(p, f(lambd), g), eta, p);  ax = fma(p - ax, mu, ax)
 *                  eta = (1 / f(x^alpha)) * f(lr), x = f(t) * f(lambd·lr) + 1 (float32; sqrt for alpha 0.5)
 *          mu = f(1 / max(1, t - t0))
 * </pre>
 */
public final class AsgdReference {
    private AsgdReference() {
    }

    /** One step of {@code a}; its scalar state (eta, mu) advances here, its step count in {@link Reference}. */
    public static void step(Asgd a, float[] params, float[] grads, ReferenceState state) {
        long t = state.step() + 1;
        float[] ax = state.slot(Asgd.AX);
        float eta = state.scalar(Asgd.ETA);
        float mu = state.scalar(Asgd.MU);
        boolean foreach = a.numerics() == Numerics.TORCH_2_FOREACH;
        float decay = (float) (1 - a.lambd() * (double) eta);
        for (int i = 0; i < params.length; i++) {
            float g = a.maximize() ? -grads[i] : grads[i];
            float p = params[i];
            if (a.weightDecay() != 0) {
                g = Math.fma(p, (float) a.weightDecay(), g);
            }
            if (foreach) {
                float q = Math.fma(p, (float) a.lambd(), g);
                p = Math.fma(-q, eta, p);
                ax[i] = Math.fma(p - ax[i], mu, ax[i]);
            } else {
                p = p * decay;
                p = Math.fma(g, -eta, p);
                ax[i] = mu != 1f ? ax[i] + (p - ax[i]) * mu : p;
            }
            params[i] = p;
        }
        float nextEta;
        if (foreach) {
            float x = (float) t * (float) (a.lambd() * a.lr()) + 1f;
            float power = a.alpha() == 0.5 ? (float) Math.sqrt(x) : (float) Math.pow(x, a.alpha());
            nextEta = (1f / power) * (float) a.lr();
        } else {
            nextEta = (float) (a.lr() / Math.pow(1 + a.lambd() * a.lr() * t, a.alpha()));
        }
        state.setScalar(Asgd.ETA, nextEta);
        state.setScalar(Asgd.MU, (float) (1 / Math.max(1, t - a.t0())));
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(Asgd a, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx g = exact(a.maximize() ? -gf : gf).plus(p.times(rounded(a.weightDecay())));
        Approx eta = exact(scalars[0]);
        Approx moved = p.minus(rounded(a.lambd()).times(eta).times(p)).minus(eta.times(g));
        Approx ax = scalars[1] == 1f && a.numerics() != io.lanestep.Numerics.TORCH_2_FOREACH ? moved
                : exact(slots[0]).plus(moved.minus(exact(slots[0])).times(exact(scalars[1])));
        return new Approx[] {moved, ax};
    }
}
