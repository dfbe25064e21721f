package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;
import static io.lanestep.reference.Models.norm;

import io.lanestep.Lars;
import io.lanestep.Sgd;

/**
 * LARS (You et al. 2017, Algorithm 1), float32; norms by {@link SquareSum#byChunks}, the trust ratio in double ({@link Lars#trustRatio}). Per element:
 * <pre>
 * d = fma(p, f(weightDecay), g)         (with weight decay; else d = g)
 * v = fma(d, f(lr·trust), v * f(momentum))
 * p = p - v
 * </pre>
 */
public final class LarsReference {
    private LarsReference() {
    }

    /** One step. */
    public static void step(Lars c, float[] params, float[] grads, ReferenceState state) {
        float[] velocity = state.slot(Sgd.MOMENTUM_BUFFER);
        double paramNorm = Math.sqrt(SquareSum.byChunks(params, 1f));
        double gradNorm = Math.sqrt(SquareSum.byChunks(grads, 1f));
        float rate = (float) (c.lr() * c.trustRatio(paramNorm, gradNorm));
        float decay = (float) c.weightDecay();
        float momentum = (float) c.momentum();
        for (int i = 0; i < params.length; i++) {
            float d = decay != 0 ? Math.fma(params[i], decay, grads[i]) : grads[i];
            velocity[i] = Math.fma(d, rate, velocity[i] * momentum);
            params[i] = params[i] - velocity[i];
        }
    }

    /**
     * {@code l}'s double-precision model over the block ({@link Reference#model}): the trust ratio takes the
     * block's norms.
     */
    public static Approx[][] model(Lars l, float[] params, float[] grads, float[][] slots, float[] scalars,
                                   long stepsBefore) {
        int n = params.length;
        Approx[][] out = new Approx[n][];
        Approx pn = norm(params);
        Approx gn = norm(grads);
        Approx beta = rounded(l.weightDecay());
        Approx trust = pn.value() > 0 && gn.value() > 0
                ? rounded(l.trustCoefficient()).times(pn)
                        .dividedBy(gn.plus(beta.times(pn)).plus(rounded(l.eps())))
                : exact(1);
        Approx localRate = rounded(l.lr()).times(trust);
        for (int i = 0; i < n; i++) {
            Approx p = exact(params[i]);
            Approx v = rounded(l.momentum()).times(exact(slots[0][i]))
                    .plus(localRate.times(exact(grads[i]).plus(beta.times(p))));
            out[i] = new Approx[] {p.minus(v), v};
        }
        return out;
    }
}
