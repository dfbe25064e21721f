package io.lanestep;

import java.util.List;

/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): the update is the sign
 * of an interpolation between the momentum and the gradient, so every coordinate moves by exactly
 * the learning rate; weight decay is decoupled, as in AdamW. No PyTorch oracle exists in 1.13.1;
 * the reference states the operation order. Per element, with {@code sign} = 1, −1 or 0 (also for
 * NaN):
 * <pre>
 * g = maximize ? -g : g
 * p = p * f(1 - lr·weightDecay)
 * c = fma(g, f(1 - beta1), m * f(beta1))
 * p = fma(sign(c), f(-lr), p)
 * m = fma(g, f(1 - beta2), m * f(beta2))
 * </pre>
 *
 * @param lr          learning rate, finite and &ge; 0 (the paper's default 1e-4)
 * @param beta1       interpolation weight of the update in [0, 1) (0.9)
 * @param beta2       momentum decay in [0, 1) (0.99)
 * @param weightDecay decoupled weight decay, finite and &ge; 0 (0)
 * @param maximize    ascend instead of descend
 */
public record Lion(double lr, double beta1, double beta2, double weightDecay, boolean maximize) implements Optimizer {

    /** Validates every hyperparameter. */
    public Lion {
        AdamW.validate(lr, beta1, beta2, 0, weightDecay);
    }

    /** The paper's defaults: lr 1e-4, betas (0.9, 0.99), no weight decay. */
    public static Lion defaults() {
        return new Lion(1e-4, 0.9, 0.99, 0, false);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Lion withLearningRate(double learningRate) {
        return new Lion(learningRate, beta1, beta2, weightDecay, maximize);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Adam.EXP_AVG);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public Lion withBeta1(double beta1) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public Lion withBeta2(double beta2) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Lion withWeightDecay(double weightDecay) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public Lion withMaximize(boolean maximize) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize);
    }

    /** This configuration with PyTorch's {@code betas = (beta1, beta2)}, validated as the constructor does. */
    public Lion withBetas(double beta1, double beta2) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize);
    }
}
