package io.lanestep;

import java.util.List;

/**
 * Adagrad, PyTorch's {@code torch.optim.Adagrad}: the sum of squared gradients scales each
 * coordinate's step. At step {@code t} (from 1), per element:
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * sum = fma(g, g, sum)
 * p = p + (f(-lr / (1 + (t - 1)·lrDecay)) * g) / (sqrt(sum) + f(eps))
 * </pre>
 *
 * @param lr                      learning rate, finite and &ge; 0 (1e-2)
 * @param lrDecay                 learning-rate decay per step, finite and &ge; 0 (0)
 * @param weightDecay             L2 penalty, finite and &ge; 0 (0)
 * @param initialAccumulatorValue starting value of {@code sum}, finite and &ge; 0 (0)
 * @param eps                     added to the root, finite and &ge; 0 (1e-10)
 * @param maximize                ascend instead of descend
 * @param numerics which PyTorch's arithmetic to reproduce ({@link Numerics}; the old constructor: {@code
 *     TORCH_1_13})
 */
public record Adagrad(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps,
                      boolean maximize, Numerics numerics)
        implements Optimizer {

    /** State key of the sum of squared gradients. */
    public static final String SUM = "sum";

    /** Validates every hyperparameter. */
    public Adagrad {
        Numerics.check(numerics, "Adagrad");
        Hyper.nonNegative("lr", lr);
        Hyper.nonNegative("lrDecay", lrDecay);
        Hyper.nonNegative("weightDecay", weightDecay);
        Hyper.nonNegative("initialAccumulatorValue", initialAccumulatorValue);
        Hyper.nonNegative("eps", eps);
    }

    /** The configuration with torch 1.13.1's arithmetic. */
    public Adagrad(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps,
                   boolean maximize) {
        this(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize, Numerics.TORCH_1_13);
    }

    /** PyTorch's defaults: lr 1e-2, no decay, accumulator 0, eps 1e-10. */
    public static Adagrad defaults() {
        return new Adagrad(1e-2, 0, 0, 0, 1e-10, false);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Adagrad withLearningRate(double learningRate) {
        return new Adagrad(learningRate, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize, numerics);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(SUM);
    }

    @Override
    public float initialStateValue(String key) {
        return (float) initialAccumulatorValue;
    }

    /** This configuration with {@code lrDecay} changed, validated as the constructor validates it. */
    public Adagrad withLrDecay(double lrDecay) {
        return new Adagrad(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize, numerics);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Adagrad withWeightDecay(double weightDecay) {
        return new Adagrad(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize, numerics);
    }

    /** This configuration with {@code initialAccumulatorValue} changed, validated as the constructor validates it. */
    public Adagrad withInitialAccumulatorValue(double initialAccumulatorValue) {
        return new Adagrad(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize, numerics);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public Adagrad withEps(double eps) {
        return new Adagrad(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize, numerics);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public Adagrad withMaximize(boolean maximize) {
        return new Adagrad(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize, numerics);
    }

    /** This configuration with PyTorch arithmetic {@code profile}, everything else equal. */
    public Adagrad withNumerics(Numerics profile) {
        return new Adagrad(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize, profile);
    }
}
