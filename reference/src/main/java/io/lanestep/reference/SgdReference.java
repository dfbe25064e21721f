package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;

import io.lanestep.Numerics;
import io.lanestep.Sgd;

/**
 * PyTorch 1.13.1 {@code SGD}, {@code _single_tensor_sgd}, float32. Operation order per element
 * ({@code f} rounds a double hyperparameter to float once; {@code fma} rounds once):
 * <pre>
 * d = maximize ? -g : g
 * if weightDecay != 0:  d = fma(p, f(weightDecay), d)
 * if momentum != 0:
 *     buf = (first step) ? d : fma(d, f(1 - dampening), buf * f(momentum))
 *     d   = nesterov ? fma(buf, f(momentum), d) : buf
 * p = fma(d, f(-lr), p)
 * </pre>
 *
 * <p>torch 2.x's single-tensor and foreach paths are this sequence; its fused CPU kernel
 * ({@code _fused_sgd_}, {@link #fused}) too, except for the last {@code n mod lanes} elements
 * ({@link ReferenceState#fusedVector()}), where the momentum sum groups the other way:
 * {@code buf = fma(buf, f(momentum), d * f(1 - dampening))}.
 */
public final class SgdReference {
    private SgdReference() {
    }

    /** One step; {@code buffer} is ignored when momentum is 0. */
    public static void step(Sgd config, float[] params, float[] grads, float[] buffer, boolean firstStep) {
        float negLr = (float) -config.lr();
        float decay = (float) config.weightDecay();
        float momentum = (float) config.momentum();
        float keep = (float) (1 - config.dampening());
        for (int i = 0; i < params.length; i++) {
            float d = config.maximize() ? -grads[i] : grads[i];
            if (config.weightDecay() != 0) {
                d = Math.fma(params[i], decay, d);
            }
            if (config.momentum() != 0) {
                buffer[i] = firstStep ? d : Math.fma(d, keep, buffer[i] * momentum);
                d = config.nesterov() ? Math.fma(buffer[i], momentum, d) : buffer[i];
            }
            params[i] = Math.fma(d, negLr, params[i]);
        }
    }

    /** One step of {@code s} under its numerics (torch 2.x's fused kernel or the single sequence). */
    public static void step(Sgd s, float[] params, float[] grads, ReferenceState state) {
        float[] buffer = s.momentum() == 0 ? null : state.slot(Sgd.MOMENTUM_BUFFER);
        if (s.numerics() == Numerics.TORCH_2_FUSED) {
            fused(s, params, grads, buffer, state.step() == 0, state.fusedVector());
        } else {
            step(s, params, grads, buffer, state.step() == 0);
        }
    }

    static void fused(Sgd s, float[] params, float[] grads, float[] buf, boolean firstStep, int lanes) {
        int tail = params.length - params.length % lanes;
        float keep = (float) (1 - s.dampening());
        float momentum = (float) s.momentum();
        for (int i = 0; i < params.length; i++) {
            float d = s.maximize() ? -grads[i] : grads[i];
            if (s.weightDecay() != 0) {
                d = Math.fma(params[i], (float) s.weightDecay(), d);
            }
            if (buf != null) {
                if (firstStep) {
                    buf[i] = d;
                } else if (i >= tail) {
                    buf[i] = Math.fma(buf[i], momentum, d * keep);
                } else {
                    buf[i] = Math.fma(d, keep, buf[i] * momentum);
                }
                d = s.nesterov() ? Math.fma(buf[i], momentum, d) : buf[i];
            }
            params[i] = Math.fma(d, (float) -s.lr(), params[i]);
        }
    }

    /**
     * One element of {@code s}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(Sgd s, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx d = exact(s.maximize() ? -gf : gf).plus(p.times(rounded(s.weightDecay())));
        if (s.momentum() == 0) {
            return new Approx[] {p.minus(rounded(s.lr()).times(d))};
        }
        Approx b = t == 1 ? d
                : rounded(s.momentum()).times(exact(slots[0])).plus(rounded(1 - s.dampening()).times(d));
        Approx dir = s.nesterov() ? d.plus(rounded(s.momentum()).times(b)) : b;
        return new Approx[] {p.minus(rounded(s.lr()).times(dir)), b};
    }
}
