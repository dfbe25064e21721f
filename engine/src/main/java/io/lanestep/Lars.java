package io.lanestep;

import java.util.List;

/**
 * LARS (You, Gitman and Ginsburg 2017, "Large Batch Training of Convolutional Networks",
 * Algorithm 1): SGD with momentum whose rate is scaled per block (per layer) by a trust ratio, so
 * a block moves by a bounded fraction of its own norm whatever the batch size. No PyTorch oracle
 * exists; the reference states the operation order. Per step, with each squared norm the exact
 * sum, rounded once, of every 4096-float chunk's sum in {@code SquareSums}' fixed order (the same
 * bits at every width and thread count, and for a tensor cut into pieces at multiples of 4096 whose
 * shards add their sums through a {@link NormExchange}):
 * <pre>
 * trust = ‖p‖ &gt; 0 and ‖g‖ &gt; 0 ? η·‖p‖ / (‖g‖ + weightDecay·‖p‖ + eps) : 1     (double)
 * d = fma(p, f(weightDecay), g)
 * v = fma(d, f(lr·trust), v * f(momentum))
 * p = p - v
 * </pre>
 * The ratio is 1 where a norm is 0, as in the reference implementations (NVIDIA's LARC, torchlars):
 * the paper's formula would never move a block that starts at zero. A step takes two passes: the
 * norms (reads only), then the update.
 *
 * @param lr                global learning rate γ, finite and &ge; 0
 * @param momentum          momentum m in [0, 1]
 * @param weightDecay       β, finite and &ge; 0
 * @param trustCoefficient  η, finite and &gt; 0 (the paper's 0.001)
 * @param eps               added to the ratio's denominator, finite and &ge; 0
 */
public record Lars(double lr, double momentum, double weightDecay, double trustCoefficient, double eps)
        implements Optimizer {

    /** Validates every hyperparameter. */
    public Lars {
        Hyper.nonNegative("lr", lr);
        Hyper.unitInterval("momentum", momentum);
        Hyper.nonNegative("weightDecay", weightDecay);
        Hyper.positive("trustCoefficient", trustCoefficient);
        Hyper.nonNegative("eps", eps);
    }

    /** The paper's ImageNet setting at {@code lr}: momentum 0.9, weight decay 5e-4, η 0.001, eps 0. */
    public static Lars of(double lr) {
        return new Lars(lr, 0.9, 5e-4, 1e-3, 0);
    }

    /** The local rate factor for a block whose parameters and gradients have these L2 norms. */
    public double trustRatio(double paramNorm, double gradNorm) {
        return paramNorm > 0 && gradNorm > 0
                ? trustCoefficient * paramNorm / (gradNorm + weightDecay * paramNorm + eps) : 1;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Lars withLearningRate(double learningRate) {
        return new Lars(learningRate, momentum, weightDecay, trustCoefficient, eps);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Sgd.MOMENTUM_BUFFER);
    }

    /** This configuration with {@code momentum} changed, validated as the constructor validates it. */
    public Lars withMomentum(double momentum) {
        return new Lars(lr, momentum, weightDecay, trustCoefficient, eps);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Lars withWeightDecay(double weightDecay) {
        return new Lars(lr, momentum, weightDecay, trustCoefficient, eps);
    }

    /** This configuration with {@code trustCoefficient} changed, validated as the constructor validates it. */
    public Lars withTrustCoefficient(double trustCoefficient) {
        return new Lars(lr, momentum, weightDecay, trustCoefficient, eps);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public Lars withEps(double eps) {
        return new Lars(lr, momentum, weightDecay, trustCoefficient, eps);
    }
}
