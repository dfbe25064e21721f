package io.lanestep.reference;

import io.lanestep.Sgd;

/**
 * torch 2.x's fused CPU kernels ({@code _fused_sgd_}, {@code _fused_adam_}, {@code _fused_adamw_}),
 * float32: the single-tensor sequence ({@link Torch2Reference}, which also computes the fused Adam)
 * except for the last {@code n mod lanes} elements ({@link ReferenceState#fusedVector()}), where the sums
 * group the other way:
 * <pre>
 * SGD:   buf = fma(buf, f(momentum), d * f(1 - dampening))   (elsewhere fma(d, f(1 - damp.), buf * f(momentum)))
 * Adam:  v = fma(v, f(b2), (f(1 - b2) * g) * g)                  (elsewhere fma(f(1 - b2) * g, g, v * f(b2)))
 *        amsgrad: vmax = vmax &lt; v ? v : vmax                     (elsewhere max(vmax, v), NaN-propagating)
 * </pre>
 * Adagrad's fused kernel computes {@code p - (f(clr) * g) / (sqrt(sum) + f(eps))}, bit for bit the
 * single path's {@code p + (f(-clr) * g) / ...} (negation is exact), so it has no method here.
 */
public final class Torch2FusedReference {
    private Torch2FusedReference() {
    }

    static void sgd(Sgd s, float[] params, float[] grads, float[] buf, boolean firstStep, int lanes) {
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
}
