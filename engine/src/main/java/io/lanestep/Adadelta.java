package io.lanestep;

import java.util.List;

/**
 * Adadelta, PyTorch's {@code torch.optim.Adadelta}: the step is the ratio of two running RMS values,
 * of past updates and of gradients, so it needs no global rate beyond {@code lr}. At every step,
 * per element (torch 1.13 and 2.x compute the same sequence on every path):
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * v = fma(f(1 - rho) * g, g, v * f(rho))
 * delta = (sqrt(acc + f(eps)) / sqrt(v + f(eps))) * g
 * acc = fma(f(1 - rho) * delta, delta, acc * f(rho))
 * p = fma(delta, f(-lr), p)
 * </pre>
 *
 * @param lr          scale of the update, finite and &ge; 0 (1.0)
 * @param rho         decay of both running averages, in [0, 1] (0.9)
 * @param eps         added inside both roots, finite and &ge; 0 (1e-6)
 * @param weightDecay L2 penalty, finite and &ge; 0 (0)
 * @param maximize    ascend instead of descend
 * @param numerics    which PyTorch's arithmetic to reproduce; all profiles compute the same here
 *                    (fused is refused: torch has no fused Adadelta)
 */
public record Adadelta(double lr, double rho, double eps, double weightDecay, boolean maximize, Numerics numerics)
        implements Optimizer {

    /** State key of the running average of squared gradients. */
    public static final String SQUARE_AVG = "square_avg";
    /** State key of the running average of squared updates. */
    public static final String ACC_DELTA = "acc_delta";

    /** Validates every hyperparameter. */
    public Adadelta {
        Numerics.check(numerics, "Adadelta");
        Hyper.nonNegative("lr", lr);
        Hyper.unitInterval("rho", rho);
        Hyper.nonNegative("eps", eps);
        Hyper.nonNegative("weightDecay", weightDecay);
    }

    /** PyTorch's defaults: lr 1.0, rho 0.9, eps 1e-6, no decay. */
    public static Adadelta defaults() {
        return new Adadelta(1.0, 0.9, 1e-6, 0, false, Numerics.TORCH_1_13);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Adadelta withLearningRate(double learningRate) {
        return new Adadelta(learningRate, rho, eps, weightDecay, maximize, numerics);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(SQUARE_AVG, ACC_DELTA);
    }

    /** This configuration with {@code rho} changed, validated as the constructor validates it. */
    public Adadelta withRho(double rho) {
        return new Adadelta(lr, rho, eps, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public Adadelta withEps(double eps) {
        return new Adadelta(lr, rho, eps, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Adadelta withWeightDecay(double weightDecay) {
        return new Adadelta(lr, rho, eps, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public Adadelta withMaximize(boolean maximize) {
        return new Adadelta(lr, rho, eps, weightDecay, maximize, numerics);
    }

    /** This configuration with PyTorch arithmetic {@code profile}, everything else equal. */
    public Adadelta withNumerics(Numerics profile) {
        return new Adadelta(lr, rho, eps, weightDecay, maximize, profile);
    }
}
