package io.lanestep.reference;

import io.lanestep.Rprop;

/**
 * PyTorch 1.13.1 {@code Rprop}, float32, with {@code sign(x)} = 1, -1, or +0 (also for NaN, as
 * PyTorch's vectorized sign). Per element:
 * <pre>
 * g = maximize ? -g : g
 * factor = sign(g * prev) &gt; 0 ? f(etaPlus) : sign(g * prev) &lt; 0 ? f(etaMinus) : 1
 * stepSize = min(max(stepSize * factor, f(stepMin)), f(stepMax))
 * if factor == f(etaMinus):  g = 0
 * p = fma(-sign(g), stepSize, p)
 * prev = g
 * </pre>
 */
public final class RpropReference {
    private RpropReference() {
    }

    /** One step. */
    public static void step(Rprop c, float[] params, float[] grads, float[] prev, float[] stepSize) {
        float etaMinus = (float) c.etaMinus();
        float etaPlus = (float) c.etaPlus();
        float stepMin = (float) c.stepMin();
        float stepMax = (float) c.stepMax();
        for (int i = 0; i < params.length; i++) {
            float g = c.maximize() ? -grads[i] : grads[i];
            float s = sign(g * prev[i]);
            float factor = s > 0 ? etaPlus : s < 0 ? etaMinus : 1f;
            stepSize[i] = Math.min(Math.max(stepSize[i] * factor, stepMin), stepMax);
            if (factor == etaMinus) {
                g = 0f;
            }
            params[i] = Math.fma(-sign(g), stepSize[i], params[i]);
            prev[i] = g;
        }
    }

    private static float sign(float x) {
        return x > 0 ? 1f : x < 0 ? -1f : 0f;
    }
}
