package io.lanestep;

import java.util.List;

/**
 * RAdam, PyTorch's {@code torch.optim.RAdam}: Adam whose adaptive step is switched on only once
 * the variance of the adaptive rate is tractable, {@code ρ_t > 5}. At step {@code t}, in double:
 * {@code ρ∞ = 2/(1−β2) − 1}, {@code ρ_t = ρ∞ − 2tβ2^t/(1−β2^t)} and, when rectified,
 * {@code rect = sqrt((ρ_t−4)(ρ_t−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρ_t))}. Per element:
 * <pre>
 * if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * m = fma(g, f(1 - beta1), m * f(beta1));   v = fma(f(1 - beta2) * g, g, v * f(beta2))
 * mh = m / f(1 - beta1^t)
 * rectified:  p = p - ((mh * f(lr)) * ((1 / (sqrt(v) + f(eps))) * f(sqrt(1 - beta2^t)))) * f(rect)
 * otherwise:  p = p - mh * f(lr)
 * </pre>
 *
 * @param lr          learning rate, finite and &ge; 0 (1e-3)
 * @param beta1       first-moment decay in [0, 1) (0.9)
 * @param beta2       second-moment decay in [0, 1) (0.999)
 * @param eps         added after the root, finite and &ge; 0 (1e-8)
 * @param weightDecay L2 penalty, finite and &ge; 0 (0)
 * @param decoupledWeightDecay multiply the parameter by {@code 1 - lr·weightDecay} instead of adding L2 decay
 *     to the gradient (torch 2.x)
 * @param maximize ascend instead of descend (torch 2.x)
 * @param numerics which PyTorch's arithmetic to reproduce ({@link Numerics}; the old constructor: {@code
 *     TORCH_1_13})
 */
public record RAdam(double lr, double beta1, double beta2, double eps, double weightDecay,
                    boolean decoupledWeightDecay, boolean maximize, Numerics numerics)
        implements Optimizer {

    /** Validates every hyperparameter. */
    public RAdam {
        Numerics.check(numerics, "RAdam");
        AdamW.validate(lr, beta1, beta2, eps, weightDecay);
    }

    /** The configuration with torch 1.13.1's arithmetic and the torch 2.x options off. */
    public RAdam(double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(lr, beta1, beta2, eps, weightDecay, false, false, Numerics.TORCH_1_13);
    }

    /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8. */
    public static RAdam defaults() {
        return new RAdam(1e-3, 0.9, 0.999, 1e-8, 0);
    }

    /** ρ_t at step {@code t}. */
    public double rho(double t) {
        double rhoInf = 2 / (1 - beta2) - 1;
        return rhoInf - 2 * t * Math.pow(beta2, t) / (1 - Math.pow(beta2, t));
    }

    /** The rectification factor at step {@code t}, or NaN when the step is not rectified (ρ_t ≤ 5). */
    public double rectification(double t) {
        double rhoInf = 2 / (1 - beta2) - 1;
        double rhoT = rho(t);
        if (!(rhoT > 5)) {
            return Double.NaN;
        }
        return Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public RAdam withLearningRate(double learningRate) {
        return new RAdam(learningRate, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, numerics);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Adam.EXP_AVG, Adam.EXP_AVG_SQ);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public RAdam withBeta1(double beta1) {
        return new RAdam(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public RAdam withBeta2(double beta2) {
        return new RAdam(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public RAdam withEps(double eps) {
        return new RAdam(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public RAdam withWeightDecay(double weightDecay) {
        return new RAdam(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with {@code decoupledWeightDecay} changed, validated as the constructor validates it. */
    public RAdam withDecoupledWeightDecay(boolean decoupledWeightDecay) {
        return new RAdam(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public RAdam withMaximize(boolean maximize) {
        return new RAdam(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with PyTorch's {@code betas = (beta1, beta2)}, validated as the constructor does. */
    public RAdam withBetas(double beta1, double beta2) {
        return new RAdam(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with PyTorch arithmetic {@code profile}, everything else equal. */
    public RAdam withNumerics(Numerics profile) {
        return new RAdam(lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, profile);
    }
}
