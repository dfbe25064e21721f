package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;

import io.lanestep.Adam;
import io.lanestep.Adan;

/**
 * Adan as timm 1.0's {@code Adan} computes it on float32 (its single-tensor and foreach paths
 * agree), with {@code t} the step from 1 and {@code q} the last gradient negated. Per element:
 * <pre>
 * t = 1:  q = -g
 * q = q + g
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * d = fma(q, f(1 - beta2), d * f(beta2))
 * q = q * f(beta2) + g
 * v = fma(f(1 - beta3) * q, q, v * f(beta3))
 * denom = sqrt(v) / f(sqrt(1 - beta3^t)) + f(eps)
 * noProx:  p = p * f(1 - lr·weightDecay)
 * caution: u = m * (m * g > 0 ? f(1 / max(f(k) / f(n), f(1e-3))) : 0), k the count of m * g > 0
 * p = p + (f(-lr / (1 - beta1^t)) * u) / denom         (u = m without caution)
 * p = p + (f(-(lr·beta2 / (1 - beta2^t))) * d) / denom
 * otherwise:  p = p / f(1 + lr·weightDecay)
 * q = -g + 0
 * </pre>
 */
public final class AdanReference {
    private AdanReference() {
    }

    /** One step, the {@code state.step() + 1}-th. */
    public static void step(Adan c, float[] params, float[] grads, ReferenceState state) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] d = state.slot(Adan.EXP_AVG_DIFF);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        float[] q = state.slot(Adan.NEG_PRE_GRAD);
        long t = state.step() + 1;
        float b1 = (float) c.beta1();
        float oneMinusB1 = (float) (1 - c.beta1());
        float b2 = (float) c.beta2();
        float oneMinusB2 = (float) (1 - c.beta2());
        float b3 = (float) c.beta3();
        float oneMinusB3 = (float) (1 - c.beta3());
        for (int i = 0; i < params.length; i++) {
            float g = grads[i];
            float change = (t == 1 ? -g : q[i]) + g;
            m[i] = Math.fma(g, oneMinusB1, m[i] * b1);
            d[i] = Math.fma(change, oneMinusB2, d[i] * b2);
            float ahead = change * b2 + g;
            v[i] = Math.fma(oneMinusB3 * ahead, ahead, v[i] * b3);
        }
        float scale = c.caution() ? Caution.scale(m, grads) : 1f;
        float bc3Sqrt = (float) Math.sqrt(1 - Math.pow(c.beta3(), t));
        float eps = (float) c.eps();
        float stepOnM = (float) (-c.lr() / (1 - Math.pow(c.beta1(), t)));
        float stepOnD = (float) -(c.lr() * c.beta2() / (1 - Math.pow(c.beta2(), t)));
        boolean decay = c.weightDecay() != 0;
        float factor = (float) (1 - c.lr() * c.weightDecay());
        float divisor = (float) (1 + c.lr() * c.weightDecay());
        for (int i = 0; i < params.length; i++) {
            float denom = (float) Math.sqrt(v[i]) / bc3Sqrt + eps;
            float p = params[i];
            if (decay && c.noProx()) {
                p = p * factor;
            }
            float u = c.caution() ? Caution.masked(m[i], grads[i], scale) : m[i];
            p = p + (stepOnM * u) / denom;
            p = p + (stepOnD * d[i]) / denom;
            if (decay && !c.noProx()) {
                p = p / divisor;
            }
            params[i] = p;
            q[i] = -grads[i] + 0f;
        }
    }

    /**
     * One element of {@code a}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(Adan a, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx g = exact(gf);
        // The gradient's change since the last step; none on the first.
        Approx change = (t == 1 ? g.negate() : exact(slots[3])).plus(g);
        Approx m = rounded(a.beta1()).times(exact(slots[0])).plus(rounded(1 - a.beta1()).times(g));
        Approx d = rounded(a.beta2()).times(exact(slots[1])).plus(rounded(1 - a.beta2()).times(change));
        Approx ahead = g.plus(rounded(a.beta2()).times(change));
        Approx v = rounded(a.beta3()).times(exact(slots[2]))
                .plus(rounded(1 - a.beta3()).times(ahead).times(ahead));
        Approx denom = v.sqrt().dividedBy(rounded(Math.sqrt(1 - Math.pow(a.beta3(), t))))
                .plus(rounded(a.eps()));
        boolean decay = a.weightDecay() != 0;
        Approx moved = decay && a.noProx() ? p.times(rounded(1 - a.lr() * a.weightDecay())) : p;
        moved = moved.minus(rounded(a.lr() / (1 - Math.pow(a.beta1(), t))).times(m).dividedBy(denom))
                .minus(rounded(a.lr() * a.beta2() / (1 - Math.pow(a.beta2(), t))).times(d).dividedBy(denom));
        if (decay && !a.noProx()) {
            moved = moved.dividedBy(rounded(1 + a.lr() * a.weightDecay()));
        }
        return new Approx[] {moved, m, d, v, g.negate()};
    }
}
