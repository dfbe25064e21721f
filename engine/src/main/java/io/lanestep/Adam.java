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
 * @param lr          learning rate, finite and &ge; 0 (PyTorch default 1e-3)
 * @param beta1       first-moment decay in [0, 1) (0.9)
 * @param beta2       second-moment decay in [0, 1) (0.999)
 * @param eps         added after the square root, finite and &ge; 0 (1e-8)
 * @param weightDecay L2 penalty, finite and &ge; 0 (0)
 * @param amsgrad     divide by the running maximum of the raw second moment
 * @param maximize    ascend instead of descend
 * @param numerics which PyTorch's arithmetic to reproduce ({@link Numerics}; the old constructor: {@code
 *     TORCH_1_13})
 */
public record Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
                   boolean maximize, Numerics numerics)
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
    }

    /** The configuration with torch 1.13.1's arithmetic. */
    public Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
                boolean maximize) {
        this(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, Numerics.TORCH_1_13);
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
        return new Adam(learningRate, beta1, beta2, eps, weightDecay, amsgrad, maximize, numerics);
    }

    @Override
    public List<String> stateKeys() {
        return amsgrad ? List.of(EXP_AVG, EXP_AVG_SQ, MAX_EXP_AVG_SQ) : List.of(EXP_AVG, EXP_AVG_SQ);
    }

    /** This configuration with PyTorch arithmetic {@code profile}, everything else equal. */
    public Adam withNumerics(Numerics profile) {
        return new Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, profile);
    }
}
