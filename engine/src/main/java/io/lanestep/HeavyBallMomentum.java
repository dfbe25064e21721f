package io.lanestep;

import java.util.List;

/**
 * The seed's standard momentum (lecture §6): {@code v ← μv + ηĝ; Φ ← Φ − v}, with {@code v}
 * starting at 0. The velocity is a running average of {@code (η/(1−μ))ĝ}, so this equals
 * {@link AveragedMomentum} at {@code η' = η/(1−μ)} up to rounding.
 *
 * <p>Per element: {@code v = fma(g, f(lr), v * f(momentum)); p = p - v}.
 *
 * @param lr       learning rate η, finite and &ge; 0
 * @param momentum μ in [0, 1]
 */
public record HeavyBallMomentum(double lr, double momentum) implements Optimizer {

    /** State key of the velocity {@code v}. */
    public static final String VELOCITY = "velocity";

    /** Validates both hyperparameters. */
    public HeavyBallMomentum {
        Hyper.nonNegative("lr", lr);
        Hyper.unitInterval("momentum", momentum);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public HeavyBallMomentum withLearningRate(double learningRate) {
        return new HeavyBallMomentum(learningRate, momentum);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(VELOCITY);
    }

    /** This configuration with {@code momentum} changed, validated as the constructor validates it. */
    public HeavyBallMomentum withMomentum(double momentum) {
        return new HeavyBallMomentum(lr, momentum);
    }
}
