package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;

import io.lanestep.Adam;
import io.lanestep.LaProp;

/**
 * LaProp as timm 1.0's {@code LaProp} computes it on float32, with {@code e1} timm's double
 * average of learning rates and {@code e2} its float32 average of ones. Per step, then per element:
 * <pre>
 * e1 = e1·beta1 + (1 - beta1)·lr;  e2 = e2 * f(beta2) + f(1 - beta2)
 * v = fma(f(1 - beta2) * g, g, v * f(beta2))
 * m = fma(g / (sqrt(v / e2) + f(eps)), f(lr·(1 - beta1)), m * f(beta1))
 * caution: u = m * (m * g > 0 ? f(1 / max(f(k) / f(n), f(1e-3))) : 0), k the count of m * g > 0
 * p = fma(u, f(-1 / (lr != 0 ? e1 / lr : 1)), p)           (u = m without caution)
 * weightDecay != 0:  p = fma(p, f(-s·weightDecay), p)     s = corrected ? lr²/initialLr : lr
 * </pre>
 */
public final class LaPropReference {
    private LaPropReference() {
    }

    /** One step, the {@code state.step() + 1}-th. */
    public static void step(LaProp c, float[] params, float[] grads, ReferenceState state) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        float[] e1 = {state.scalar(LaProp.EXP_AVG_LR_1), state.scalar(LaProp.EXP_AVG_LR_1_MID),
                state.scalar(LaProp.EXP_AVG_LR_1_LOW)};
        double lrAverage = LaProp.joined(e1, 0) * c.beta1() + (1 - c.beta1()) * c.lr();
        float e2 = state.scalar(LaProp.EXP_AVG_LR_2) * (float) c.beta2() + (float) (1 - c.beta2());
        float b1 = (float) c.beta1();
        float b2 = (float) c.beta2();
        float oneMinusB2 = (float) (1 - c.beta2());
        float eps = (float) c.eps();
        float gradWeight = (float) (c.lr() * (1 - c.beta1()));
        for (int i = 0; i < params.length; i++) {
            float g = grads[i];
            v[i] = Math.fma(oneMinusB2 * g, g, v[i] * b2);
            float denom = (float) Math.sqrt(v[i] / e2) + eps;
            m[i] = Math.fma(g / denom, gradWeight, m[i] * b1);
        }
        float scale = c.caution() ? Caution.scale(m, grads) : 1f;
        float negStep = (float) (-1 / (c.lr() != 0 ? lrAverage / c.lr() : 1));
        double s = c.correctedWeightDecay() ? Math.pow(c.lr(), 2) / c.initialLr() : c.lr();
        float negDecay = (float) (-s * c.weightDecay());
        for (int i = 0; i < params.length; i++) {
            float u = c.caution() ? Caution.masked(m[i], grads[i], scale) : m[i];
            float p = Math.fma(u, negStep, params[i]);
            if (c.weightDecay() != 0) {
                p = Math.fma(p, negDecay, p);
            }
            params[i] = p;
        }
        state.setScalar(LaProp.EXP_AVG_LR_2, e2);
        LaProp.split(lrAverage, e1, 0);
        state.setScalar(LaProp.EXP_AVG_LR_1, e1[0]);
        state.setScalar(LaProp.EXP_AVG_LR_1_MID, e1[1]);
        state.setScalar(LaProp.EXP_AVG_LR_1_LOW, e1[2]);
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(LaProp a, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx g = exact(gf);
        Approx v = rounded(a.beta2()).times(exact(slots[1])).plus(rounded(1 - a.beta2()).times(g).times(g));
        Approx ones = exact(scalars[0]).times(rounded(a.beta2())).plus(rounded(1 - a.beta2()));
        Approx denom = v.dividedBy(ones).sqrt().plus(rounded(a.eps()));
        Approx m = rounded(a.beta1()).times(exact(slots[0]))
                .plus(rounded(a.lr() * (1 - a.beta1())).times(g.dividedBy(denom)));
        double lrAverage = a.nextLrAverage(LaProp.joined(scalars, 1));
        Approx moved = p.minus(rounded(1 / (a.lr() != 0 ? lrAverage / a.lr() : 1)).times(m));
        if (a.weightDecay() != 0) {
            double s = a.correctedWeightDecay() ? a.lr() * a.lr() / a.initialLr() : a.lr();
            moved = moved.minus(rounded(s * a.weightDecay()).times(moved));
        }
        return new Approx[] {moved, m, v};
    }
}
