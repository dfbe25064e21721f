package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;
import static io.lanestep.reference.Models.norm;

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

    /**
     * MARS over the block: the corrected gradient, its norm (near 1 the float comparison may go
     * either way: then nothing is bounded), the moments and the step. With the caution mask or the
     * Lion-type sign near 0 the parameter is left to the reference and timm's cases.
     */
    public static Approx[][] model(Mars a, float[] params, float[] grads, float[][] slots, float[] scalars,
                                   long stepsBefore) {
        long t = stepsBefore + 1;
        int n = params.length;
        Approx[][] out = new Approx[n][];
        boolean mars = a.stepsByMars();
        double b1 = mars ? a.beta1() : a.beta1For1d();
        double b2 = mars ? a.beta2() : a.beta2For1d();
        Approx[] c = new Approx[n];
        for (int i = 0; i < n; i++) {
            Approx g = exact(grads[i]);
            c[i] = mars && t > 1 ? g.minus(exact(slots[2][i])).times(rounded(a.gamma() * (a.beta1() / (1 - a.beta1()))))
                    .plus(g) : g;
        }
        boolean open = false;
        if (mars && t > 1) {
            Approx norm = n == 1 ? c[0].abs() : norm(c);
            open = Math.abs(norm.value() - 1) <= norm.error();
            if (norm.value() > 1) {
                for (int i = 0; i < n; i++) {
                    c[i] = c[i].dividedBy(norm);
                }
            }
        }
        Approx unbounded = new Approx(0, Double.POSITIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            Approx p = exact(params[i]);
            Approx m = rounded(b1).times(exact(slots[0][i])).plus(rounded(1 - b1).times(c[i]));
            Approx v = exact(slots[1][i]);
            Approx step;
            if (mars && a.lion()) {
                step = Math.abs(m.value()) > m.error() ? exact(Math.signum(m.value())) : unbounded;
            } else {
                v = rounded(b2).times(v).plus(rounded(1 - b2).times(c[i]).times(c[i]));
                step = m.dividedBy(rounded(1 - Math.pow(b1, t)))
                        .dividedBy(v.sqrt().dividedBy(rounded(Math.sqrt(1 - Math.pow(b2, t)))).plus(rounded(a.eps())));
            }
            double lr = mars ? a.lr() : a.lr() * a.lr1dFactor();
            Approx moved = p.minus(rounded(lr).times(p.times(rounded(a.weightDecay())).plus(step)));
            out[i] = open ? new Approx[] {unbounded, unbounded, unbounded, exact(grads[i])}
                    : new Approx[] {a.caution() ? unbounded : moved, m, v, exact(grads[i])};
        }
        return out;
    }
}
