package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;
import static io.lanestep.reference.Models.norm;

import io.lanestep.Adam;
import io.lanestep.Lamb;

/**
 * LAMB (You et al. 2019, Algorithm 2, bias-corrected, φ the identity), float32. Per element, then
 * per block:
 * <pre>
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * v = fma(f(1 - beta2) * g, g, v * f(beta2))
 * u = m * f(1 / (1 - beta1^t)) / fma(sqrt(v), f(1 / sqrt(1 - beta2^t)), f(eps))
 * u = fma(p, f(weightDecay), u)                        (with weight decay)
 * ratio = ‖p‖ &gt; 0 and ‖u‖ &gt; 0 ? ‖p‖ / ‖u‖ : 1         ({@link Lamb#trustRatio}, double)
 * p = fma(u, f(-lr·ratio), p)
 * </pre>
 * A norm is the square root of {@link SquareSum#byChunks}.
 */
public final class LambReference {
    private LambReference() {
    }

    /** One step; the step number is {@code state.step() + 1}. */
    public static void step(Lamb c, float[] params, float[] grads, ReferenceState state) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        float[] u = state.slot(Lamb.UPDATE);
        long t = state.step() + 1;
        float b1 = (float) c.beta1();
        float oneMinusB1 = (float) (1 - c.beta1());
        float b2 = (float) c.beta2();
        float oneMinusB2 = (float) (1 - c.beta2());
        float invBc1 = (float) (1 / (1 - Math.pow(c.beta1(), t)));
        float invBc2Sqrt = (float) (1 / Math.sqrt(1 - Math.pow(c.beta2(), t)));
        float eps = (float) c.eps();
        float decay = (float) c.weightDecay();
        for (int i = 0; i < params.length; i++) {
            m[i] = Math.fma(grads[i], oneMinusB1, m[i] * b1);
            v[i] = Math.fma(oneMinusB2 * grads[i], grads[i], v[i] * b2);
            u[i] = m[i] * invBc1 / Math.fma((float) Math.sqrt(v[i]), invBc2Sqrt, eps);
            if (decay != 0) {
                u[i] = Math.fma(params[i], decay, u[i]);
            }
        }
        double paramNorm = Math.sqrt(SquareSum.byChunks(params, 1f));
        double updateNorm = Math.sqrt(SquareSum.byChunks(u, 1f));
        float negRate = (float) (-c.lr() * Lamb.trustRatio(paramNorm, updateNorm));
        for (int i = 0; i < params.length; i++) {
            params[i] = Math.fma(u[i], negRate, params[i]);
        }
    }

    /**
     * {@code l}'s double-precision model over the block ({@link Reference#model}): the trust ratio takes the
     * block's norms.
     */
    public static Approx[][] model(Lamb l, float[] params, float[] grads, float[][] slots, float[] scalars,
                                   long stepsBefore) {
        int n = params.length;
        Approx[][] out = new Approx[n][];
        long t = stepsBefore + 1;
        Approx[] m = new Approx[n];
        Approx[] v = new Approx[n];
        Approx[] u = new Approx[n];
        for (int i = 0; i < n; i++) {
            Approx g = exact(grads[i]);
            m[i] = rounded(l.beta1()).times(exact(slots[0][i])).plus(rounded(1 - l.beta1()).times(g));
            v[i] = rounded(l.beta2()).times(exact(slots[1][i])).plus(rounded(1 - l.beta2()).times(g).times(g));
            Approx mHat = m[i].dividedBy(rounded(1 - Math.pow(l.beta1(), t)));
            Approx vHat = v[i].dividedBy(rounded(1 - Math.pow(l.beta2(), t)));
            u[i] = mHat.dividedBy(vHat.sqrt().plus(rounded(l.eps())))
                    .plus(rounded(l.weightDecay()).times(exact(params[i])));
        }
        Approx pn = norm(params);
        Approx un = norm(u);
        Approx ratio = pn.value() > 0 && un.value() > 0 ? pn.dividedBy(un) : exact(1);
        Approx rate = rounded(l.lr()).times(ratio);
        for (int i = 0; i < n; i++) {
            out[i] = new Approx[] {exact(params[i]).minus(rate.times(u[i])), m[i], v[i], u[i]};
        }
        return out;
    }
}
