package io.lanestep;

import java.util.List;

/**
 * Adan (Xie et al. 2022, "Adan: Adaptive Nesterov Momentum Algorithm for Faster Optimizing Deep
 * Models") as timm 1.0's {@code timm.optim.Adan} computes it, bit for bit (its single-tensor and
 * foreach paths agree): moments of the gradient, of its change since the last step and of the
 * square of a Nesterov-style look-ahead, with weight decay as a proximal step (the default) or
 * multiplied in first. {@code q} keeps the last gradient negated; at step {@code t} (from 1):
 * <pre>
 * t = 1:  q = -g
 * q = q + g                                          (the gradient's change)
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * d = fma(q, f(1 - beta2), d * f(beta2))
 * q = q * f(beta2) + g
 * v = fma(f(1 - beta3) * q, q, v * f(beta3))
 * denom = sqrt(v) / f(sqrt(1 - beta3^t)) + f(eps)
 * noProx:  p = p * f(1 - lr·weightDecay)
 * p = p + (f(-lr / (1 - beta1^t)) * m) / denom
 * p = p + (f(-(lr·beta2 / (1 - beta2^t))) * d) / denom
 * not noProx:  p = p / f(1 + lr·weightDecay)
 * q = -g + 0                                        (a zero gradient leaves +0)
 * </pre>
 *
 * @param lr          learning rate, finite and &ge; 0 (1e-3)
 * @param beta1       gradient-moment decay in [0, 1) (0.98)
 * @param beta2       gradient-change-moment decay in [0, 1) (0.92)
 * @param beta3       second-moment decay in [0, 1) (0.99)
 * @param eps         added to the denominator, &ge; 0 (1e-8)
 * @param weightDecay weight decay, &ge; 0 (0)
 * @param noProx      multiply the decay in before the step instead of dividing by it after (false)
 * @param caution     timm's caution mask on {@code m} (see {@link Adopt#caution()}); a tensor cut into
 *                    shards is refused
 */
public record Adan(double lr, double beta1, double beta2, double beta3, double eps, double weightDecay,
                   boolean noProx, boolean caution) implements Optimizer {
    /** The state slot holding the moment of the gradient's change. */
    public static final String EXP_AVG_DIFF = "exp_avg_diff";
    /** The state slot holding the last gradient, negated. */
    public static final String NEG_PRE_GRAD = "neg_pre_grad";

    /** Validates every hyperparameter. */
    public Adan {
        AdamW.validate(lr, beta1, beta2, eps, weightDecay);
        Hyper.belowOne("beta3", beta3);
    }

    /** timm's defaults: lr 1e-3, betas (0.98, 0.92, 0.99), eps 1e-8, no weight decay, proximal decay. */
    public static Adan defaults() {
        return new Adan(1e-3, 0.98, 0.92, 0.99, 1e-8, 0, false, false);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Adan withLearningRate(double learningRate) {
        return new Adan(learningRate, beta1, beta2, beta3, eps, weightDecay, noProx, caution);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Adam.EXP_AVG, EXP_AVG_DIFF, Adam.EXP_AVG_SQ, NEG_PRE_GRAD);
    }

    /** This configuration with timm's {@code betas = (beta1, beta2, beta3)}, validated as the constructor does. */
    public Adan withBetas(double beta1, double beta2, double beta3) {
        return new Adan(lr, beta1, beta2, beta3, eps, weightDecay, noProx, caution);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public Adan withBeta1(double beta1) {
        return new Adan(lr, beta1, beta2, beta3, eps, weightDecay, noProx, caution);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public Adan withBeta2(double beta2) {
        return new Adan(lr, beta1, beta2, beta3, eps, weightDecay, noProx, caution);
    }

    /** This configuration with {@code beta3} changed, validated as the constructor validates it. */
    public Adan withBeta3(double beta3) {
        return new Adan(lr, beta1, beta2, beta3, eps, weightDecay, noProx, caution);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public Adan withEps(double eps) {
        return new Adan(lr, beta1, beta2, beta3, eps, weightDecay, noProx, caution);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Adan withWeightDecay(double weightDecay) {
        return new Adan(lr, beta1, beta2, beta3, eps, weightDecay, noProx, caution);
    }

    /** This configuration with {@code noProx} changed, validated as the constructor validates it. */
    public Adan withNoProx(boolean noProx) {
        return new Adan(lr, beta1, beta2, beta3, eps, weightDecay, noProx, caution);
    }

    /** This configuration with {@code caution} changed, validated as the constructor validates it. */
    public Adan withCaution(boolean caution) {
        return new Adan(lr, beta1, beta2, beta3, eps, weightDecay, noProx, caution);
    }
}
