package io.lanestep;

import java.util.List;

/**
 * AdEMAMix (Pagliardini et al. 2024, "The AdEMAMix Optimizer: Better, Faster, Older") as optax's
 * jitted {@code optax.contrib.ademamix} computes it on an XLA CPU, bit for bit: Adam whose
 * numerator mixes in a slow moving average of the gradient. XLA contracts a product and a sum into
 * one {@code fma} and divides by a bias correction as a multiplication by its float32 reciprocal;
 * its powers of the betas are float32 ({@code f(b)^t} rounded once). At step {@code t}:
 * <pre>
 * m1 = fma(g, f(1 - beta1), m1 * f(beta1))
 * m2 = fma(g, f(1 - beta3), m2 * f(beta3))
 * nu = fma(g * g, f(1 - beta2), nu * f(beta2))
 * r1 = 1 / (1 - f(f(beta1)^t));  r2 = 1 / (1 - f(f(beta2)^t))
 * u = fma(m1, r1, m2 * f(alpha)) / (sqrt(epsRoot != 0 ? fma(nu, r2, f(epsRoot)) : nu * r2) + f(eps))
 * weightDecay != 0:  u = fma(p, f(weightDecay), u)
 * p = fma(u, f(-lr), p)
 * </pre>
 * XLA's CPU code may flush subnormals to zero; these loops keep them (the 22 AdEMAMix and simplified
 * AdEMAMix sample cases agree, three of them with subnormal gradients).
 *
 * <p>The paper's warm-ups, at {@code c = t - 1} (optax's {@code count_m2}): {@code alpha} rises
 * linearly from 0 over {@code alphaWarmup} steps as {@code optax.linear_schedule(0, alpha,
 * alphaWarmup)} computes it ({@link #alphaAt}); {@code beta3} rises from {@code beta1} over
 * {@code beta3Warmup} steps with {@code 1/ln(beta3)} linear in {@code c} ({@link #beta3At}). A
 * scheduled {@code beta3} is a float32 value at run time, so its complement is {@code 1 - f(beta3(c))}
 * in float32, not {@code f(1 - beta3)}: optax's step given that schedule.
 *
 * @param lr          learning rate, finite and &ge; 0 (optax requires it)
 * @param beta1       fast average's decay in [0, 1) (0.9)
 * @param beta2       second moment's decay in [0, 1) (0.999)
 * @param beta3       slow average's decay in [0, 1) (0.9999)
 * @param alpha       weight of the slow average, &ge; 0 (5.0)
 * @param eps         added to the root, &ge; 0 (1e-8)
 * @param epsRoot     added under the root, &ge; 0 (0)
 * @param weightDecay decay added to the update, &ge; 0 (0)
 * @param alphaWarmup steps of {@code alpha}'s linear warm-up from 0, &ge; 0 (0: none)
 * @param beta3Warmup steps of {@code beta3}'s warm-up from {@code beta1}, &ge; 0 (0: none)
 */
