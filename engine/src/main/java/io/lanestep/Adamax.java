package io.lanestep;

import java.util.List;

/**
 * Adamax, PyTorch's {@code torch.optim.Adamax}: Adam with the infinity norm. At step {@code t},
 * per element ({@code eps} is inside the max, added to |g|):
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * u = max(u * f(beta2), |g| + f(eps))
 * p = p + (f(-(lr / (1 - beta1^t))) * m) / u
 * </pre>
 *
 * @param lr          learning rate, finite and &ge; 0 (2e-3)
 * @param beta1       first-moment decay in [0, 1) (0.9)
 * @param beta2       infinity-norm decay in [0, 1) (0.999)
 * @param eps         added to |g|, finite and &ge; 0 (1e-8)
 * @param weightDecay L2 penalty, finite and &ge; 0 (0)
 * @param maximize    ascend instead of descend
 * @param numerics which PyTorch's arithmetic to reproduce ({@link Numerics}; the old constructor: {@code
 *     TORCH_1_13})
 */
public record Adamax(double lr, double beta1, double beta2, double eps, double weightDecay, boolean maximize,
                     Numerics numerics)
        implements Optimizer {

    /** State key of the exponentially weighted infinity norm. */
    public static final String EXP_INF = "exp_inf";

    /** Validates every hyperparameter. */
    public Adamax {
        Numerics.check(numerics, "Adamax");
        AdamW.validate(lr, beta1, beta2, eps, weightDecay);
    }

    /** The configuration with torch 1.13.1's arithmetic. */
    public Adamax(double lr, double beta1, double beta2, double eps, double weightDecay, boolean maximize) {
        this(lr, beta1, beta2, eps, weightDecay, maximize, Numerics.TORCH_1_13);
    }

    /** PyTorch's defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8. */
    public static Adamax defaults() {
        return new Adamax(2e-3, 0.9, 0.999, 1e-8, 0, false);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Adamax withLearningRate(double learningRate) {
        return new Adamax(learningRate, beta1, beta2, eps, weightDecay, maximize, numerics);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Adam.EXP_AVG, EXP_INF);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public Adamax withBeta1(double beta1) {
        return new Adamax(lr, beta1, beta2, eps, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public Adamax withBeta2(double beta2) {
        return new Adamax(lr, beta1, beta2, eps, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public Adamax withEps(double eps) {
        return new Adamax(lr, beta1, beta2, eps, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Adamax withWeightDecay(double weightDecay) {
        return new Adamax(lr, beta1, beta2, eps, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public Adamax withMaximize(boolean maximize) {
        return new Adamax(lr, beta1, beta2, eps, weightDecay, maximize, numerics);
    }

    /** This configuration with PyTorch's {@code betas = (beta1, beta2)}, validated as the constructor does. */
    public Adamax withBetas(double beta1, double beta2) {
        return new Adamax(lr, beta1, beta2, eps, weightDecay, maximize, numerics);
    }

    /** This configuration with PyTorch arithmetic {@code profile}, everything else equal. */
    public Adamax withNumerics(Numerics profile) {
        return new Adamax(lr, beta1, beta2, eps, weightDecay, maximize, profile);
    }
}
