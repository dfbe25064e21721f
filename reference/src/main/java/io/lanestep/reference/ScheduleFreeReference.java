package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;
import static io.lanestep.reference.Models.scheduleFree;
import static io.lanestep.reference.Models.xlaCorrection;

import io.lanestep.ScheduleFree;
import io.lanestep.ScheduleFreeAdamW;
import io.lanestep.ScheduleFreeSgd;
import io.lanestep.XlaMath;

/**
 * Schedule-Free AdamW and SGD as optax 0.2.8's jitted step computes them on float32 (see
 * {@link ScheduleFree} for the operations), written out per element. {@code z} starts as the
 * parameters: on the first step it is read from them.
 */
public final class ScheduleFreeReference {
    private ScheduleFreeReference() {
    }

    /** One step of Schedule-Free AdamW, the {@code state.step() + 1}-th. */
    public static void step(ScheduleFreeAdamW c, float[] params, float[] grads, ReferenceState state) {
        long t = state.step() + 1;
        float[] nu = state.slot(ScheduleFreeAdamW.NU);
        float b2 = (float) c.b2();
        float oneMinusB2 = (float) (1 - c.b2());
        float r2 = 1f / (1f - XlaMath.pow(b2, (float) t));
        float eps = (float) c.eps();
        float wd = (float) c.weightDecay();
        float[] u = new float[params.length];
        for (int i = 0; i < params.length; i++) {
            float g = grads[i];
            nu[i] = Math.fma(g * g, oneMinusB2, nu[i] * b2);
            float s = 1f / ((float) Math.sqrt(nu[i] * r2) + eps);
            u[i] = c.weightDecay() != 0 ? Math.fma(params[i], wd, s * g) : s * g;
        }
        average(params, u, state, c.lr(), c.warmupSteps(), c.b1(), c.weightLrPower());
    }

    /** One step of Schedule-Free SGD, the {@code state.step() + 1}-th. */
    public static void step(ScheduleFreeSgd c, float[] params, float[] grads, ReferenceState state) {
        float wd = (float) c.weightDecay();
        float[] u = new float[params.length];
        for (int i = 0; i < params.length; i++) {
            u[i] = Double.isNaN(c.weightDecay()) ? grads[i] : Math.fma(params[i], wd, grads[i]);
        }
        average(params, u, state, c.lr(), c.warmupSteps(), c.b1(), c.weightLrPower());
    }

    private static void average(float[] y, float[] u, ReferenceState state, double lr, long warmup, double b1,
                                double power) {
        long t = state.step() + 1;
        float[] z = state.slot(ScheduleFree.Z);
        float scheduled = ScheduleFree.learningRate(lr, warmup, t);
        float maxLr = Float.isNaN(scheduled) ? scheduled : Math.max(state.scalar(ScheduleFree.MAX_LR), scheduled);
        float weight = power == 2 ? maxLr * maxLr : power == 1 ? maxLr : power == 0 ? 1f
                : XlaMath.pow(maxLr, (float) power);
        float sum = power == 2 ? Math.fma(maxLr, maxLr, state.scalar(ScheduleFree.WEIGHT_SUM))
                : state.scalar(ScheduleFree.WEIGHT_SUM) + weight;
        float ck = Float.isNaN(weight) || Float.isNaN(sum) ? Float.NaN : weight / sum;
        ck = Float.isNaN(ck) && !Float.isNaN(weight) && !Float.isNaN(sum) ? 0f
                : ck == Float.NEGATIVE_INFINITY ? -Float.MAX_VALUE : ck;
        float negLr = -ScheduleFree.learningRate(lr, warmup, t - 1);
        float fb1 = (float) b1;
        float oneMinusB1 = (float) (1 - b1);
        float invB1 = 1f / fb1;
        for (int i = 0; i < y.length; i++) {
            float z0 = t == 1 ? y[i] : z[i];
            z[i] = Math.fma(u[i], negLr, z0);
            float a = Math.fma(-z0, oneMinusB1, y[i]);
            float next;
            if (b1 == 0.5) {
                next = (Math.fma(a, (1f - ck) * 2f, ck * z[i]) + z[i]) * 0.5f;
            } else {
                float x = y.length == 1 ? Math.fma(1f - ck, a * invB1, ck * z[i])
                        : Math.fma(a, (1f - ck) * invB1, ck * z[i]);
                next = Math.fma(z[i], oneMinusB1, x * fb1);
            }
            y[i] = y[i] + (next - y[i]);
        }
        state.setScalar(ScheduleFree.WEIGHT_SUM, sum);
        state.setScalar(ScheduleFree.MAX_LR, maxLr);
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(ScheduleFreeAdamW a, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx g = exact(gf);
        Approx nu = rounded(a.b2()).times(exact(slots[1])).plus(rounded(1 - a.b2()).times(g).times(g));
        Approx u = g.dividedBy(nu.times(xlaCorrection(a.b2(), t)).sqrt().plus(rounded(a.eps())));
        if (a.weightDecay() != 0) {
            u = u.plus(rounded(a.weightDecay()).times(p));
        }
        Approx[] moved = scheduleFree(p, exact(t == 1 ? pf : slots[0]), u, a.lr(), a.warmupSteps(), a.b1(),
                a.weightLrPower(), scalars, t);
        return new Approx[] {moved[0], moved[1], nu};
    }

    /**
     * One element of {@code s}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(ScheduleFreeSgd s, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx u = exact(gf);
        if (!Double.isNaN(s.weightDecay())) {
            u = u.plus(rounded(s.weightDecay()).times(p));
        }
        return scheduleFree(p, exact(t == 1 ? pf : slots[0]), u, s.lr(), s.warmupSteps(), s.b1(),
                s.weightLrPower(), scalars, t);
    }
}
