package io.lanestep.reference;

import io.lanestep.Adam;
import io.lanestep.Mars;

/**
 * MARS as timm 1.0's {@code Mars} computes it on float32, with {@code t} the step from 1 (see
 * {@link Mars} for the operations). The norm is torch's: the 8 lane sums of squares over whole
 * blocks of 8 (no fma), added left to right, 4 more plain products when at least 4 remain, fma
 * for the rest, then the correctly rounded root; one element's norm is its magnitude.
 */
public final class MarsReference {
    private MarsReference() {
    }

    /** One step, the {@code state.step() + 1}-th. */
    public static void step(Mars c, float[] params, float[] grads, ReferenceState state) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        float[] last = state.slot(Mars.LAST_GRAD);
        long t = state.step() + 1;
        int n = params.length;
        boolean mars = c.optimize1d() || !c.vector();
        double b1 = mars ? c.beta1() : c.beta1For1d();
        double b2 = mars ? c.beta2() : c.beta2For1d();
        float[] corrected = grads.clone();
        if (mars && t > 1) {
            float gain = (float) (c.gamma() * (c.beta1() / (1. - c.beta1())));
            for (int i = 0; i < n; i++) {
                corrected[i] = (grads[i] - last[i]) * gain + grads[i];
            }
            float norm = n == 1 ? Math.abs(corrected[0]) : (float) Math.sqrt(squares(corrected));
            if (norm > 1f) {
                for (int i = 0; i < n; i++) {
                    corrected[i] = corrected[i] / norm;
                }
            }
        }
        float fb1 = (float) b1;
        float oneMinusB1 = (float) (1 - b1);
        for (int i = 0; i < n; i++) {
            m[i] = Math.fma(corrected[i], oneMinusB1, m[i] * fb1);
        }
        float scale = c.caution() ? Caution.scale(m, grads) : 1f;
        float fb2 = (float) b2;
        float oneMinusB2 = (float) (1 - b2);
        float bc1 = (float) (1 - Math.pow(b1, t));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(b2, t));
        float eps = (float) c.eps();
        float wd = (float) c.weightDecay();
        float negLr = (float) -(mars ? c.lr() : c.lr() * c.lr1dFactor());
        for (int i = 0; i < n; i++) {
            float u = c.caution() ? Caution.masked(m[i], grads[i], scale) : m[i];
            float step;
            if (mars && c.lion()) {
                step = Math.signum(u) == 0 || Float.isNaN(u) ? 0f : Math.signum(u);
            } else {
                v[i] = Math.fma(oneMinusB2 * corrected[i], corrected[i], v[i] * fb2);
                step = u / bc1 / ((float) Math.sqrt(v[i]) / bc2Sqrt + eps);
            }
            params[i] = Math.fma(params[i] * wd + step, negLr, params[i]);
            last[i] = grads[i];
        }
    }

    private static float squares(float[] x) {
        int blocks = x.length - x.length % 8;
        float[] lanes = new float[8];
        for (int i = 0; i < blocks; i++) {
            lanes[i % 8] = lanes[i % 8] + x[i] * x[i];
        }
        float sum = lanes[0];
        for (int l = 1; l < 8; l++) {
            sum = sum + lanes[l];
        }
        int rest = x.length - blocks;
        for (int i = blocks; i < x.length; i++) {
            sum = rest >= 4 && i < blocks + 4 ? sum + x[i] * x[i] : Math.fma(x[i], x[i], sum);
        }
        return sum;
    }
}
