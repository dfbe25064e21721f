package io.lanestep.reference;

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
}
