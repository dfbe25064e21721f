package io.lanestep;

import java.util.List;

/**
 * The seed's non-standard momentum (lecture §6): a running average of the gradient,
 * {@code g̃ ← μg̃ + (1−μ)ĝ; Φ ← Φ − η'g̃}, with {@code g̃} starting at 0. At fixed {@code η'} the
 * total weight of one gradient is {@code η'} whatever μ is: the lecture's "μ does nothing" to
 * first order.
 *
 * <p>Per element: {@code a = fma(g, f(1 - momentum), a * f(momentum)); p = fma(a, f(-lr), p)}.
 *
 * @param lr       learning rate η', finite and &ge; 0
 * @param momentum μ in [0, 1]
 */
public record AveragedMomentum(double lr, double momentum) implements Optimizer {

    /** State key of the running average {@code g̃}. */
    public static final String AVERAGE = "grad_average";

    /** Validates both hyperparameters. */
    public AveragedMomentum {
        Hyper.nonNegative("lr", lr);
        Hyper.unitInterval("momentum", momentum);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public AveragedMomentum withLearningRate(double learningRate) {
        return new AveragedMomentum(learningRate, momentum);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(AVERAGE);
    }

    /** This configuration with {@code momentum} changed, validated as the constructor validates it. */
    public AveragedMomentum withMomentum(double momentum) {
        return new AveragedMomentum(lr, momentum);
    }
}
