package io.lanestep;

import java.util.List;

/**
 * Schedule-Free SGD (Defazio et al. 2024) as optax 0.2.8's jitted {@code contrib.schedule_free_sgd}
 * computes it, bit for bit: plain gradient steps move {@code z}, and the parameters are the
 * point {@code y} between {@code z} and the running average {@code x} (see {@link ScheduleFree}
 * for the float operations and {@link ScheduleFree#evalParams} for {@code x}). The base step is
 * {@code u = g}, or {@code fma(y, f(weightDecay), g)} when a decay is given.
 *
 * @param lr            peak learning rate, finite and &ge; 0 (1.0)
 * @param warmupSteps   steps of optax's linear warm-up from 0, &ge; 0 (0: none)
 * @param b1            interpolation between {@code z} and {@code x}, in (0, 1) (0.9)
 * @param weightDecay   added to the gradient times {@code y}, &ge; 0, or NaN for optax's
 *                      {@code weight_decay=None} (NaN)
 * @param weightLrPower the averaging weight is {@code maxLr^weightLrPower}, &ge; 0 (2)
 */
public record ScheduleFreeSgd(double lr, long warmupSteps, double b1, double weightDecay, double weightLrPower)
        implements Optimizer {

    /** Validates every hyperparameter. */
    public ScheduleFreeSgd {
        ScheduleFree.validate(lr, warmupSteps, b1, weightLrPower);
        if (!Double.isNaN(weightDecay)) {
            Hyper.nonNegative("weightDecay", weightDecay);
        }
    }

    /** optax's defaults at {@code lr}: no warm-up, b1 0.9, no decay, weight power 2. */
    public static ScheduleFreeSgd of(double lr) {
        return new ScheduleFreeSgd(lr, 0, 0.9, Double.NaN, 2);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public ScheduleFreeSgd withLearningRate(double learningRate) {
        return new ScheduleFreeSgd(learningRate, warmupSteps, b1, weightDecay, weightLrPower);
    }

    /** This configuration with a linear warm-up over {@code warmupSteps} steps (0: none). */
    public ScheduleFreeSgd withWarmupSteps(long warmupSteps) {
        return new ScheduleFreeSgd(lr, warmupSteps, b1, weightDecay, weightLrPower);
    }

    /** This configuration with {@code b1} changed, validated as the constructor validates it. */
    public ScheduleFreeSgd withB1(double b1) {
        return new ScheduleFreeSgd(lr, warmupSteps, b1, weightDecay, weightLrPower);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public ScheduleFreeSgd withWeightDecay(double weightDecay) {
        return new ScheduleFreeSgd(lr, warmupSteps, b1, weightDecay, weightLrPower);
    }

    /** This configuration with {@code weightLrPower} changed, validated as the constructor validates it. */
    public ScheduleFreeSgd withWeightLrPower(double weightLrPower) {
        return new ScheduleFreeSgd(lr, warmupSteps, b1, weightDecay, weightLrPower);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(ScheduleFree.Z);
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
