package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;

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
    public static void step(Rprop c, float[] params, float[] grads, ReferenceState state) {
        float[] prev = state.slot(Rprop.PREV);
        float[] stepSize = state.slot(Rprop.STEP_SIZE);
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

    /**
     * One element of {@code r}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(Rprop r, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx one = exact(1);
        float g = r.maximize() ? -gf : gf;
        double product = (double) g * slots[0];
        Approx factor = product > 0 ? rounded(r.etaPlus()) : product < 0 ? rounded(r.etaMinus()) : one;
        Approx size = exact(slots[1]).times(factor).max(rounded(r.stepMin())).min(rounded(r.stepMax()));
        double move = product < 0 ? 0 : Math.signum(g);
        return new Approx[] {p.minus(size.times(exact(move))), exact(move == 0 ? 0 : g), size};
    }
}
