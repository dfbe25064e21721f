package io.lanestep;

import java.util.List;

/**
 * ADOPT (Taniguchi et al. 2024, "ADOPT: Modified Adam Can Converge with Any β2 with the Optimal
 * Rate") as timm 1.0's {@code timm.optim.Adopt} computes it, bit for bit: the gradient is divided
 * by the second moment of the steps before it, then clipped and averaged, so the first moment
 * never sees the gradient it is normalized by. The first step only fills the second moment. At
 * step {@code t} (from 1), with {@code v} and {@code m} as the step found them:
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0 and not decoupled:  g = fma(p, f(weightDecay), g)
 * t = 1:  v = fma(g, g, v); nothing else
 * if weightDecay != 0 and decoupled:      p = fma(p, f(-s·weightDecay), p)
 *         (s = lr²/initialLr with correctedWeightDecay, lr otherwise)
 * n = g / max(sqrt(v), f(eps))
 * clipExponent not NaN:  c = f((t - 1)^clipExponent);  n = clamp(n, -c, c)
 * m = lerp(m, n, 1 - beta1)
 * p = fma(m, f(-lr), p)
 * v = fma(f(1 - beta2)·g, g, v·f(beta2))
 * </pre>
 *
 * @param lr                   learning rate, finite and &ge; 0 (1e-3)
 * @param beta1                first-moment decay in [0, 1) (0.9)
 * @param beta2                second-moment decay in [0, 1) (0.9999)
 * @param eps                  floor of the second moment's root, &ge; 0 (1e-6)
 * @param clipExponent         the clip bound grows as {@code (t - 1)^clipExponent}, &ge; 0, or NaN for
 *                             timm's {@code clip_exp=None}: no clipping (0.333)
 * @param weightDecay          weight decay, &ge; 0 (0)
 * @param decoupled            decay the parameter (as AdamW) instead of adding to the gradient
 * @param correctedWeightDecay scale decoupled decay by {@code lr / initialLr}, so that a schedule
 *                             lowers it with the learning rate
 * @param initialLr            the learning rate corrected decay divides by: the configured one, which
 *                             {@link #withLearningRate} (a scheduler) leaves as it is; &gt; 0 with
 *                             corrected decay
 * @param maximize             ascend instead of descend
 * @param caution              timm's caution mask: {@code m} moves the parameter only where it agrees
 *                             in sign with {@code g}, scaled by the tensor's share of such coordinates
 *                             ({@code p = fma(m·mask, f(-lr), p)}, {@code mask = m·g > 0 ? f(1 / max(f(k) / f(n),
 *                             f(1e-3))) : 0}; the state keeps {@code m}); a tensor cut into shards is refused
 */
public record Adopt(double lr, double beta1, double beta2, double eps, double clipExponent, double weightDecay,
                    boolean decoupled, boolean correctedWeightDecay, double initialLr, boolean maximize,
                    boolean caution) implements Optimizer {

    /** Validates every hyperparameter. */
    public Adopt {
        AdamW.validate(lr, beta1, beta2, eps, weightDecay);
        if (!Double.isNaN(clipExponent)) {
            Hyper.nonNegative("clipExponent", clipExponent);
        }
        if (correctedWeightDecay) {
            Hyper.positive("initialLr", initialLr);
        } else {
            Hyper.nonNegative("initialLr", initialLr);
        }
    }

    /** timm's defaults at {@code lr}: betas (0.9, 0.9999), eps 1e-6, clip exponent 0.333, no weight decay. */
    public static Adopt of(double lr) {
        return new Adopt(lr, 0.9, 0.9999, 1e-6, 0.333, 0, false, false, lr, false, false);
    }

    /** timm's defaults: lr 1e-3, betas (0.9, 0.9999), eps 1e-6, clip exponent 0.333, no weight decay. */
    public static Adopt defaults() {
        return of(1e-3);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    /** This configuration at {@code learningRate}; {@link #initialLr} stays, as timm's constructor lr does. */
    @Override
    public Adopt withLearningRate(double learningRate) {
        return new Adopt(learningRate, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay,
                initialLr, maximize, caution);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Adam.EXP_AVG, Adam.EXP_AVG_SQ);
    }

    /** This configuration with PyTorch's {@code betas = (beta1, beta2)}, validated as the constructor does. */
    public Adopt withBetas(double beta1, double beta2) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public Adopt withBeta1(double beta1) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public Adopt withBeta2(double beta2) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public Adopt withEps(double eps) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution);
    }

    /** This configuration with {@code clipExponent} changed (NaN: no clipping), validated as the constructor does. */
    public Adopt withClipExponent(double clipExponent) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Adopt withWeightDecay(double weightDecay) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution);
    }

    /** This configuration with {@code decoupled} changed, validated as the constructor validates it. */
    public Adopt withDecoupled(boolean decoupled) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution);
    }

    /** This configuration with {@code correctedWeightDecay} changed, validated as the constructor validates it. */
    public Adopt withCorrectedWeightDecay(boolean correctedWeightDecay) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution);
    }

    /** This configuration with {@code initialLr} changed, validated as the constructor validates it. */
    public Adopt withInitialLr(double initialLr) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public Adopt withMaximize(boolean maximize) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution);
    }

    /** This configuration with {@code caution} changed, validated as the constructor validates it. */
    public Adopt withCaution(boolean caution) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution);
    }
}
