package io.lanestep;

import java.util.List;

/**
 * Simplified AdEMAMix (Morwani et al. 2025, "Connections between Schedule-Free Optimizers,
 * AdEMAMix, and Accelerated SGD Variants") as optax's jitted
 * {@code optax.contrib.simplified_ademamix} computes it on an XLA CPU, bit for bit: one
 * undamped momentum {@code m} (a sum, not an average) mixed with the gradient. Contractions,
 * reciprocals and powers as in {@link AdEMAMix}. At step {@code t}:
 * <pre>
 * m = fma(m, f(beta1), g)
 * n = fma(n - g * g, f(beta2), g * g)                 (lerp from g·g to n)
 * r2 = 1 / (1 - f(f(beta2)^t))
 * u = fma(g, f(alpha), m) / (sqrt(epsRoot != 0 ? fma(n, r2, f(epsRoot)) : n * r2) + f(eps))
 * weightDecay != 0:  u = fma(p, f(weightDecay), u)
 * p = fma(u, f(-lr), p)
 * </pre>
 * With {@code alphaWarmup}, {@code alpha} rises from 0 as {@code optax.linear_schedule(0, alpha,
 * alphaWarmup)} at optax's count {@code t - 1} ({@link #alphaAt}).
 *
 * @param lr          learning rate, finite and &ge; 0 (optax requires it)
 * @param beta1       momentum's decay in [0, 1) (0.99)
 * @param beta2       second moment's decay in [0, 1) (0.95)
 * @param alpha       weight of the gradient beside the momentum, &ge; 0 (0)
 * @param eps         added to the root, &ge; 0 (1e-8)
 * @param epsRoot     added under the root, &ge; 0 (0)
 * @param weightDecay decay added to the update, &ge; 0 (0)
 * @param alphaWarmup steps of {@code alpha}'s linear warm-up from 0, &ge; 0 (0: none)
 */
public record SimplifiedAdEMAMix(double lr, double beta1, double beta2, double alpha, double eps, double epsRoot,
                                 double weightDecay, long alphaWarmup) implements Optimizer {
    /** The state slot of the momentum. */
    public static final String M = "m";
    /** The state slot of the second moment. */
    public static final String N = "n";

    /** Validates every hyperparameter. */
    public SimplifiedAdEMAMix {
        AdamW.validate(lr, beta1, beta2, eps, weightDecay);
        Hyper.nonNegative("alpha", alpha);
        Hyper.nonNegative("epsRoot", epsRoot);
        Hyper.warmupSteps("alphaWarmup", alphaWarmup);
    }

    /** Without a warm-up. */
    public SimplifiedAdEMAMix(double lr, double beta1, double beta2, double alpha, double eps, double epsRoot,
                              double weightDecay) {
        this(lr, beta1, beta2, alpha, eps, epsRoot, weightDecay, 0);
    }

    /** {@code alpha} at the step after {@code count} steps, in float32 (see {@link AdEMAMix#alphaAt}). */
    public float alphaAt(long count) {
        return XlaMath.linearWarmup(alpha, alphaWarmup, count);
    }

    /** optax's defaults at {@code lr}: b1 0.99, b2 0.95, alpha 0, eps 1e-8. */
    public static SimplifiedAdEMAMix of(double lr) {
        return new SimplifiedAdEMAMix(lr, 0.99, 0.95, 0, 1e-8, 0, 0);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public SimplifiedAdEMAMix withLearningRate(double learningRate) {
        return new SimplifiedAdEMAMix(learningRate, beta1, beta2, alpha, eps, epsRoot, weightDecay, alphaWarmup);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(M, N);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public SimplifiedAdEMAMix withBeta1(double beta1) {
        return new SimplifiedAdEMAMix(lr, beta1, beta2, alpha, eps, epsRoot, weightDecay, alphaWarmup);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public SimplifiedAdEMAMix withBeta2(double beta2) {
        return new SimplifiedAdEMAMix(lr, beta1, beta2, alpha, eps, epsRoot, weightDecay, alphaWarmup);
    }

    /** This configuration with {@code alpha} changed, validated as the constructor validates it. */
    public SimplifiedAdEMAMix withAlpha(double alpha) {
        return new SimplifiedAdEMAMix(lr, beta1, beta2, alpha, eps, epsRoot, weightDecay, alphaWarmup);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public SimplifiedAdEMAMix withEps(double eps) {
        return new SimplifiedAdEMAMix(lr, beta1, beta2, alpha, eps, epsRoot, weightDecay, alphaWarmup);
    }

    /** This configuration with {@code epsRoot} changed, validated as the constructor validates it. */
    public SimplifiedAdEMAMix withEpsRoot(double epsRoot) {
        return new SimplifiedAdEMAMix(lr, beta1, beta2, alpha, eps, epsRoot, weightDecay, alphaWarmup);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public SimplifiedAdEMAMix withWeightDecay(double weightDecay) {
        return new SimplifiedAdEMAMix(lr, beta1, beta2, alpha, eps, epsRoot, weightDecay, alphaWarmup);
    }

    /** This configuration with {@code alpha} warmed up linearly from 0 over {@code steps} steps (0: none). */
    public SimplifiedAdEMAMix withAlphaWarmup(long steps) {
        return new SimplifiedAdEMAMix(lr, beta1, beta2, alpha, eps, epsRoot, weightDecay, steps);
    }
}
