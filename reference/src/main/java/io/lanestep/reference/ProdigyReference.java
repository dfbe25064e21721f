package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;

import io.lanestep.Adam;
import io.lanestep.Prodigy;
import io.lanestep.XlaMath;

/**
 * Prodigy as optax's jitted step computes it on float32 (see {@link Prodigy}), its two sums in
 * XLA's order written out over a zero-padded copy: up to 32 elements one after another (the dot
 * product fused), above that windows of 32 over the vector centred in the padding.
 */
public final class ProdigyReference {
    private ProdigyReference() {
    }

    /** One step, the {@code state.step() + 1}-th. */
    public static void step(Prodigy c, float[] params, float[] grads, ReferenceState state) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        float[] s = state.slot(Prodigy.GRAD_SUM);
        float[] x0 = state.slot(Prodigy.PARAMS0);
        long t = state.step() + 1;
        int n = params.length;
        if (t == 1) {
            System.arraycopy(params, 0, x0, 0, n);
        }
        float b1 = (float) c.beta1();
        float b2 = (float) c.beta2();
        float b3 = c.beta3OrDefault();
        float d = state.scalar(Prodigy.ESTIM_LR);
        float bc = (float) Math.sqrt(1f - XlaMath.pow(b2, (float) t)) / (1f - XlaMath.pow(b1, (float) t));
        float dlr = c.lr() == 1 ? d * bc : d * (float) c.lr() * bc;
        float r0 = 1f / (float) c.estimLr0();
        float[] products = new float[n];
        float[] diff = new float[n];
        for (int i = 0; i < n; i++) {
            diff[i] = x0[i] - params[i];
            products[i] = grads[i] * diff[i];
        }
        float a;
        if (n <= 32) {
            a = 0f;
            for (int i = 0; i < n; i++) {
                a = Math.fma(grads[i], diff[i], a);
            }
        } else {
            a = windowed(products);
        }
        float[] magnitudes = new float[n];
        for (int i = 0; i < n; i++) {
            float dg = d * grads[i];
            m[i] = Math.fma(m[i], b1, dg * (float) (1 - c.beta1()));
            v[i] = Math.fma(v[i], b2, dg * (float) (1 - c.beta2()) * dg);
            s[i] = Math.fma(s[i], b3, (c.safeguardWarmup() ? d : dlr) * dg * r0);
            magnitudes[i] = Math.abs(s[i]);
        }
        float numerator = Math.fma(state.scalar(Prodigy.NUMERATOR_WEIGHTED), b3, d * r0 * dlr * a);
        float denominator = n <= 32 ? inOrder(magnitudes) : windowed(magnitudes);
        float scaledNumerator = c.estimLrCoef() == 1 ? numerator : numerator * (float) c.estimLrCoef();
        float next = Math.max(d, scaledNumerator / denominator);
        float negDecay = dlr * (float) -c.weightDecay();
        for (int i = 0; i < n; i++) {
            float q = dlr * m[i] / ((float) Math.sqrt(v[i]) + next * (float) c.eps());
            params[i] = params[i] + Math.fma(negDecay, params[i], -q);
        }
        state.setScalar(Prodigy.ESTIM_LR, next);
        state.setScalar(Prodigy.NUMERATOR_WEIGHTED, numerator);
    }

    private static float inOrder(float[] x) {
        float acc = 0f;
        for (float e : x) {
            acc = acc + e;
        }
        return acc;
    }

    private static float windowed(float[] x) {
        int windows = (x.length + 31) / 32;
        float[] padded = new float[windows * 32];
        System.arraycopy(x, 0, padded, (windows * 32 - x.length) / 2, x.length);
        float total = 0f;
        for (int w = 0; w < windows; w++) {
            float acc = 0f;
            for (int k = 0; k < 32; k++) {
                acc = acc + padded[32 * w + k];
            }
            total = total + acc;
        }
        return total;
    }

    /**
     * Prodigy over the block, its sums in any order within their bounds. Where the step size's
     * {@code max} is within rounding of a tie the parameters are left unbounded; the moments, which
     * use the step size before the step, are bounded always.
     */
    public static Approx[][] model(Prodigy a, float[] params, float[] grads, float[][] slots, float[] scalars,
                                   long stepsBefore) {
        long t = stepsBefore + 1;
        int n = params.length;
        Approx[][] out = new Approx[n][];
        Approx d = exact(scalars[0]);
        Approx bc = exact(1).minus(rounded(Math.pow((float) a.beta2(), t))).sqrt()
                .dividedBy(exact(1).minus(rounded(Math.pow((float) a.beta1(), t))));
        Approx dlr = a.lr() == 1 ? d.times(bc) : d.times(rounded(a.lr())).times(bc);
        Approx r0 = rounded(1 / (double) (float) a.estimLr0());
        Approx b3 = exact(a.beta3OrDefault());
        Approx dot = exact(0);
        Approx absSum = exact(0);
        Approx[] m = new Approx[n];
        Approx[] v = new Approx[n];
        Approx[] s = new Approx[n];
        for (int i = 0; i < n; i++) {
            float x0 = t == 1 ? params[i] : slots[3][i];
            Approx g = exact(grads[i]);
            dot = dot.plus(g.times(exact(x0).minus(exact(params[i]))));
            Approx dg = d.times(g);
            m[i] = rounded(a.beta1()).times(exact(slots[0][i])).plus(rounded(1 - a.beta1()).times(dg));
            v[i] = rounded(a.beta2()).times(exact(slots[1][i])).plus(rounded(1 - a.beta2()).times(dg).times(dg));
            s[i] = b3.times(exact(slots[2][i])).plus((a.safeguardWarmup() ? d : dlr).times(dg).times(r0));
            absSum = absSum.plus(s[i].abs());
        }
        Approx numerator = b3.times(exact(scalars[1])).plus(d.times(r0).times(dlr).times(dot));
        Approx ratio = numerator.times(rounded(a.estimLrCoef())).dividedBy(absSum);
        // A ratio of 0/0 (no step has moved anything: lr 0) is NaN in float32, and no bound holds either.
        boolean tie = !(Math.abs(ratio.value() - d.value()) > ratio.error());
        Approx next = ratio.value() > d.value() ? ratio : d;
        Approx unbounded = new Approx(0, Double.POSITIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            Approx p = exact(params[i]);
            Approx q = dlr.times(m[i]).dividedBy(v[i].sqrt().plus(next.times(rounded(a.eps()))));
            Approx moved = p.minus(dlr.times(rounded(a.weightDecay())).times(p)).minus(q);
            out[i] = new Approx[] {tie ? unbounded : moved, m[i], v[i], s[i], exact(t == 1 ? params[i] : slots[3][i])};
        }
        return out;
    }
}
