package io.lanestep;

import java.util.List;

/**
 * LAMB (You et al. 2019, "Large Batch Optimization for Deep Learning: Training BERT in 76
 * minutes", Algorithm 2, with bias correction and φ the identity): Adam's step plus weight decay,
 * scaled per block (per layer) by the ratio of the block's norm to the step's norm. No PyTorch
 * oracle exists; the reference states the operation order. Per step:
 * <pre>
 * m = fma(g, f(1 - beta1), m * f(beta1))
 * v = fma(f(1 - beta2) * g, g, v * f(beta2))
 * u = m * f(1 / (1 - beta1^t)) / fma(sqrt(v), f(1 / sqrt(1 - beta2^t)), f(eps))
 * u = fma(p, f(weightDecay), u)                      (with weight decay)
 * ratio = ‖p‖ &gt; 0 and ‖u‖ &gt; 0 ? ‖p‖ / ‖u‖ : 1       (double)
 * p = fma(u, f(-lr·ratio), p)
 * </pre>
 * The bias corrections multiply by their reciprocals (one divide per element, not three: LAMB has
 * no PyTorch order to follow, and the divides set its speed in cache).
 * Each norm is the square root of the exact sum, rounded once, over 4096-float chunks of the
 * chunk's sum of squares in {@code SquareSums}' order, so the chunk just written is summed while in
 * cache, and a tensor cut into pieces at multiples of 4096 gets the whole tensor's norms when its
 * shards add their sums through a {@link NormExchange}. The
 * ratio is 1 where a norm is 0, as in the reference implementations. {@code u} is kept in the
 * state slot {@value #UPDATE} between the two passes (one more float per parameter).
 *
 * @param lr          learning rate, finite and &ge; 0
 * @param beta1       first-moment decay in [0, 1)
 * @param beta2       second-moment decay in [0, 1)
 * @param eps         added to the denominator, finite and &ge; 0 (1e-6 in the paper's code)
 * @param weightDecay decoupled weight decay λ, finite and &ge; 0
 */
public record Lamb(double lr, double beta1, double beta2, double eps, double weightDecay) implements Optimizer {
    /** The state slot holding the last step's update direction {@code u}. */
    public static final String UPDATE = "update";

    /** Validates every hyperparameter. */
    public Lamb {
        AdamW.validate(lr, beta1, beta2, eps, weightDecay);
    }

    /** Common defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-6, weight decay 0.01. */
    public static Lamb defaults() {
        return new Lamb(1e-3, 0.9, 0.999, 1e-6, 0.01);
    }

    /** The factor on the learning rate for a block whose parameters and update have these norms. */
    public static double trustRatio(double paramNorm, double updateNorm) {
        return paramNorm > 0 && updateNorm > 0 ? paramNorm / updateNorm : 1;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Lamb withLearningRate(double learningRate) {
        return new Lamb(learningRate, beta1, beta2, eps, weightDecay);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Adam.EXP_AVG, Adam.EXP_AVG_SQ, UPDATE);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public Lamb withBeta1(double beta1) {
        return new Lamb(lr, beta1, beta2, eps, weightDecay);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public Lamb withBeta2(double beta2) {
        return new Lamb(lr, beta1, beta2, eps, weightDecay);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public Lamb withEps(double eps) {
        return new Lamb(lr, beta1, beta2, eps, weightDecay);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Lamb withWeightDecay(double weightDecay) {
        return new Lamb(lr, beta1, beta2, eps, weightDecay);
    }

    /** This configuration with PyTorch's {@code betas = (beta1, beta2)}, validated as the constructor does. */
    public Lamb withBetas(double beta1, double beta2) {
        return new Lamb(lr, beta1, beta2, eps, weightDecay);
    }
}
