package io.lanestep;

import java.util.List;

/**
 * AdamW, PyTorch's {@code torch.optim.AdamW}: {@link Adam} with decoupled weight decay. The decay
 * multiplies the pre-step parameter, {@code p = p * f(1 - lr·weightDecay)}, before the Adam update
 * (always, so weight decay 0 multiplies by exactly 1); nothing is added to the gradient.
 *
 * @param lr          learning rate, finite and &ge; 0 (PyTorch default 1e-3)
 * @param beta1       first-moment decay in [0, 1) (0.9)
 * @param beta2       second-moment decay in [0, 1) (0.999)
 * @param eps         added after the square root, finite and &ge; 0 (1e-8)
 * @param weightDecay decoupled decay rate, finite and &ge; 0 (1e-2)
 * @param amsgrad     divide by the running maximum of the raw second moment
 * @param maximize    ascend instead of descend
 * @param numerics which PyTorch's arithmetic to reproduce ({@link Numerics}; the old constructor: {@code
 *     TORCH_1_13})
 */
public record AdamW(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
                    boolean maximize, Numerics numerics)
        implements Optimizer {

    /** Validates every hyperparameter. */
    public AdamW {
        Numerics.check(numerics, "AdamW");
        validate(lr, beta1, beta2, eps, weightDecay);
    }

    /** The configuration with torch 1.13.1's arithmetic. */
    public AdamW(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
                 boolean maximize) {
        this(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, Numerics.TORCH_1_13);
    }

    static void validate(double lr, double beta1, double beta2, double eps, double weightDecay) {
        Hyper.nonNegative("lr", lr);
        Hyper.belowOne("beta1", beta1);
        Hyper.belowOne("beta2", beta2);
        Hyper.nonNegative("eps", eps);
        Hyper.nonNegative("weightDecay", weightDecay);
    }

    /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2. */
    public static AdamW defaults() {
        return new AdamW(1e-3, 0.9, 0.999, 1e-8, 1e-2, false, false);
    }


    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public AdamW withLearningRate(double learningRate) {
        return new AdamW(learningRate, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics);
    }

    @Override
    public List<String> stateKeys() {
        return amsgrad ? List.of(Adam.EXP_AVG, Adam.EXP_AVG_SQ, Adam.MAX_EXP_AVG_SQ)
                : List.of(Adam.EXP_AVG, Adam.EXP_AVG_SQ);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public AdamW withBeta1(double beta1) {
        return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public AdamW withBeta2(double beta2) {
        return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public AdamW withEps(double eps) {
        return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public AdamW withWeightDecay(double weightDecay) {
        return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics);
    }

    /** This configuration with {@code amsgrad} changed, validated as the constructor validates it. */
    public AdamW withAmsgrad(boolean amsgrad) {
        return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public AdamW withMaximize(boolean maximize) {
        return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics);
    }

    /** This configuration with PyTorch's {@code betas = (beta1, beta2)}, validated as the constructor does. */
    public AdamW withBetas(double beta1, double beta2) {
        return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics);
    }

    /** This configuration with PyTorch arithmetic {@code profile}, everything else equal. */
    public AdamW withNumerics(Numerics profile) {
        return new AdamW(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, profile);
    }
}
