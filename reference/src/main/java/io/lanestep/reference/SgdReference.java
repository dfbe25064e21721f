package io.lanestep.reference;

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
}
