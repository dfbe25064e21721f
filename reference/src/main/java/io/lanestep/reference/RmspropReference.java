package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;
import static io.lanestep.reference.Lerp.lerp;
import static io.lanestep.reference.Models.moment;

import io.lanestep.Rmsprop;

/**
 * PyTorch 1.13.1 {@code RMSprop}, {@code _single_tensor_rmsprop}, float32. Per element:
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * v = fma(f(1 - alpha) * g, g, v * f(alpha))
 * if centered:  a = fma(g, f(1 - alpha), a * f(alpha));  avg = sqrt(fma(-a, a, v))
 * else:         avg = sqrt(v)
 * avg = avg + f(eps)
 * if momentum > 0:  buf = buf * f(momentum) + g / avg;  p = fma(buf, f(-lr), p)
 * else:             p = p + (f(-lr) * g) / avg
 * </pre>
 *
 * <p>torch 2.x's {@code _single_tensor_*} and {@code _multi_tensor_*} (foreach) paths, written from
 * torch 2.13's operation order ({@code torch2} below); {@code lerp} is torch's ({@code Lerp}), {@code t} the step
 * from 1:
 * <pre>
 * RMSprop: g = maximize ? -g : g;  wd: g = fma(p, f(wd), g);  v = fma(f(1 - a) * g, g, v * f(a))
 *          avg = centered ? sqrt(fma(-ga, ga, v)) with ga = lerp(ga, g, f(1 - a)) : sqrt(v);  avg = avg + f(eps)
 *          momentum: buf = buf * f(mom) + g / avg;  p = fma(buf, f(-lr), p)   else p = p + (f(-lr) * g) / avg
 * </pre>
 */
public final class RmspropReference {
    private RmspropReference() {
    }

    /** One step; {@code buffer} and {@code gradAvg} are ignored unless momentum &gt; 0 and centered. */
    public static void step(Rmsprop config, float[] params, float[] grads, float[] squareAvg, float[] buffer,
                            float[] gradAvg) {
        float alpha = (float) config.alpha();
        float oneMinusAlpha = (float) (1 - config.alpha());
        float eps = (float) config.eps();
        float negLr = (float) -config.lr();
        float decay = (float) config.weightDecay();
        float momentum = (float) config.momentum();
        for (int i = 0; i < params.length; i++) {
            float g = config.maximize() ? -grads[i] : grads[i];
            if (config.weightDecay() != 0) {
                g = Math.fma(params[i], decay, g);
            }
            squareAvg[i] = Math.fma(oneMinusAlpha * g, g, squareAvg[i] * alpha);
            float avg;
            if (config.centered()) {
                gradAvg[i] = Math.fma(g, oneMinusAlpha, gradAvg[i] * alpha);
                avg = (float) Math.sqrt(Math.fma(-gradAvg[i], gradAvg[i], squareAvg[i]));
            } else {
                avg = (float) Math.sqrt(squareAvg[i]);
            }
            avg = avg + eps;
            if (config.momentum() > 0) {
                buffer[i] = buffer[i] * momentum + g / avg;
                params[i] = Math.fma(buffer[i], negLr, params[i]);
            } else {
                params[i] = params[i] + (negLr * g) / avg;
            }
        }
    }

    /** One step of {@code r} under its numerics: torch 1.13.1's, or torch 2.x's. */
    public static void step(Rmsprop r, float[] params, float[] grads, ReferenceState state) {
        long t = state.step() + 1;
        if (r.numerics().torch2()) {
            torch2(r, params, grads, state);
        } else {
            step(r, params, grads, state.slot(Rmsprop.SQUARE_AVG),
                    r.momentum() > 0 ? state.slot(Rmsprop.MOMENTUM_BUFFER) : null,
                    r.centered() ? state.slot(Rmsprop.GRAD_AVG) : null);
        }
    }

    static void torch2(Rmsprop r, float[] params, float[] grads, ReferenceState state) {
        float[] v = state.slot(Rmsprop.SQUARE_AVG);
        float[] buf = r.momentum() > 0 ? state.slot(Rmsprop.MOMENTUM_BUFFER) : null;
        float[] ga = r.centered() ? state.slot(Rmsprop.GRAD_AVG) : null;
        float w = (float) (1 - r.alpha());
        for (int i = 0; i < params.length; i++) {
            float g = r.maximize() ? -grads[i] : grads[i];
            if (r.weightDecay() != 0) {
                g = Math.fma(params[i], (float) r.weightDecay(), g);
            }
            v[i] = Math.fma(w * g, g, v[i] * (float) r.alpha());
            float avg;
            if (ga != null) {
                ga[i] = lerp(ga[i], g, w);
                avg = (float) Math.sqrt(Math.fma(-ga[i], ga[i], v[i]));
            } else {
                avg = (float) Math.sqrt(v[i]);
            }
            avg = avg + (float) r.eps();
            if (buf != null) {
                buf[i] = buf[i] * (float) r.momentum() + g / avg;
                params[i] = Math.fma(buf[i], (float) -r.lr(), params[i]);
            } else {
                params[i] = params[i] + ((float) -r.lr() * g) / avg;
            }
        }
    }

    /**
     * One element of {@code r}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(Rmsprop r, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx g = exact(r.maximize() ? -gf : gf).plus(p.times(rounded(r.weightDecay())));
        Approx alpha = rounded(r.alpha());
        Approx v = alpha.times(exact(slots[0])).plus(rounded(1 - r.alpha()).times(g).times(g));
        int k = 1;
        Approx buffer = null;
        if (r.momentum() > 0) {
            buffer = exact(slots[k++]);
        }
        Approx ga = null;
        Approx variance = v;
        if (r.centered()) {
            ga = moment(exact(slots[k]), g, r.alpha(), r.numerics().torch2());
            variance = v.minus(ga.times(ga));
        }
        Approx avg = variance.sqrt().plus(rounded(r.eps()));
        Approx step = g.dividedBy(avg);
        if (buffer != null) {
            buffer = rounded(r.momentum()).times(buffer).plus(step);
            step = buffer;
        }
        Approx newP = p.minus(rounded(r.lr()).times(step));
        return buffer == null ? (ga == null ? new Approx[] {newP, v} : new Approx[] {newP, v, ga})
                : (ga == null ? new Approx[] {newP, v, buffer} : new Approx[] {newP, v, buffer, ga});
    }
}
