package io.lanestep;

import java.util.List;

/**
 * ADOPT (Taniguchi et al. 2024, "ADOPT: Modified Adam Can Converge with Any β2 with the Optimal
 * Rate") as timm 1.0's {@code timm.optim.Adopt} computes it, bit for bit, or with {@code optax} as
 * optax 0.2.8's jitted {@code contrib.adopt}: the gradient is divided by the second moment of the
 * steps before it, then clipped and averaged, so the first moment never sees the gradient it is
 * normalized by. At step {@code t} (from 1), with {@code v} and {@code m} as the step found them,
 * timm's rule:
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
 * optax's rule, in XLA's float32 (a product and a sum contracted to one {@code fma}, the decays chosen
 * per step: {@code b1 = f(beta1)} and {@code b2 = f(beta2)} after the first step, 1 and 0 on it,
 * so the first step fills {@code v} and leaves a finite gradient's {@code p}):
 * <pre>
 * n = g / max(sqrt(v), f(eps))
 * clipExponent not NaN:  c = powf(t - 1, f(clipExponent)) (XLA's, see XlaMath);  n = clamp(n, -c, c)
 * m = fma(m, b1, (1 - b1)·n)
 * u = nesterov ? fma(m, b1, (1 - b1)·n) : m
 *     (Nesterov without clipping: fma(n, 1 - b1, b1·m) in both, the product XLA fuses there)
 * p = fma(u, f(-lr), p)
 * v = fma(g·g, 1 - b2, v·b2)
 * </pre>
 * optax's {@code clip_value_fn} is {@code count**clipExponent} here (its default: 0.25). optax's
 * ADOPT has no weight decay (chain {@code add_decayed_weights} for it), maximize or caution, so
 * those are refused with {@code optax}; Nesterov is optax's alone. XLA reads subnormal inputs as
 * zero; these loops keep them.
 *
 * @param lr                   learning rate, finite and &ge; 0 (1e-3)
 * @param beta1                first-moment decay in [0, 1) (0.9)
 * @param beta2                second-moment decay in [0, 1) (0.9999)
 * @param eps                  floor of the second moment's root, &ge; 0 (1e-6)
 * @param clipExponent         the clip bound grows as {@code (t - 1)^clipExponent}, &ge; 0, or NaN for
 *                             timm's {@code clip_exp=None} or optax's {@code use_clipping=False}: no
 *                             clipping (timm 0.333, optax 0.25)
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
 * @param nesterov             optax's Nesterov momentum (with {@code optax} only)
 * @param optax                optax's {@code contrib.adopt} rule instead of timm's
 */
public record Adopt(double lr, double beta1, double beta2, double eps, double clipExponent, double weightDecay,
                    boolean decoupled, boolean correctedWeightDecay, double initialLr, boolean maximize,
                    boolean caution, boolean nesterov, boolean optax) implements Optimizer {

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
        if (optax && (weightDecay != 0 || maximize || caution)) {
            throw new IllegalArgumentException("optax's ADOPT has no weight decay, maximize or caution, got weightDecay="
                    + weightDecay + ", maximize=" + maximize + ", caution=" + caution
                    + "; pass optax=false for timm's rule, which has them");
        }
        if (nesterov && !optax) {
            throw new IllegalArgumentException("nesterov is optax's ADOPT option; timm's ADOPT has none: pass optax=true"
                    + " or nesterov=false");
        }
    }

    /** timm's rule: the configuration without {@code nesterov} and {@code optax}. */
    public Adopt(double lr, double beta1, double beta2, double eps, double clipExponent, double weightDecay,
                 boolean decoupled, boolean correctedWeightDecay, double initialLr, boolean maximize, boolean caution) {
        this(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr, maximize,
                caution, false, false);
    }

    /** timm's defaults at {@code lr}: betas (0.9, 0.9999), eps 1e-6, clip exponent 0.333, no weight decay. */
    public static Adopt of(double lr) {
        return new Adopt(lr, 0.9, 0.9999, 1e-6, 0.333, 0, false, false, lr, false, false);
    }

    /**
     * optax's {@code contrib.adopt(learning_rate=lr)}: b1 0.9, b2 0.9999, eps 1e-6, clipping at
     * {@code count**0.25}, no Nesterov.
     */
    public static Adopt optax(double lr) {
        return new Adopt(lr, 0.9, 0.9999, 1e-6, 0.25, 0, false, false, lr, false, false, false, true);
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
                initialLr, maximize, caution, nesterov, optax);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Adam.EXP_AVG, Adam.EXP_AVG_SQ);
    }

    /** This configuration with PyTorch's {@code betas = (beta1, beta2)}, validated as the constructor does. */
    public Adopt withBetas(double beta1, double beta2) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution, nesterov, optax);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public Adopt withBeta1(double beta1) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution, nesterov, optax);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public Adopt withBeta2(double beta2) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution, nesterov, optax);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public Adopt withEps(double eps) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution, nesterov, optax);
    }

    /** This configuration with {@code clipExponent} changed (NaN: no clipping), validated as the constructor does. */
    public Adopt withClipExponent(double clipExponent) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution, nesterov, optax);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Adopt withWeightDecay(double weightDecay) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution, nesterov, optax);
    }

    /** This configuration with {@code decoupled} changed, validated as the constructor validates it. */
    public Adopt withDecoupled(boolean decoupled) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution, nesterov, optax);
    }

    /** This configuration with {@code correctedWeightDecay} changed, validated as the constructor validates it. */
    public Adopt withCorrectedWeightDecay(boolean correctedWeightDecay) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution, nesterov, optax);
    }

    /** This configuration with {@code initialLr} changed, validated as the constructor validates it. */
    public Adopt withInitialLr(double initialLr) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution, nesterov, optax);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public Adopt withMaximize(boolean maximize) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution, nesterov, optax);
    }

    /** This configuration with {@code caution} changed, validated as the constructor validates it. */
    public Adopt withCaution(boolean caution) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution, nesterov, optax);
    }

    /** This configuration with optax's {@code nesterov} changed, validated as the constructor validates it. */
    public Adopt withNesterov(boolean nesterov) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution, nesterov, optax);
    }

    /** This configuration with {@code optax} changed (optax's rule or timm's), validated as the constructor validates it. */
    public Adopt withOptax(boolean optax) {
        return new Adopt(lr, beta1, beta2, eps, clipExponent, weightDecay, decoupled, correctedWeightDecay, initialLr,
                maximize, caution, nesterov, optax);
    }
}
