package io.lanestep.reference;

import io.lanestep.Adam;
import io.lanestep.Sgd;

/**
 * torch 2.x's fused CPU kernels ({@code _fused_sgd_}, {@code _fused_adam_}, {@code _fused_adamw_}),
 * float32: the single-tensor sequence ({@link Torch2Reference}) except for the last
 * {@code n mod 8} elements, indices {@code i >= n - n mod 8}, where the sums group the other way:
 * <pre>
 * SGD:   buf = fma(buf, f(momentum), d * f(1 - dampening))       (elsewhere fma(d, f(1 - dampening), buf * f(momentum)))
 * Adam:  v = fma(v, f(b2), (f(1 - b2) * g) * g)                  (elsewhere fma(f(1 - b2) * g, g, v * f(b2)))
 *        amsgrad: vmax = vmax &lt; v ? v : vmax                     (elsewhere max(vmax, v), NaN-propagating)
 * </pre>
 * Adagrad's fused kernel computes {@code p - (f(clr) * g) / (sqrt(sum) + f(eps))}, bit for bit the
 * single path's {@code p + (f(-clr) * g) / ...} (negation is exact), so it has no method here.
 */
public final class Torch2FusedReference {
    private Torch2FusedReference() {
    }

    static void sgd(Sgd s, float[] params, float[] grads, float[] buf, boolean firstStep) {
        int tail = params.length - params.length % 8;
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

    static void adam(double lr, double b1, double b2, double eps, double wd, boolean decoupled, boolean amsgrad,
                     boolean maximize, float[] params, float[] grads, ReferenceState state, long t) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        float[] vmax = amsgrad ? state.slot(Adam.MAX_EXP_AVG_SQ) : null;
        int tail = params.length - params.length % 8;
        float w = (float) (1 - b1);
        float beta2 = (float) b2;
        float oneMinusB2 = (float) (1 - b2);
        float negStep = (float) -(lr / (1 - Math.pow(b1, t)));
        float bc2s = (float) Math.sqrt(1 - Math.pow(b2, t));
        for (int i = 0; i < params.length; i++) {
            float g = maximize ? -grads[i] : grads[i];
            float p = params[i];
            if (wd != 0) {
                if (decoupled) {
                    p = p * (float) (1 - lr * wd);
                } else {
                    g = Math.fma(p, (float) wd, g);
                }
            }
            m[i] = Torch2Reference.lerp(m[i], g, w);
            v[i] = i >= tail ? Math.fma(v[i], beta2, (oneMinusB2 * g) * g) : Math.fma(oneMinusB2 * g, g, v[i] * beta2);
            float s = v[i];
            if (amsgrad) {
                vmax[i] = i >= tail ? (vmax[i] < v[i] ? v[i] : vmax[i]) : Math.max(vmax[i], v[i]);
                s = vmax[i];
            }
            params[i] = p + (negStep * m[i]) / ((float) Math.sqrt(s) / bc2s + (float) eps);
        }
    }
}
