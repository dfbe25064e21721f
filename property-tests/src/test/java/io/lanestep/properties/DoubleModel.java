package io.lanestep.properties;

import static io.lanestep.properties.Approx.exact;
import static io.lanestep.properties.Approx.rounded;

import io.lanestep.AdEMAMix;
import io.lanestep.Adadelta;
import io.lanestep.Adagrad;
import io.lanestep.Adam;
import io.lanestep.AdamW;
import io.lanestep.AdamWLegacy;
import io.lanestep.Adamax;
import io.lanestep.Adan;
import io.lanestep.Adopt;
import io.lanestep.Asgd;
import io.lanestep.AveragedMomentum;
import io.lanestep.HeavyBallMomentum;
import io.lanestep.LaProp;
import io.lanestep.Lamb;
import io.lanestep.Lars;
import io.lanestep.Lion;
import io.lanestep.Mars;
import io.lanestep.Muon;
import io.lanestep.NAdam;
import io.lanestep.Optimizer;
import io.lanestep.Prodigy;
import io.lanestep.RAdam;
import io.lanestep.Rmsprop;
import io.lanestep.Rprop;
import io.lanestep.ScheduleFree;
import io.lanestep.ScheduleFreeAdamW;
import io.lanestep.ScheduleFreeSgd;
import io.lanestep.Sgd;
import io.lanestep.SignalToNoiseSgd;
import io.lanestep.SimplifiedAdEMAMix;

/**
 * The optimizers' formulas as the math states them (seed-math.md, PyTorch's documentation),
 * evaluated in double precision one element at a time, with a running bound on float32 rounding
 * error ({@link Approx}). Written from the math, not from the reference's operation order.
 * Returns the new parameter, then each state slot in key order.
 */
final class DoubleModel {
    private DoubleModel() {
    }

    /**
     * Every element's new parameter and state slots ({@code slots[k][i]} is slot {@code k} of element
     * {@code i}). LARS and LAMB scale by whole-block norms; every other optimizer is elementwise.
     */
    static Approx[][] block(Optimizer optimizer, float[] params, float[] grads, float[][] slots, float[] scalars,
                            long stepsBefore) {
        int n = params.length;
        Approx[][] out = new Approx[n][];
        switch (optimizer) {
            case Lars l -> {
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
            }
            case Mars a -> mars(a, params, grads, slots, stepsBefore + 1, out);
            case Prodigy a -> prodigy(a, params, grads, slots, scalars, stepsBefore + 1, out);
            case Lamb l -> {
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
            }
            case Adopt a when a.caution() -> cautious(a.withCaution(false), params, grads, slots, scalars,
                    stepsBefore, out);
            case LaProp a when a.caution() -> cautious(a.withCaution(false), params, grads, slots, scalars,
                    stepsBefore, out);
            case Adan a when a.caution() -> cautious(a.withCaution(false), params, grads, slots, scalars,
                    stepsBefore, out);
            case Lion l when l.caution() -> cautious(l.withCaution(false), params, grads, slots, scalars,
                    stepsBefore, out);
            case AdamWLegacy a when a.caution() -> cautious(a.withCaution(false), params, grads, slots, scalars,
                    stepsBefore, out);
            default -> {
                for (int i = 0; i < n; i++) {
                    float[] before = new float[slots.length];
                    for (int k = 0; k < slots.length; k++) {
                        before[k] = slots[k][i];
                    }
                    out[i] = step(optimizer, params[i], grads[i], before, scalars, stepsBefore);
                }
            }
        }
        return out;
    }

    /**
     * The caution mask scales the update by the whole block's count of coordinates agreeing in sign
     * with the gradient, which rounding near 0 leaves open: the state is {@code plain}'s (the mask
     * changes none of it) and the parameters are left to the reference and timm's cases.
     */
    private static void cautious(Optimizer plain, float[] params, float[] grads, float[][] slots, float[] scalars,
                                 long stepsBefore, Approx[][] out) {
        for (int i = 0; i < params.length; i++) {
            float[] before = new float[slots.length];
            for (int k = 0; k < slots.length; k++) {
                before[k] = slots[k][i];
            }
            out[i] = step(plain, params[i], grads[i], before, scalars, stepsBefore);
            out[i][0] = new Approx(0, Double.POSITIVE_INFINITY);
        }
    }

