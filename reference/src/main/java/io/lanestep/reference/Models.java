package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;

import io.lanestep.ScheduleFree;

/**
 * What the optimizers' double-precision models ({@link Reference#model}) share: the loop over an
 * elementwise block, the caution mask, moving averages, Adam's rule, XLA's bias correction,
 * Schedule-Free's averaging and norms.
 */
final class Models {
    private Models() {
    }

    /** One element's model: the new parameter, then each state slot in key order. */
    interface Element {
        Approx[] of(float param, float grad, float[] slots);
    }

    /** Every element of an elementwise optimizer's block ({@code slots[k][i]}: slot {@code k} of element {@code i}). */
    static Approx[][] each(float[] params, float[] grads, float[][] slots, Element element) {
        Approx[][] out = new Approx[params.length][];
        for (int i = 0; i < params.length; i++) {
            float[] before = new float[slots.length];
            for (int k = 0; k < slots.length; k++) {
                before[k] = slots[k][i];
            }
            out[i] = element.of(params[i], grads[i], before);
        }
        return out;
    }

    /**
     * The caution mask scales the update by the whole block's count of coordinates agreeing in sign
     * with the gradient, which rounding near 0 leaves open: the state is the plain optimizer's (the
     * mask changes none of it) and the parameters are left to the reference and timm's cases.
     */
    static Approx[][] cautious(boolean caution, Approx[][] plain) {
        if (caution) {
            for (Approx[] element : plain) {
                element[0] = new Approx(0, Double.POSITIVE_INFINITY);
            }
        }
        return plain;
    }

    /**
     * XLA's bias correction {@code 1 / (1 - f(f(beta)^t))}: the power of the float32 beta rounded to
     * float32 before the subtraction, whose cancellation keeps that rounding (relative 1e-5 for
     * beta 0.999 at t = 2), then a reciprocal the update multiplies by.
     */
    static Approx xlaCorrection(double beta, long t) {
        Approx one = exact(1);
        return one.dividedBy(one.minus(rounded(Math.pow((float) beta, t))));
    }

    /**
     * Schedule-Free's averaging: {@code z} moves by the base step {@code u}, and the new point is
     * {@code b1·x + (1 - b1)·z} with {@code x} the running average. The float32 schedule and weights
     * (one rounding each from their float inputs) are taken as the engine's helpers compute them.
     */
    static Approx[] scheduleFree(Approx y, Approx z0, Approx u, double lr, long warmup, double b1,
                                         double power, float[] scalars, long t) {
        float maxLr = Math.max(scalars[2], ScheduleFree.learningRate(lr, warmup, t));
        float sum = ScheduleFree.weightSum(scalars[1], maxLr, power);
        Approx share = exact(ScheduleFree.averagingShare(ScheduleFree.weight(maxLr, power), sum));
        Approx z = z0.minus(exact(ScheduleFree.learningRate(lr, warmup, t - 1)).times(u));
        Approx average = y.minus(rounded(1 - b1).times(z0)).dividedBy(rounded(b1));
        Approx x = exact(1).minus(share).times(average).plus(share.times(z));
        return new Approx[] {rounded(b1).times(x).plus(rounded(1 - b1).times(z)), z};
    }

    /** The L2 norm, its bound that of summing every square in float one after another. */
    static Approx norm(float[] values) {
        Approx sum = exact(0);
        for (float x : values) {
            sum = sum.plus(exact(x).times(exact(x)));
        }
        return sum.sqrt();
    }

    static Approx norm(Approx[] values) {
        Approx sum = exact(0);
        for (Approx x : values) {
            sum = sum.plus(x.times(x));
        }
        return sum.sqrt();
    }

    /**
     * An exponential moving average: {@code beta·old + (1 - beta)·g} with both factors rounded
     * (torch 1.13), or torch 2.x's {@code lerp}, {@code old + w·(g - old)} with {@code w = f(1 - beta)}:
     * its effective decay is {@code 1 - w}, which for a beta near 0 is far from {@code f(beta)}.
     */
    static Approx moment(Approx old, Approx g, double beta, boolean lerp) {
        if (lerp) {
            return old.plus(rounded(1 - beta).times(g.minus(old)));
        }
        return rounded(beta).times(old).plus(rounded(1 - beta).times(g));
    }

    static Approx[] adam(Approx p, Approx g, float[] slots, long t, double lr, double beta1, double beta2,
                                 double eps, double weightDecay, boolean decoupled, boolean amsgrad, boolean lerp,
                                 boolean epsilonHat) {
        if (decoupled) {
            p = p.times(rounded(1 - lr * weightDecay));
        } else {
            g = g.plus(p.times(rounded(weightDecay)));
        }
        Approx m = moment(exact(slots[0]), g, beta1, lerp);
        Approx v = rounded(beta2).times(exact(slots[1])).plus(rounded(1 - beta2).times(g).times(g));
        Approx s = amsgrad ? exact(slots[2]).max(v) : v;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        // Kingma and Ba's "efficient version": eps on the uncorrected root, the correction in the step.
        Approx newP = epsilonHat
                ? p.minus(rounded(lr * Math.sqrt(bc2) / bc1).times(m).dividedBy(s.sqrt().plus(rounded(eps))))
                : p.minus(rounded(lr / bc1).times(m).dividedBy(s.sqrt().dividedBy(rounded(Math.sqrt(bc2)))
                        .plus(rounded(eps))));
        return amsgrad ? new Approx[] {newP, m, v, s} : new Approx[] {newP, m, v};
    }
}