public record AdEMAMix(double lr, double beta1, double beta2, double beta3, double alpha, double eps, double epsRoot,
                       double weightDecay, long alphaWarmup, long beta3Warmup) implements Optimizer {
    /** The state slot of the fast moving average. */
    public static final String M1 = "m1";
    /** The state slot of the slow moving average. */
    public static final String M2 = "m2";
    /** The state slot of the second moment. */
    public static final String NU = "nu";

    /** Validates every hyperparameter. */
    public AdEMAMix {
        AdamW.validate(lr, beta1, beta2, eps, weightDecay);
        Hyper.belowOne("beta3", beta3);
        Hyper.nonNegative("alpha", alpha);
        Hyper.nonNegative("epsRoot", epsRoot);
        Hyper.warmupSteps("alphaWarmup", alphaWarmup);
        Hyper.warmupSteps("beta3Warmup", beta3Warmup);
    }

    /** Without warm-ups. */
    public AdEMAMix(double lr, double beta1, double beta2, double beta3, double alpha, double eps, double epsRoot,
                    double weightDecay) {
        this(lr, beta1, beta2, beta3, alpha, eps, epsRoot, weightDecay, 0, 0);
    }

    /**
     * {@code alpha} at the step after {@code count} steps, in float32: {@code f(alpha)} without a warm-up,
     * else {@code fma(fma(-f(c), 1/f(W), 1), f(-alpha), f(alpha))} while {@code c < W}.
     */
    public float alphaAt(long count) {
        return XlaMath.linearWarmup(alpha, alphaWarmup, count);
    }

    /**
     * {@code beta3} at the step after {@code count} steps, in float32. While {@code c < W}, with
     * {@code a = c/W}: {@code exp(1 / ((1 - a)/ln(beta1) + a/ln(beta3)))}, the paper's schedule (the
     * half-life in steps moves linearly from {@code beta1}'s to {@code beta3}'s), computed in double and
     * rounded once.
     */
    public float beta3At(long count) {
        if (beta3Warmup == 0 || count >= beta3Warmup) {
            return (float) beta3;
        }
        double a = count / (double) beta3Warmup;
        return (float) Math.exp(1 / ((1 - a) / Math.log(beta1) + a / Math.log(beta3)));
    }

    /** The slow average's weight on the gradient at the step after {@code count} steps, in float32. */
    public float oneMinusBeta3At(long count) {
        // Exact in double for a float32 beta3, so rounding once is float32's 1 - beta3.
        return beta3Warmup == 0 ? (float) (1 - beta3) : (float) (1 - (double) beta3At(count));
    }

    /** optax's defaults at {@code lr}: b1 0.9, b2 0.999, b3 0.9999, alpha 5, eps 1e-8. */
    public static AdEMAMix of(double lr) {
        return new AdEMAMix(lr, 0.9, 0.999, 0.9999, 5.0, 1e-8, 0, 0);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public AdEMAMix withLearningRate(double learningRate) {
        return new AdEMAMix(learningRate, beta1, beta2, beta3, alpha, eps, epsRoot, weightDecay, alphaWarmup, beta3Warmup);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(M1, M2, NU);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public AdEMAMix withBeta1(double beta1) {
        return new AdEMAMix(lr, beta1, beta2, beta3, alpha, eps, epsRoot, weightDecay, alphaWarmup, beta3Warmup);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public AdEMAMix withBeta2(double beta2) {
        return new AdEMAMix(lr, beta1, beta2, beta3, alpha, eps, epsRoot, weightDecay, alphaWarmup, beta3Warmup);
    }

    /** This configuration with {@code beta3} changed, validated as the constructor validates it. */
    public AdEMAMix withBeta3(double beta3) {
        return new AdEMAMix(lr, beta1, beta2, beta3, alpha, eps, epsRoot, weightDecay, alphaWarmup, beta3Warmup);
    }

    /** This configuration with {@code alpha} changed, validated as the constructor validates it. */
    public AdEMAMix withAlpha(double alpha) {
        return new AdEMAMix(lr, beta1, beta2, beta3, alpha, eps, epsRoot, weightDecay, alphaWarmup, beta3Warmup);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public AdEMAMix withEps(double eps) {
        return new AdEMAMix(lr, beta1, beta2, beta3, alpha, eps, epsRoot, weightDecay, alphaWarmup, beta3Warmup);
    }

    /** This configuration with {@code epsRoot} changed, validated as the constructor validates it. */
    public AdEMAMix withEpsRoot(double epsRoot) {
        return new AdEMAMix(lr, beta1, beta2, beta3, alpha, eps, epsRoot, weightDecay, alphaWarmup, beta3Warmup);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public AdEMAMix withWeightDecay(double weightDecay) {
        return new AdEMAMix(lr, beta1, beta2, beta3, alpha, eps, epsRoot, weightDecay, alphaWarmup, beta3Warmup);
    }

    /** This configuration with {@code alpha} warmed up linearly from 0 over {@code steps} steps (0: none). */
    public AdEMAMix withAlphaWarmup(long steps) {
        return new AdEMAMix(lr, beta1, beta2, beta3, alpha, eps, epsRoot, weightDecay, steps, beta3Warmup);
    }

    /** This configuration with {@code beta3} warmed up from {@code beta1} over {@code steps} steps (0: none). */
    public AdEMAMix withBeta3Warmup(long steps) {
        return new AdEMAMix(lr, beta1, beta2, beta3, alpha, eps, epsRoot, weightDecay, alphaWarmup, steps);
    }
}
