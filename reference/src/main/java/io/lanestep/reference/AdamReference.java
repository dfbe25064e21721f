package io.lanestep.reference;

import io.lanestep.Adam;
import io.lanestep.AdamW;

/**
 * PyTorch 1.13.1 {@code Adam} and {@code AdamW}, {@code _single_tensor_adam(w)}, float32. At step
 * {@code t} (from 1), with {@code bc1 = 1 - beta1^t}, {@code bc2 = 1 - beta2^t} in double
 * ({@code Math.pow}), per element:
 * <pre>
 * g = maximize ? -g : g
 * AdamW:                    p = p * f(1 - lr·weightDecay)
 * Adam, weightDecay != 0:   g = fma(p, f(weightDecay), g)
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * v = fma(f(1 - beta2) * g, g, v * f(beta2))
 * s = amsgrad ? (vmax = max(vmax, v)) : v
 * denom = sqrt(s) / f(sqrt(bc2)) + f(eps)
 * p = p + (f(-(lr / bc1)) * m) / denom
 * </pre>
 * and in the epsilon-hat form ({@link Adam#epsilonHat()}, DJL's and DL4J's) the last two lines are
 * <pre>
 * denom = sqrt(s) + f(eps)
 * p = p + (f(-(lr · sqrt(bc2) / bc1)) * m) / denom
 * </pre>
 */
public final class AdamReference {
    private AdamReference() {
    }

    /** One Adam step at step number {@code t}; {@code maxSq} is ignored without amsgrad. */
    public static void step(Adam c, float[] params, float[] grads, float[] m, float[] v, float[] maxSq, long t) {
        step(c.lr(), c.beta1(), c.beta2(), c.eps(), c.weightDecay(), false, c.amsgrad(), c.maximize(),
                c.epsilonHat(), params, grads, m, v, maxSq, t);
    }

    /** One AdamW step at step number {@code t}; {@code maxSq} is ignored without amsgrad. */
    public static void step(AdamW c, float[] params, float[] grads, float[] m, float[] v, float[] maxSq, long t) {
        step(c.lr(), c.beta1(), c.beta2(), c.eps(), c.weightDecay(), true, c.amsgrad(), c.maximize(),
                false, params, grads, m, v, maxSq, t);
    }

    private static void step(double lr, double beta1, double beta2, double eps, double weightDecay,
                             boolean decoupled, boolean amsgrad, boolean maximize, boolean epsilonHat,
                             float[] params, float[] grads,
                             float[] m, float[] v, float[] maxSq, long t) {
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        float negStepSize = (float) (-(lr / bc1));
        float hatStepSize = (float) (-(lr * Math.sqrt(bc2) / bc1));
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decayFactor = (float) (1 - lr * weightDecay);
        float decay = (float) weightDecay;
        float b1 = (float) beta1;
        float oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float oneMinusB2 = (float) (1 - beta2);
        float e = (float) eps;
        for (int i = 0; i < params.length; i++) {
            float g = maximize ? -grads[i] : grads[i];
            float p = params[i];
            if (decoupled) {
                p = p * decayFactor;
            } else if (weightDecay != 0) {
                g = Math.fma(p, decay, g);
            }
            m[i] = Math.fma(g, oneMinusB1, m[i] * b1);
            v[i] = Math.fma(oneMinusB2 * g, g, v[i] * b2);
            float s = v[i];
            if (amsgrad) {
                maxSq[i] = Math.max(maxSq[i], v[i]);
                s = maxSq[i];
            }
            if (epsilonHat) {
                params[i] = p + (hatStepSize * m[i]) / ((float) Math.sqrt(s) + e);
            } else {
                float denom = (float) Math.sqrt(s) / bc2Sqrt + e;
                params[i] = p + (negStepSize * m[i]) / denom;
            }
        }
    }
}
