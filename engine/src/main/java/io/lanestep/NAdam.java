package io.lanestep;

import java.util.List;

/**
 * NAdam, PyTorch's {@code torch.optim.NAdam} with PyTorch 2.x's momentum schedule. At step
 * {@code t}, in double: {@code μ_t = β1(1 − ½·0.96^(t·ψ))}, {@code μ_{t+1}} likewise; the float32
 * scalar state {@code mu_product} becomes {@code mu_product · f(μ_t)}, and
 * {@code next = mu_product · f(μ_{t+1})}. Per element:
 * <pre>
 * if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * v = fma(f(1 - beta2) * g, g, v * f(beta2))
 * denom = sqrt(v / f(1 - beta2^t)) + f(eps)
 * p = p + (f(-lr(1 − μ_t) / (1 − mu_product)) * g) / denom
 * p = p + (f(-lr·μ_{t+1} / (1 − next)) * m) / denom
 * </pre>
 * PyTorch 1.13.1 multiplies μ_t into {@code next} a second time ({@code mu_product · μ_t · μ_{t+1}});
 * PyTorch 2.x fixed that, and Lanestep follows 2.x. Everything else is 1.13.1's operation
 * sequence (2.x also moved the first moment to {@code lerp}, which rounds differently).
 *
 * @param lr            learning rate, finite and &ge; 0 (2e-3)
 * @param beta1         first-moment decay in [0, 1) (0.9)
 * @param beta2         second-moment decay in [0, 1) (0.999)
 * @param eps           added after the root, finite and &ge; 0 (1e-8)
 * @param weightDecay   L2 penalty, finite and &ge; 0 (0)
 * @param momentumDecay ψ, finite and &ge; 0 (4e-3)
 * @param decoupledWeightDecay multiply the parameter by {@code 1 - lr·weightDecay} instead of adding L2 decay
 *     to the gradient (torch 2.x)
 * @param maximize ascend instead of descend (torch 2.x)
 * @param numerics which PyTorch's arithmetic to reproduce ({@link Numerics}; the old constructor: {@code
 *     TORCH_1_13})
 */
public record NAdam(double lr, double beta1, double beta2, double eps, double weightDecay, double momentumDecay,
                    boolean decoupledWeightDecay, boolean maximize, Numerics numerics)
        implements Optimizer {

    /** Scalar state key of the running product of the momentum coefficients. */
    public static final String MU_PRODUCT = "mu_product";

    /** Validates every hyperparameter. */
    public NAdam {
        Numerics.check(numerics, "NAdam");
        AdamW.validate(lr, beta1, beta2, eps, weightDecay);
        Hyper.nonNegative("momentumDecay", momentumDecay);
    }

    /** The configuration with torch 1.13.1's arithmetic and the torch 2.x options off. */
    public NAdam(double lr, double beta1, double beta2, double eps, double weightDecay, double momentumDecay) {
        this(lr, beta1, beta2, eps, weightDecay, momentumDecay, false, false, Numerics.TORCH_1_13);
    }

    /** PyTorch's defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, momentum decay 4e-3. */
    public static NAdam defaults() {
        return new NAdam(2e-3, 0.9, 0.999, 1e-8, 0, 4e-3);
    }

    /** The momentum coefficient μ at step {@code t}. */
    public double mu(double t) {
        return beta1 * (1 - 0.5 * Math.pow(0.96, t * momentumDecay));
    }

    /**
     * The scalar state {@code mu_product} that {@code steps} steps of this configuration leave:
     * {@code f(μ_1)·f(μ_2)·...·f(μ_steps)}, multiplied in float in step order as each step does, so a
     * state imported at step {@code steps} ({@link OptimizerState#importScalar}) goes on bit for bit.
     */
    public float muProduct(long steps) {
        float product = initialScalarValue(MU_PRODUCT);
        for (long t = 1; t <= steps; t++) {
            product = product * (float) mu(t);
        }
        return product;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public NAdam withLearningRate(double learningRate) {
        return new NAdam(learningRate, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay,
                maximize, numerics);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Adam.EXP_AVG, Adam.EXP_AVG_SQ);
    }

    @Override
    public List<String> scalarKeys() {
        return List.of(MU_PRODUCT);
    }

    @Override
    public float initialScalarValue(String key) {
        return 1f;
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public NAdam withBeta1(double beta1) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public NAdam withBeta2(double beta2) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public NAdam withEps(double eps) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public NAdam withWeightDecay(double weightDecay) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with {@code momentumDecay} changed, validated as the constructor validates it. */
    public NAdam withMomentumDecay(double momentumDecay) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with {@code decoupledWeightDecay} changed, validated as the constructor validates it. */
    public NAdam withDecoupledWeightDecay(boolean decoupledWeightDecay) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public NAdam withMaximize(boolean maximize) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with PyTorch's {@code betas = (beta1, beta2)}, validated as the constructor does. */
    public NAdam withBetas(double beta1, double beta2) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay, maximize, numerics);
    }

    /** This configuration with PyTorch arithmetic {@code profile}, everything else equal. */
    public NAdam withNumerics(Numerics profile) {
        return new NAdam(lr, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay,
                maximize, profile);
    }
}