    /**
     * XLA's bias correction {@code 1 / (1 - f(f(beta)^t))}: the power of the float32 beta rounded to
     * float32 before the subtraction, whose cancellation keeps that rounding (relative 1e-5 for
     * beta 0.999 at t = 2), then a reciprocal the update multiplies by.
     */
    private static Approx xlaCorrection(double beta, long t) {
        Approx one = exact(1);
        return one.dividedBy(one.minus(rounded(Math.pow((float) beta, t))));
    }

    /**
     * Schedule-Free's averaging: {@code z} moves by the base step {@code u}, and the new point is
     * {@code b1·x + (1 - b1)·z} with {@code x} the running average. The float32 schedule and weights
     * (one rounding each from their float inputs) are taken as the engine's helpers compute them.
     */
    private static Approx[] scheduleFree(Approx y, Approx z0, Approx u, double lr, long warmup, double b1,
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
    private static Approx norm(float[] values) {
        Approx sum = exact(0);
        for (float x : values) {
            sum = sum.plus(exact(x).times(exact(x)));
        }
        return sum.sqrt();
    }

    /**
     * MARS over the block: the corrected gradient, its norm (near 1 the float comparison may go
     * either way: then nothing is bounded), the moments and the step. With the caution mask or the
     * Lion-type sign near 0 the parameter is left to the reference and timm's cases.
     */
    private static void mars(Mars a, float[] params, float[] grads, float[][] slots, long t, Approx[][] out) {
        int n = params.length;
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
    }

    /**
     * Prodigy over the block, its sums in any order within their bounds. Where the step size's
     * {@code max} is within rounding of a tie the parameters are left unbounded; the moments, which
     * use the step size before the step, are bounded always.
     */
    private static void prodigy(Prodigy a, float[] params, float[] grads, float[][] slots, float[] scalars, long t,
                                Approx[][] out) {
        int n = params.length;
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
        boolean tie = Math.abs(ratio.value() - d.value()) <= ratio.error();
        Approx next = ratio.value() > d.value() ? ratio : d;
        Approx unbounded = new Approx(0, Double.POSITIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            Approx p = exact(params[i]);
            Approx q = dlr.times(m[i]).dividedBy(v[i].sqrt().plus(next.times(rounded(a.eps()))));
            Approx moved = p.minus(dlr.times(rounded(a.weightDecay())).times(p)).minus(q);
            out[i] = new Approx[] {tie ? unbounded : moved, m[i], v[i], s[i], exact(t == 1 ? params[i] : slots[3][i])};
        }
    }

    private static Approx norm(Approx[] values) {
        Approx sum = exact(0);
        for (Approx x : values) {
            sum = sum.plus(x.times(x));
        }
        return sum.sqrt();
    }

    /** One element of an elementwise optimizer. */
    static Approx[] step(Optimizer optimizer, float pf, float gf, float[] slots, float[] scalars, long stepsBefore) {
        Approx p = exact(pf);
        Approx one = exact(1);
        long t = stepsBefore + 1;
        return switch (optimizer) {
            case Sgd s -> {
                Approx d = exact(s.maximize() ? -gf : gf).plus(p.times(rounded(s.weightDecay())));
                if (s.momentum() == 0) {
                    yield new Approx[] {p.minus(rounded(s.lr()).times(d))};
                }
                Approx b = t == 1 ? d
                        : rounded(s.momentum()).times(exact(slots[0])).plus(rounded(1 - s.dampening()).times(d));
                Approx dir = s.nesterov() ? d.plus(rounded(s.momentum()).times(b)) : b;
                yield new Approx[] {p.minus(rounded(s.lr()).times(dir)), b};
            }
            case HeavyBallMomentum h -> {
                Approx v = rounded(h.momentum()).times(exact(slots[0])).plus(rounded(h.lr()).times(exact(gf)));
                yield new Approx[] {p.minus(v), v};
            }
            case AveragedMomentum a -> {
                Approx avg = rounded(a.momentum()).times(exact(slots[0]))
                        .plus(rounded(1 - a.momentum()).times(exact(gf)));
                yield new Approx[] {p.minus(rounded(a.lr()).times(avg)), avg};
            }
            case Rmsprop r -> {
                Approx g = exact(r.maximize() ? -gf : gf).plus(p.times(rounded(r.weightDecay())));
                Approx alpha = rounded(r.alpha());
                Approx v = alpha.times(exact(slots[0])).plus(rounded(1 - r.alpha()).times(g).times(g));
                int k = 1;
                Approx buffer = null;
                if (r.momentum() > 0) {
                    buffer = exact(slots[k++]);
                }
                Approx ga = null;
                Approx variance = v;
                if (r.centered()) {
                    ga = moment(exact(slots[k]), g, r.alpha(), r.numerics().torch2());
                    variance = v.minus(ga.times(ga));
                }
                Approx avg = variance.sqrt().plus(rounded(r.eps()));
                Approx step = g.dividedBy(avg);
                if (buffer != null) {
                    buffer = rounded(r.momentum()).times(buffer).plus(step);
                    step = buffer;
                }
                Approx newP = p.minus(rounded(r.lr()).times(step));
                yield buffer == null ? (ga == null ? new Approx[] {newP, v} : new Approx[] {newP, v, ga})
                        : (ga == null ? new Approx[] {newP, v, buffer} : new Approx[] {newP, v, buffer, ga});
            }
            case Adam a -> adam(p, exact(a.maximize() ? -gf : gf), slots, t, a.lr(), a.beta1(), a.beta2(), a.eps(),
                    a.weightDecay(), false, a.amsgrad(), a.numerics().torch2(), a.epsilonHat());
            case AdamW a -> adam(p, exact(a.maximize() ? -gf : gf), slots, t, a.lr(), a.beta1(), a.beta2(), a.eps(),
                    a.weightDecay(), true, a.amsgrad(), a.numerics().torch2(), false);
            // Corrected decay multiplies by 1 - (lr²/initialLr)·wd: the same factor as decay lr·wd/initialLr.
            case AdamWLegacy a -> adam(p, exact(a.maximize() ? -gf : gf), slots, t, a.lr(), a.beta1(), a.beta2(),
                    a.eps(), a.correctedWeightDecay() ? a.lr() * a.weightDecay() / a.initialLr() : a.weightDecay(),
                    true, a.amsgrad(), false, false);
            case SignalToNoiseSgd s -> {
                Approx mean = exact(slots[0]);
                Approx sq = exact(slots[1]);
                boolean warmup = t <= s.warmupSteps();
                Approx before = sq.minus(mean.times(mean)).max(exact(0));
                Approx r = warmup ? rounded(Math.min(1, Math.max(s.batchSize() / s.warmupSteps(), 1.0 / t)))
                        : rounded(s.batchSize()).times(mean.times(mean).plus(rounded(s.eps()).times(before)))
                                .ratioCappedAt(rounded(s.lambdaB()).times(before),
                                        exact(SignalToNoiseSgd.MAX_AVERAGING_WEIGHT));
                Approx g = exact(gf);
                mean = one.minus(r).times(mean).plus(r.times(g));
                sq = one.minus(r).times(sq).plus(r.times(g).times(g));
                if (warmup) {
                    yield new Approx[] {p, mean, sq};
                }
                Approx variance = sq.minus(mean.times(mean)).max(exact(0));
                Approx eta = rounded(s.lambdaEta()).times(mean).times(mean)
                        .ratioCappedAt(variance, rounded(s.lambdaEta() * s.lambdaB() / s.batchSize()));
                yield new Approx[] {p.minus(eta.times(mean)), mean, sq};
            }
            case Adagrad a -> {
                Approx g = exact(a.maximize() ? -gf : gf).plus(p.times(rounded(a.weightDecay())));
                Approx sum = exact(slots[0]).plus(g.times(g));
                Approx clr = rounded(a.lr() / (1 + (t - 1) * a.lrDecay()));
                yield new Approx[] {p.minus(clr.times(g).dividedBy(sum.sqrt().plus(rounded(a.eps())))), sum};
            }
            case Adamax a -> {
                Approx g = exact(a.maximize() ? -gf : gf).plus(p.times(rounded(a.weightDecay())));
                Approx m = moment(exact(slots[0]), g, a.beta1(), a.numerics().torch2());
                Approx u = rounded(a.beta2()).times(exact(slots[1])).max(g.abs().plus(rounded(a.eps())));
                Approx step = rounded(a.lr() / (1 - Math.pow(a.beta1(), t)));
                yield new Approx[] {p.minus(step.times(m).dividedBy(u)), m, u};
            }
            case NAdam a -> {
                if (a.decoupledWeightDecay()) {
                    p = p.times(rounded(1 - a.lr() * a.weightDecay()));
                }
                Approx g = exact(a.maximize() ? -gf : gf)
                        .plus(p.times(rounded(a.decoupledWeightDecay() ? 0 : a.weightDecay())));
                double mu = a.beta1() * (1 - 0.5 * Math.pow(0.96, t * a.momentumDecay()));
                double muNext = a.beta1() * (1 - 0.5 * Math.pow(0.96, (t + 1) * a.momentumDecay()));
                Approx product = exact(scalars[0]).times(rounded(mu));
                Approx next = product.times(rounded(muNext));
                Approx m = moment(exact(slots[0]), g, a.beta1(), a.numerics().torch2());
                Approx v = rounded(a.beta2()).times(exact(slots[1])).plus(rounded(1 - a.beta2()).times(g).times(g));
                Approx denom = v.dividedBy(rounded(1 - Math.pow(a.beta2(), t))).sqrt().plus(rounded(a.eps()));
                Approx gradCoef = exact(a.lr() * (1 - mu)).dividedBy(one.minus(product));
                Approx avgCoef = exact(a.lr() * muNext).dividedBy(one.minus(next));
                yield new Approx[] {p.minus(gradCoef.times(g).dividedBy(denom)).minus(avgCoef.times(m).dividedBy(denom)),
                        m, v};
            }
            case RAdam a -> {
                if (a.decoupledWeightDecay()) {
                    p = p.times(rounded(1 - a.lr() * a.weightDecay()));
                }
                Approx g = exact(a.maximize() ? -gf : gf)
                        .plus(p.times(rounded(a.decoupledWeightDecay() ? 0 : a.weightDecay())));
                Approx m = moment(exact(slots[0]), g, a.beta1(), a.numerics().torch2());
                Approx v = rounded(a.beta2()).times(exact(slots[1])).plus(rounded(1 - a.beta2()).times(g).times(g));
                Approx mh = m.dividedBy(rounded(1 - Math.pow(a.beta1(), t)));
                double bc2 = 1 - Math.pow(a.beta2(), t);
                double rhoInf = 2 / (1 - a.beta2()) - 1;
                double rhoT = rhoInf - 2 * t * Math.pow(a.beta2(), t) / bc2;
                Approx step = rounded(a.lr()).times(mh);
                if (rhoT > 5) {
                    double rect = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
                    step = step.times(rounded(Math.sqrt(bc2))).dividedBy(v.sqrt().plus(rounded(a.eps())))
                            .times(rounded(rect));
                }
                yield new Approx[] {p.minus(step), m, v};
            }
            case Adadelta a -> {
                Approx g = exact(a.maximize() ? -gf : gf).plus(p.times(rounded(a.weightDecay())));
                Approx v = rounded(a.rho()).times(exact(slots[0])).plus(rounded(1 - a.rho()).times(g).times(g));
                Approx acc = exact(slots[1]);
                Approx delta = acc.plus(rounded(a.eps())).sqrt().dividedBy(v.plus(rounded(a.eps())).sqrt()).times(g);
                Approx newAcc = rounded(a.rho()).times(acc).plus(rounded(1 - a.rho()).times(delta).times(delta));
                yield new Approx[] {p.minus(rounded(a.lr()).times(delta)), v, newAcc};
            }
            case Asgd a -> {
                Approx g = exact(a.maximize() ? -gf : gf).plus(p.times(rounded(a.weightDecay())));
                Approx eta = exact(scalars[0]);
                Approx moved = p.minus(rounded(a.lambd()).times(eta).times(p)).minus(eta.times(g));
                Approx ax = scalars[1] == 1f && a.numerics() != io.lanestep.Numerics.TORCH_2_FOREACH ? moved
                        : exact(slots[0]).plus(moved.minus(exact(slots[0])).times(exact(scalars[1])));
                yield new Approx[] {moved, ax};
            }
            case Lion l -> {
                Approx g = exact(l.maximize() ? -gf : gf);
                double s = l.correctedWeightDecay() ? l.lr() * l.lr() / l.initialLr() : l.lr();
                Approx decayed = p.times(rounded(1 - s * l.weightDecay()));
                Approx c = rounded(l.beta1()).times(exact(slots[0])).plus(rounded(1 - l.beta1()).times(g));
                // The sign is discontinuous at 0: within rounding of 0 the float sign may go either way.
                Approx sign = Math.abs(c.value()) > c.error() ? exact(Math.signum(c.value()))
                        : new Approx(0, Double.POSITIVE_INFINITY);
                Approx m = moment(exact(slots[0]), g, l.beta2(), l.numerics() == io.lanestep.Numerics.TORCH_2_SINGLE);
                yield new Approx[] {decayed.minus(rounded(l.lr()).times(sign)), m};
            }
            case ScheduleFreeAdamW a -> {
                Approx g = exact(gf);
                Approx nu = rounded(a.b2()).times(exact(slots[1])).plus(rounded(1 - a.b2()).times(g).times(g));
                Approx u = g.dividedBy(nu.times(xlaCorrection(a.b2(), t)).sqrt().plus(rounded(a.eps())));
                if (a.weightDecay() != 0) {
                    u = u.plus(rounded(a.weightDecay()).times(p));
                }
                Approx[] moved = scheduleFree(p, exact(t == 1 ? pf : slots[0]), u, a.lr(), a.warmupSteps(), a.b1(),
                        a.weightLrPower(), scalars, t);
                yield new Approx[] {moved[0], moved[1], nu};
            }
            case ScheduleFreeSgd s -> {
                Approx u = exact(gf);
                if (!Double.isNaN(s.weightDecay())) {
                    u = u.plus(rounded(s.weightDecay()).times(p));
                }
                yield scheduleFree(p, exact(t == 1 ? pf : slots[0]), u, s.lr(), s.warmupSteps(), s.b1(),
                        s.weightLrPower(), scalars, t);
            }
            case LaProp a -> {
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
                yield new Approx[] {moved, m, v};
            }
            case Adopt a -> {
                Approx g = exact(a.maximize() ? -gf : gf);
                boolean decay = a.weightDecay() != 0;
                if (decay && !a.decoupled()) {
                    g = g.plus(p.times(rounded(a.weightDecay())));
                }
                Approx v0 = exact(slots[1]);
                if (t == 1 && !a.optax()) {
                    yield new Approx[] {p, exact(slots[0]), v0.plus(g.times(g))};
                }
                // optax's first step runs the whole update with beta1 1 and beta2 0: its moment keeps
                // 0 times the normed gradient, which is NaN where eps is 0 and so is the moment.
                double beta1 = t == 1 ? 1 : a.beta1();
                double beta2 = t == 1 ? 0 : a.beta2();
                if (decay && a.decoupled()) {
                    double s = a.correctedWeightDecay() ? a.lr() * a.lr() / a.initialLr() : a.lr();
                    p = p.minus(rounded(s * a.weightDecay()).times(p));
                }
                // The gradient over the root of the previous steps' second moment, then clipped.
                Approx normed = g.dividedBy(v0.sqrt().max(rounded(a.eps())));
                if (!Double.isNaN(a.clipExponent())) {
                    Approx c = rounded(Math.pow(t - 1, a.clipExponent()));
                    normed = normed.max(c.negate()).min(c);
                }
                if (a.optax()) {
                    // optax picks its decays per step in float32, so each weight is 1 - f(beta), not f(1 - beta).
                    beta1 = (float) beta1;
                    beta2 = (float) beta2;
                }
                Approx m = moment(exact(slots[0]), normed, beta1, !a.optax());
                Approx u = a.nesterov() ? moment(m, normed, beta1, false) : m;
                Approx v = rounded(beta2).times(v0).plus(rounded(1 - beta2).times(g).times(g));
                yield new Approx[] {p.minus(rounded(a.lr()).times(u)), m, v};
            }
            case Adan a -> {
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
                yield new Approx[] {moved, m, d, v, g.negate()};
            }
            case AdEMAMix a -> {
                Approx g = exact(gf);
                Approx m1 = rounded(a.beta1()).times(exact(slots[0])).plus(rounded(1 - a.beta1()).times(g));
                Approx m2 = exact(a.beta3At(t - 1)).times(exact(slots[1]))
                        .plus(exact(a.oneMinusBeta3At(t - 1)).times(g));
                Approx nu = rounded(a.beta2()).times(exact(slots[2])).plus(rounded(1 - a.beta2()).times(g).times(g));
                Approx u = m1.times(xlaCorrection(a.beta1(), t)).plus(exact(a.alphaAt(t - 1)).times(m2))
                        .dividedBy(nu.times(xlaCorrection(a.beta2(), t)).plus(rounded(a.epsRoot())).sqrt()
                                .plus(rounded(a.eps())));
                yield new Approx[] {p.minus(rounded(a.lr()).times(u.plus(rounded(a.weightDecay()).times(p)))), m1, m2,
                        nu};
            }
            case SimplifiedAdEMAMix a -> {
                Approx g = exact(gf);
                // A momentum that sums (beta1·m + g), not an average.
                Approx m = rounded(a.beta1()).times(exact(slots[0])).plus(g);
                // optax's lerp from g² toward n by f(beta2): the weight on g² is 1 - f(beta2), not f(1 - beta2).
                Approx gg = g.times(g);
                Approx n = gg.plus(rounded(a.beta2()).times(exact(slots[1]).minus(gg)));
                Approx u = m.plus(exact(a.alphaAt(t - 1)).times(g))
                        .dividedBy(n.times(xlaCorrection(a.beta2(), t)).plus(rounded(a.epsRoot())).sqrt()
                                .plus(rounded(a.eps())));
                yield new Approx[] {p.minus(rounded(a.lr()).times(u.plus(rounded(a.weightDecay()).times(p)))), m, n};
            }
            case Lars l -> throw new IllegalArgumentException("LARS scales by block norms: use block()");
            case io.lanestep.Adafactor a -> throw new IllegalArgumentException("Adafactor has no double model");
            case Lamb l -> throw new IllegalArgumentException("LAMB scales by block norms: use block()");
            case Mars m -> throw new IllegalArgumentException("MARS takes the block's norm: use block()");
            case Prodigy o -> throw new IllegalArgumentException("Prodigy sums over the block: use block()");
            case Muon o -> throw new IllegalArgumentException("Muon is not elementwise: see MuonProperties");
            case Rprop r -> {
                float g = r.maximize() ? -gf : gf;
                double product = (double) g * slots[0];
                Approx factor = product > 0 ? rounded(r.etaPlus()) : product < 0 ? rounded(r.etaMinus()) : one;
                Approx size = exact(slots[1]).times(factor).max(rounded(r.stepMin())).min(rounded(r.stepMax()));
                double move = product < 0 ? 0 : Math.signum(g);
                yield new Approx[] {p.minus(size.times(exact(move))), exact(move == 0 ? 0 : g), size};
            }
        };
    }

    /**
     * An exponential moving average: {@code beta·old + (1 - beta)·g} with both factors rounded
     * (torch 1.13), or torch 2.x's {@code lerp}, {@code old + w·(g - old)} with {@code w = f(1 - beta)}:
     * its effective decay is {@code 1 - w}, which for a beta near 0 is far from {@code f(beta)}.
     */
    private static Approx moment(Approx old, Approx g, double beta, boolean lerp) {
        if (lerp) {
            return old.plus(rounded(1 - beta).times(g.minus(old)));
        }
        return rounded(beta).times(old).plus(rounded(1 - beta).times(g));
    }

    private static Approx[] adam(Approx p, Approx g, float[] slots, long t, double lr, double beta1, double beta2,
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
