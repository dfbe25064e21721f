package io.lanestep;

import java.util.List;

/**
 * Adam with bias correction (seed §7) and PyTorch's {@code torch.optim.Adam} options: L2 weight
 * decay added to the gradient, AMSGrad, maximize.
 *
 * <p>Per element at step {@code t} (counted from 1; the bias corrections are per-step doubles):
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * v = fma(f(1 - beta2) * g, g, v * f(beta2))
 * s = amsgrad ? (vmax = max(vmax, v)) : v
 * denom = sqrt(s) / f(sqrt(1 - beta2^t)) + f(eps)
 * p = p + (f(-lr / (1 - beta1^t)) * m) / denom
 * </pre>
 *
 * <p>The {@linkplain #epsilonHat(float, float, float, float) epsilon-hat form} of DJL and DL4J
 * (Kingma and Ba's "efficient version", section 2) folds the second bias correction into the step
 * size instead, so eps is added to the uncorrected {@code sqrt(s)}:
 * <pre>
 * denom = sqrt(s) + f(eps)
 * p = p + (f(-lr · sqrt(1 - beta2^t) / (1 - beta1^t)) * m) / denom
 * </pre>
 *
 * @param lr          learning rate, finite and &ge; 0 (PyTorch default 1e-3)
 * @param beta1       first-moment decay in [0, 1) (0.9)
 * @param beta2       second-moment decay in [0, 1) (0.999)
 * @param eps         added after the square root, finite and &ge; 0 (1e-8)
 * @param weightDecay L2 penalty, finite and &ge; 0 (0)
 * @param amsgrad     divide by the running maximum of the raw second moment
 * @param maximize    ascend instead of descend
 * @param numerics which PyTorch's arithmetic to reproduce ({@link Numerics}; the old constructor: {@code
 *     TORCH_1_13})
 * @param epsilonHat DJL's and DL4J's form above instead of PyTorch's (then {@code numerics} must be
 *     {@code TORCH_1_13}, whose moment updates those stacks share)
 */
public record Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
                   boolean maximize, Numerics numerics, boolean epsilonHat)
        implements Optimizer {

    /** State key of the first moment. */
    public static final String EXP_AVG = "exp_avg";
    /** State key of the second moment. */
    public static final String EXP_AVG_SQ = "exp_avg_sq";
    /** State key of the running maximum of the second moment (AMSGrad). */
    public static final String MAX_EXP_AVG_SQ = "max_exp_avg_sq";

    /** Validates every hyperparameter. */
    public Adam {
        Numerics.check(numerics, "Adam");
        AdamW.validate(lr, beta1, beta2, eps, weightDecay);
        if (epsilonHat && numerics != Numerics.TORCH_1_13) {
            throw new IllegalArgumentException("epsilonHat is DJL's and DL4J's Adam, whose moments move as torch 1.13's"
                    + " do; pass Numerics.TORCH_1_13 with it, or epsilonHat=false for " + numerics);
        }
    }

    /** PyTorch's form with arithmetic profile {@code numerics}. */
    public Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
                boolean maximize, Numerics numerics) {
        this(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics, false);
    }

    /** The configuration with torch 1.13.1's arithmetic. */
    public Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
                boolean maximize) {
        this(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, Numerics.TORCH_1_13, false);
    }

    /**
     * DJL's and DL4J's Adam: the epsilon-hat form, no decay. Both stacks hold their hyperparameters
     * as floats (DJL's builder takes {@code float}, ND4J's op casts to float), so this takes floats
     * too and the per-step constants come out as theirs: pass {@code 1e-3f, 0.9f, 0.999f, 1e-8f}
     * for their defaults.
     */
    public static Adam epsilonHat(float lr, float beta1, float beta2, float eps) {
        return new Adam(lr, beta1, beta2, eps, 0, false, false, Numerics.TORCH_1_13, true);
    }

    /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no decay. */
    public static Adam defaults() {
        return new Adam(1e-3, 0.9, 0.999, 1e-8, 0, false, false);
    }


    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Adam withLearningRate(double learningRate) {
        return new Adam(learningRate, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics, epsilonHat);
    }

    @Override
    public List<String> stateKeys() {
        return amsgrad ? List.of(EXP_AVG, EXP_AVG_SQ, MAX_EXP_AVG_SQ) : List.of(EXP_AVG, EXP_AVG_SQ);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public Adam withBeta1(double beta1) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics, epsilonHat);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public Adam withBeta2(double beta2) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics, epsilonHat);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public Adam withEps(double eps) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics, epsilonHat);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Adam withWeightDecay(double weightDecay) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics, epsilonHat);
    }

    /** This configuration with {@code amsgrad} changed, validated as the constructor validates it. */
    public Adam withAmsgrad(boolean amsgrad) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics, epsilonHat);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public Adam withMaximize(boolean maximize) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics, epsilonHat);
    }

    /** This configuration with {@code epsilonHat} changed, validated as the constructor validates it. */
    public Adam withEpsilonHat(boolean epsilonHat) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics, epsilonHat);
    }

    /** This configuration with PyTorch's {@code betas = (beta1, beta2)}, validated as the constructor does. */
    public Adam withBetas(double beta1, double beta2) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics, epsilonHat);
    }

    /** This configuration with PyTorch arithmetic {@code profile}, everything else equal. */
    public Adam withNumerics(Numerics profile) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, profile, epsilonHat);
    }
}
