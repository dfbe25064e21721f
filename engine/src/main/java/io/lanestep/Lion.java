package io.lanestep;

import java.util.List;

/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): the update is the sign
 * of an interpolation between the momentum and the gradient, so every coordinate moves by exactly
 * the learning rate; weight decay is decoupled, as in AdamW. timm 1.0's {@code timm.optim.Lion}
 * is the oracle, bit for bit: its foreach path ({@link Numerics#TORCH_2_FOREACH}, and
 * {@link Numerics#TORCH_1_13}, the default) and its single-tensor path
 * ({@link Numerics#TORCH_2_SINGLE}: the momentum moves by torch 2's {@code lerp}). Per element,
 * with {@code sign} = 1, −1 or 0 (also for NaN):
 * <pre>
 * g = maximize ? -g : g
 * p = p * f(1 - s·weightDecay)                 s = correctedWeightDecay ? lr²/initialLr : lr
 * u = sign(fma(g, f(1 - beta1), m * f(beta1)))
 * caution:  u = u * (u * g > 0 ? f(1 / max(f(k) / f(n), f(1e-3))) : 0), k the count of u * g > 0
 * p = fma(u, f(-lr), p)
 * m = fma(g, f(1 - beta2), m * f(beta2))       (TORCH_2_SINGLE: m = lerp(m, g, f(1 - beta2)))
 * </pre>
 *
 * @param lr                   learning rate, finite and &ge; 0 (the paper's default 1e-4)
 * @param beta1                interpolation weight of the update in [0, 1) (0.9)
 * @param beta2                momentum decay in [0, 1) (0.99)
 * @param weightDecay          decoupled weight decay, finite and &ge; 0 (0)
 * @param maximize             ascend instead of descend
 * @param caution              timm's caution mask (see {@link Adopt#caution()}); a tensor cut into shards
 *                             is refused
 * @param correctedWeightDecay scale the decay by {@code lr / initialLr}, so that a schedule lowers it
 *                             with the learning rate
 * @param initialLr            the learning rate corrected decay divides by: the configured one, which
 *                             {@link #withLearningRate} (a scheduler) leaves as it is; &gt; 0 with
 *                             corrected decay
 * @param numerics             which of timm's paths to reproduce (see above); fused is refused
 */
public record Lion(double lr, double beta1, double beta2, double weightDecay, boolean maximize, boolean caution,
                   boolean correctedWeightDecay, double initialLr, Numerics numerics) implements Optimizer {

    /** Validates every hyperparameter. */
    public Lion {
        AdamW.validate(lr, beta1, beta2, 0, weightDecay);
        Numerics.check(numerics, "Lion");
        if (correctedWeightDecay) {
            Hyper.positive("initialLr", initialLr);
        } else {
            Hyper.nonNegative("initialLr", initialLr);
        }
    }

    /** Lion without timm's options: no caution mask, plain decoupled decay, the foreach path. */
    public Lion(double lr, double beta1, double beta2, double weightDecay, boolean maximize) {
        this(lr, beta1, beta2, weightDecay, maximize, false, false, lr, Numerics.TORCH_1_13);
    }

    /** The paper's defaults: lr 1e-4, betas (0.9, 0.99), no weight decay. */
    public static Lion defaults() {
        return new Lion(1e-4, 0.9, 0.99, 0, false);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    /** This configuration at {@code learningRate}; {@link #initialLr} stays, as timm's constructor lr does. */
    @Override
    public Lion withLearningRate(double learningRate) {
        return new Lion(learningRate, beta1, beta2, weightDecay, maximize, caution, correctedWeightDecay, initialLr,
                numerics);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Adam.EXP_AVG);
    }

    /** This configuration with PyTorch's {@code betas = (beta1, beta2)}, validated as the constructor does. */
    public Lion withBetas(double beta1, double beta2) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize, caution, correctedWeightDecay, initialLr, numerics);
    }

    /** This configuration on timm's path {@code profile}, everything else equal. */
    public Lion withNumerics(Numerics profile) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize, caution, correctedWeightDecay, initialLr, profile);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public Lion withBeta1(double beta1) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize, caution, correctedWeightDecay, initialLr, numerics);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public Lion withBeta2(double beta2) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize, caution, correctedWeightDecay, initialLr, numerics);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Lion withWeightDecay(double weightDecay) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize, caution, correctedWeightDecay, initialLr, numerics);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public Lion withMaximize(boolean maximize) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize, caution, correctedWeightDecay, initialLr, numerics);
    }

    /** This configuration with {@code caution} changed, validated as the constructor validates it. */
    public Lion withCaution(boolean caution) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize, caution, correctedWeightDecay, initialLr, numerics);
    }

    /** This configuration with {@code correctedWeightDecay} changed, validated as the constructor validates it. */
    public Lion withCorrectedWeightDecay(boolean correctedWeightDecay) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize, caution, correctedWeightDecay, initialLr, numerics);
    }

    /** This configuration with {@code initialLr} changed, validated as the constructor validates it. */
    public Lion withInitialLr(double initialLr) {
        return new Lion(lr, beta1, beta2, weightDecay, maximize, caution, correctedWeightDecay, initialLr, numerics);
    }
}
