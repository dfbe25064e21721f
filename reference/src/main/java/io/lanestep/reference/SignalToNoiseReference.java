package io.lanestep.reference;

import static io.lanestep.reference.Approx.exact;
import static io.lanestep.reference.Approx.rounded;

import io.lanestep.SignalToNoiseSgd;

/**
 * The seed's signal-to-noise SGD ({@link SignalToNoiseSgd} gives the derivation and the decided
 * open points). At step {@code t} (from 1) with batch size {@code B}, per element:
 * <pre>
 * if t ≤ K:  r = f(min(1, max(B/K, 1/t)))
 * else:      var = max(0, fma(-ḡ, ḡ, s̄));  num = f(B) * fma(ḡ, ḡ, f(ε) * var);  den = f(λ_B) * var
 *            r = num >= ½·den ? ½ : num / den
 * ḡ = fma(r, g, (1 - r) * ḡ)
 * s̄ = fma(r, g * g, (1 - r) * s̄)
 * if t > K:  var = max(0, fma(-ḡ, ḡ, s̄));  a = f(λ_η) * (ḡ * ḡ);  c = f(λ_η λ_B / B)
 *            η = a >= c * var ? c : a / var
 *            p = fma(-η, ḡ, p)
 * </pre>
 */
public final class SignalToNoiseReference {
    private SignalToNoiseReference() {
    }

    /** One step; the step number is {@code state.step() + 1}. */
    public static void step(SignalToNoiseSgd c, float[] params, float[] grads, ReferenceState state) {
        float[] mean = state.slot(SignalToNoiseSgd.GRAD_MEAN);
        float[] sqMean = state.slot(SignalToNoiseSgd.GRAD_SQ_MEAN);
        long t = state.step() + 1;
        boolean warmup = t <= c.warmupSteps();
        for (int i = 0; i < params.length; i++) {
            float r = warmup ? (float) c.warmupWeight(t) : averagingWeight(c, mean[i], sqMean[i]);
            mean[i] = Math.fma(r, grads[i], (1f - r) * mean[i]);
            sqMean[i] = Math.fma(r, grads[i] * grads[i], (1f - r) * sqMean[i]);
            if (!warmup) {
                params[i] = Math.fma(-rate(c, mean[i], sqMean[i]), mean[i], params[i]);
            }
        }
    }

    /** σ̂² from the running mean and second moment, never negative. */
    public static float variance(float mean, float sqMean) {
        return Math.max(0f, Math.fma(-mean, mean, sqMean));
    }

    /** The averaging weight r = min(½, B/B*) after warm-up, from the statistics before the step. */
    public static float averagingWeight(SignalToNoiseSgd c, float mean, float sqMean) {
        float variance = variance(mean, sqMean);
        float num = (float) c.batchSize() * Math.fma(mean, mean, (float) c.eps() * variance);
        float den = (float) c.lambdaB() * variance;
        float most = (float) SignalToNoiseSgd.MAX_AVERAGING_WEIGHT;
        return num >= most * den ? most : num / den;
    }

    /** The per-coordinate learning rate min(λ_η λ_B / B, λ_η ḡ²/σ̂²) after warm-up. */
    public static float rate(SignalToNoiseSgd c, float mean, float sqMean) {
        float variance = variance(mean, sqMean);
        float a = (float) c.lambdaEta() * (mean * mean);
        float cap = (float) c.maxRate();
        return a >= cap * variance ? cap : a / variance;
    }

    /**
     * One element of {@code s}'s double-precision model ({@link Reference#model}) at step
     * {@code t} (from 1): the new parameter, then each state slot in key order.
     */
    public static Approx[] element(SignalToNoiseSgd s, float pf, float gf, float[] slots, float[] scalars, long t) {
        Approx p = exact(pf);
        Approx one = exact(1);
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
            return new Approx[] {p, mean, sq};
        }
        Approx variance = sq.minus(mean.times(mean)).max(exact(0));
        Approx eta = rounded(s.lambdaEta()).times(mean).times(mean)
                .ratioCappedAt(variance, rounded(s.lambdaEta() * s.lambdaB() / s.batchSize()));
        return new Approx[] {p.minus(eta.times(mean)), mean, sq};
    }
}
