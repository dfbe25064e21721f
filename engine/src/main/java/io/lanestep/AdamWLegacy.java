package io.lanestep;

import java.util.List;

/**
 * AdamW as timm 1.0's {@code timm.optim.AdamWLegacy} computes it, bit for bit: timm's cautious
 * AdamW ({@code cadamw}) with {@code caution}, its corrected decay, and both of its paths. The
 * first moment moves by {@code fma} (torch 2's AdamW uses {@code lerp}). At step {@code t}:
 * <pre>
 * g = maximize ? -g : g
 * p = p * f(1 - s·weightDecay)                 s = correctedWeightDecay ? lr²/initialLr : lr
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * v = fma(f(1 - beta2) * g, g, v * f(beta2))
 * amsgrad:  vmax = max(vmax, v), used below in place of v
 * denom = sqrt(v) / f(sqrt(1 - beta2^t)) + f(eps)
 * caution:  u = m * (m * g > 0 ? f(1 / max(f(k) / f(n), f(1e-3))) : 0), k the count of m * g > 0
 * single (TORCH_1_13, TORCH_2_SINGLE):  p = p + (f(-lr / (1 - beta1^t)) * u) / denom
 * foreach (TORCH_2_FOREACH):            p = p + u / (denom / f(-lr / (1 - beta1^t)))
 *                                       (u = m without caution)
 * </pre>
 *
 * @param lr                   learning rate, finite and &ge; 0 (1e-3)
 * @param beta1                first-moment decay in [0, 1) (0.9)
 * @param beta2                second-moment decay in [0, 1) (0.999)
 * @param eps                  added to the denominator, &ge; 0 (1e-8)
 * @param weightDecay          decoupled weight decay, &ge; 0 (1e-2)
 * @param amsgrad              divide by the running maximum of the second moment
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
public record AdamWLegacy(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
                          boolean maximize, boolean caution, boolean correctedWeightDecay, double initialLr,
                          Numerics numerics) implements Optimizer {

    /** Validates every hyperparameter. */
    public AdamWLegacy {
        AdamW.validate(lr, beta1, beta2, eps, weightDecay);
        Numerics.check(numerics, "AdamWLegacy");
        if (correctedWeightDecay) {
            Hyper.positive("initialLr", initialLr);
        } else {
            Hyper.nonNegative("initialLr", initialLr);
        }
    }

    /** timm's defaults at {@code lr}: betas (0.9, 0.999), eps 1e-8, weight decay 1e-2, its foreach path. */
    public static AdamWLegacy of(double lr) {
        return new AdamWLegacy(lr, 0.9, 0.999, 1e-8, 1e-2, false, false, false, false, lr, Numerics.TORCH_2_FOREACH);
    }

    /** timm's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2, its foreach path. */
    public static AdamWLegacy defaults() {
        return of(1e-3);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    /** This configuration at {@code learningRate}; {@link #initialLr} stays, as timm's constructor lr does. */
    @Override
    public AdamWLegacy withLearningRate(double learningRate) {
        return new AdamWLegacy(learningRate, beta1, beta2, eps, weightDecay, amsgrad, maximize, caution,
                correctedWeightDecay, initialLr, numerics);
    }

    @Override
    public List<String> stateKeys() {
        return amsgrad ? List.of(Adam.EXP_AVG, Adam.EXP_AVG_SQ, Adam.MAX_EXP_AVG_SQ)
                : List.of(Adam.EXP_AVG, Adam.EXP_AVG_SQ);
    }

    /** This configuration with PyTorch's {@code betas = (beta1, beta2)}, validated as the constructor does. */
    public AdamWLegacy withBetas(double beta1, double beta2) {
        return new AdamWLegacy(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, caution, correctedWeightDecay,
                initialLr, numerics);
    }

    /** This configuration on timm's path {@code profile}, everything else equal. */
    public AdamWLegacy withNumerics(Numerics profile) {
        return new AdamWLegacy(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, caution, correctedWeightDecay,
                initialLr, profile);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public AdamWLegacy withBeta1(double beta1) {
        return new AdamWLegacy(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, caution, correctedWeightDecay,
                initialLr, numerics);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public AdamWLegacy withBeta2(double beta2) {
        return new AdamWLegacy(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, caution, correctedWeightDecay,
                initialLr, numerics);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public AdamWLegacy withEps(double eps) {
        return new AdamWLegacy(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, caution, correctedWeightDecay,
                initialLr, numerics);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public AdamWLegacy withWeightDecay(double weightDecay) {
        return new AdamWLegacy(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, caution, correctedWeightDecay,
                initialLr, numerics);
    }

    /** This configuration with {@code amsgrad} changed, validated as the constructor validates it. */
    public AdamWLegacy withAmsgrad(boolean amsgrad) {
        return new AdamWLegacy(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, caution, correctedWeightDecay,
                initialLr, numerics);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public AdamWLegacy withMaximize(boolean maximize) {
        return new AdamWLegacy(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, caution, correctedWeightDecay,
                initialLr, numerics);
    }

    /** This configuration with {@code caution} changed, validated as the constructor validates it. */
    public AdamWLegacy withCaution(boolean caution) {
        return new AdamWLegacy(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, caution, correctedWeightDecay,
                initialLr, numerics);
    }

    /** This configuration with {@code correctedWeightDecay} changed, validated as the constructor validates it. */
    public AdamWLegacy withCorrectedWeightDecay(boolean correctedWeightDecay) {
        return new AdamWLegacy(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, caution, correctedWeightDecay,
                initialLr, numerics);
    }

    /** This configuration with {@code initialLr} changed, validated as the constructor validates it. */
    public AdamWLegacy withInitialLr(double initialLr) {
        return new AdamWLegacy(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, caution, correctedWeightDecay,
                initialLr, numerics);
    }
}
