package io.lanestep;

import java.util.List;

/**
 * Schedule-Free AdamW (Defazio et al. 2024, "The Road Less Scheduled") as optax 0.2.8's jitted
 * {@code contrib.schedule_free_adamw} computes it, bit for bit: an RMS-scaled step without
 * momentum moves {@code z}; the parameters are the point {@code y} between {@code z} and the
 * running average {@code x} of the {@code z}s, where gradients are taken. {@link ScheduleFree#evalParams}
 * gives {@code x}, the weights to evaluate. See {@link ScheduleFree} for the step's float
 * operations; the base step is:
 * <pre>
 * nu = fma(g·g, f(1 - b2), nu·f(b2))
 * u  = (1 / (sqrt(nu · (1 / (1 - f(b2)^t))) + f(eps))) · g       (float32 reciprocals, as XLA)
 * weightDecay != 0:  u = fma(y, f(weightDecay), u)
 * </pre>
 *
 * @param lr            peak learning rate, finite and &ge; 0 (0.0025)
 * @param warmupSteps   steps of optax's linear warm-up from 0, &ge; 0 (0: none)
 * @param b1            interpolation between {@code z} and {@code x}, in (0, 1) (0.9)
 * @param b2            second-moment decay in [0, 1) (0.999)
 * @param eps           added to the root, &ge; 0 (1e-8)
 * @param weightDecay   added to the scaled gradient times {@code y}, &ge; 0 (0)
 * @param weightLrPower the averaging weight is {@code maxLr^weightLrPower}, &ge; 0 (2)
 */
public record ScheduleFreeAdamW(double lr, long warmupSteps, double b1, double b2, double eps, double weightDecay,
                                double weightLrPower) implements Optimizer {
    /** The state slot of the second moment (optax's {@code base_optimizer_state.0.nu}). */
    public static final String NU = "nu";

    /** Validates every hyperparameter. */
    public ScheduleFreeAdamW {
        ScheduleFree.validate(lr, warmupSteps, b1, weightLrPower);
        Hyper.belowOne("b2", b2);
        Hyper.nonNegative("eps", eps);
        Hyper.nonNegative("weightDecay", weightDecay);
    }

    /** optax's defaults at {@code lr}: no warm-up, b1 0.9, b2 0.999, eps 1e-8, no decay, weight power 2. */
    public static ScheduleFreeAdamW of(double lr) {
        return new ScheduleFreeAdamW(lr, 0, 0.9, 0.999, 1e-8, 0, 2);
    }

    /** optax's defaults: lr 0.0025, no warm-up, b1 0.9, b2 0.999, eps 1e-8, no decay, weight power 2. */
    public static ScheduleFreeAdamW defaults() {
        return of(0.0025);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public ScheduleFreeAdamW withLearningRate(double learningRate) {
        return new ScheduleFreeAdamW(learningRate, warmupSteps, b1, b2, eps, weightDecay, weightLrPower);
    }

    /** This configuration with a linear warm-up over {@code warmupSteps} steps (0: none). */
    public ScheduleFreeAdamW withWarmupSteps(long warmupSteps) {
        return new ScheduleFreeAdamW(lr, warmupSteps, b1, b2, eps, weightDecay, weightLrPower);
    }

    /** {@code z}, then {@code nu}. */
    /** This configuration with {@code b1} changed, validated as the constructor validates it. */
    public ScheduleFreeAdamW withB1(double b1) {
        return new ScheduleFreeAdamW(lr, warmupSteps, b1, b2, eps, weightDecay, weightLrPower);
    }

    /** This configuration with {@code b2} changed, validated as the constructor validates it. */
    public ScheduleFreeAdamW withB2(double b2) {
        return new ScheduleFreeAdamW(lr, warmupSteps, b1, b2, eps, weightDecay, weightLrPower);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public ScheduleFreeAdamW withEps(double eps) {
        return new ScheduleFreeAdamW(lr, warmupSteps, b1, b2, eps, weightDecay, weightLrPower);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public ScheduleFreeAdamW withWeightDecay(double weightDecay) {
        return new ScheduleFreeAdamW(lr, warmupSteps, b1, b2, eps, weightDecay, weightLrPower);
    }

    /** This configuration with {@code weightLrPower} changed, validated as the constructor validates it. */
    public ScheduleFreeAdamW withWeightLrPower(double weightLrPower) {
        return new ScheduleFreeAdamW(lr, warmupSteps, b1, b2, eps, weightDecay, weightLrPower);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(ScheduleFree.Z, NU);
    }

    @Override
    public List<String> scalarKeys() {
        return ScheduleFree.SCALAR_KEYS;
    }

    @Override
    public float initialScalarValue(String key) {
        return key.equals(ScheduleFree.B1) ? (float) b1 : 0f;
    }
}
