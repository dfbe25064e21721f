package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;

import io.lanestep.Adagrad;

/**
 * PyTorch 1.13.1 {@code Adagrad}, float32. At step {@code t} (from 1), with
 * {@code clr = lr / (1 + (t - 1)·lrDecay)} in double, per element:
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * sum = fma(g, g, sum)
 * p = p + (f(-clr) * g) / (sqrt(sum) + f(eps))
 * </pre>
 */
public final class AdagradReference {
    private AdagradReference() {
    }

    /** One step; the step number is {@code state.step() + 1}. */
    public static void step(Adagrad c, float[] params, float[] grads, ReferenceState state) {
        step(c, params, grads, state.slot(Adagrad.SUM), state.step() + 1);
    }

    /** One step at step number {@code t}. */
    public static void step(Adagrad c, float[] params, float[] grads, float[] sum, long t) {
        float negClr = (float) -(c.lr() / (1 + (t - 1) * c.lrDecay()));
        float eps = (float) c.eps();
        float decay = (float) c.weightDecay();
        for (int i = 0; i < params.length; i++) {
            float g = c.maximize() ? -grads[i] : grads[i];
            if (c.weightDecay() != 0) {
                g = Math.fma(params[i], decay, g);
            }
            sum[i] = Math.fma(g, g, sum[i]);
            params[i] = params[i] + (negClr * g) / ((float) Math.sqrt(sum[i]) + eps);
        }
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(Adagrad a, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx g = exact(a.maximize() ? -gf : gf).plus(p.times(rounded(a.weightDecay())));
        Approx sum = exact(slots[0]).plus(g.times(g));
        Approx clr = rounded(a.lr() / (1 + (t - 1) * a.lrDecay()));
        return new Approx[] {p.minus(clr.times(g).dividedBy(sum.sqrt().plus(rounded(a.eps())))), sum};
    }
}
