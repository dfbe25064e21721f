package io.lanestep;

import java.util.List;

/**
 * MARS (Yuan et al. 2024, "MARS: Unleashing the Power of Variance Reduction for Training Large
 * Models") as timm 1.0's {@code timm.optim.Mars} computes it, bit for bit: the gradient is
 * corrected by its change since the last step, scaled back to norm 1 when it exceeds it, and drives
 * an AdamW- or Lion-type step. timm picks the rule by the parameter's rank: a matrix (or any tensor
 * with {@code optimize1d}) takes MARS, a vector AdamW with {@code betas1d}; {@link #vector} says which
 * (TorchOptimizers makes matrix configurations; {@link #forVectors()} the other). At step {@code t}:
 * <pre>
 * MARS:    t = 1: c = g;  else c = ((g - last)·f(gamma·(beta1/(1 - beta1)))) + g,
 *                   and c = c / N when N = norm(c) &gt; 1
 *          m = fma(c, f(1 - beta1), m·f(beta1))
 *          AdamW type: v = fma(f(1 - beta2)·c, c, v·f(beta2))
 *                      u = p·f(wd) + (m' / f(1 - beta1^t)) / (sqrt(v) / f(sqrt(1 - beta2^t)) + f(eps))
 *          Lion type:  u = p·f(wd) + sign(m')
 *          p = fma(u, f(-lr), p)
 * vector:  m = fma(g, f(1 - b1d), m·f(b1d));  v = fma(f(1 - b2d)·g, g, v·f(b2d))
 *          u as the AdamW type with b1d, b2d;  p = fma(u, f(-(lr·lr1dFactor)), p)
 * last = g
 * </pre>
 * {@code norm} is torch's float32 L2 norm (its 8-lane accumulator), so the step reads the whole
 * tensor before it writes: a tensor cut into shards is refused. {@code m'} is {@code m} under
 * timm's caution mask when {@code caution} (see {@link Adopt#caution()}), else {@code m}.
 *
 * @param lr          learning rate, finite and &ge; 0 (3e-3)
 * @param beta1       momentum decay in [0, 1) (0.9)
 * @param beta2       second-moment decay in [0, 1) (0.99)
 * @param eps         added to the denominator, &ge; 0 (1e-8)
 * @param weightDecay weight decay in the update, &ge; 0 (0)
 * @param gamma       scale of the gradient's change, &ge; 0 (0.025)
 * @param lion        the Lion-type update (timm's {@code mars_type="lion"}) instead of AdamW's
 * @param optimize1d  vectors step by MARS too
 * @param lr1dFactor  the vector rule's learning-rate factor, &ge; 0 (1)
 * @param beta1For1d  the vector rule's momentum decay in [0, 1) (beta1)
 * @param beta2For1d  the vector rule's second-moment decay in [0, 1) (beta2)
 * @param caution     timm's caution mask on {@code m}
 * @param vector      the parameter this configuration steps is a vector (timm's {@code grad.ndim < 2})
 */
public record Mars(double lr, double beta1, double beta2, double eps, double weightDecay, double gamma, boolean lion,
                   boolean optimize1d, double lr1dFactor, double beta1For1d, double beta2For1d, boolean caution,
                   boolean vector) implements Optimizer {
    /** The state slot of the last gradient. */
    public static final String LAST_GRAD = "last_grad";

    /** Validates every hyperparameter. */
    public Mars {
        AdamW.validate(lr, beta1, beta2, eps, weightDecay);
        Hyper.nonNegative("gamma", gamma);
        Hyper.nonNegative("lr1dFactor", lr1dFactor);
        Hyper.belowOne("beta1For1d", beta1For1d);
        Hyper.belowOne("beta2For1d", beta2For1d);
    }

    /** timm's defaults for a matrix: lr 3e-3, betas (0.9, 0.99), eps 1e-8, gamma 0.025, AdamW type. */
    public static Mars defaults() {
        return new Mars(3e-3, 0.9, 0.99, 1e-8, 0, 0.025, false, false, 1, 0.9, 0.99, false, false);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Mars withLearningRate(double learningRate) {
        return new Mars(learningRate, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, vector);
    }

    /** This configuration for a vector parameter (timm decides by the gradient's rank). */
    public Mars forVectors() {
        return new Mars(lr, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, true);
    }

    /** This configuration with {@code beta1} changed (what a scheduler cycles), validated as the constructor does. */
    public Mars withBeta1(double beta1) {
        return new Mars(lr, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, vector);
    }

    /** This configuration with timm's caution mask on or off. */
    public Mars withCaution(boolean caution) {
        return new Mars(lr, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, vector);
    }

    /** Whether this configuration steps by MARS (a matrix, or a vector with {@code optimize1d}) rather than AdamW. */
    public boolean stepsByMars() {
        return optimize1d || !vector;
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public Mars withBeta2(double beta2) {
        return new Mars(lr, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, vector);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public Mars withEps(double eps) {
        return new Mars(lr, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, vector);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Mars withWeightDecay(double weightDecay) {
        return new Mars(lr, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, vector);
    }

    /** This configuration with {@code gamma} changed, validated as the constructor validates it. */
    public Mars withGamma(double gamma) {
        return new Mars(lr, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, vector);
    }

    /** This configuration with {@code lion} changed, validated as the constructor validates it. */
    public Mars withLion(boolean lion) {
        return new Mars(lr, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, vector);
    }

    /** This configuration with {@code optimize1d} changed, validated as the constructor validates it. */
    public Mars withOptimize1d(boolean optimize1d) {
        return new Mars(lr, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, vector);
    }

    /** This configuration with {@code lr1dFactor} changed, validated as the constructor validates it. */
    public Mars withLr1dFactor(double lr1dFactor) {
        return new Mars(lr, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, vector);
    }

    /** This configuration with {@code beta1For1d} changed, validated as the constructor validates it. */
    public Mars withBeta1For1d(double beta1For1d) {
        return new Mars(lr, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, vector);
    }

    /** This configuration with {@code beta2For1d} changed, validated as the constructor validates it. */
    public Mars withBeta2For1d(double beta2For1d) {
        return new Mars(lr, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, vector);
    }

    /** This configuration with {@code vector} changed, validated as the constructor validates it. */
    public Mars withVector(boolean vector) {
        return new Mars(lr, beta1, beta2, eps, weightDecay, gamma, lion, optimize1d, lr1dFactor, beta1For1d,
                beta2For1d, caution, vector);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Adam.EXP_AVG, Adam.EXP_AVG_SQ, LAST_GRAD);
    }
}
