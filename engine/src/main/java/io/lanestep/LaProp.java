package io.lanestep;

import java.util.List;

/**
 * LaProp (Ziyin, Wang and Ueda 2020, "LaProp: Separating Momentum and Adaptivity in Adam") as timm
 * 1.0's {@code timm.optim.LaProp} computes it, bit for bit: the gradient is normalized by its
 * second moment before it enters the momentum, and the momentum's bias correction follows the
 * learning rates it was built with. Two scalars ride with the state: {@code e1}, timm's Python
 * (double) average of the learning rates, and {@code e2}, a float32 average of ones. At each step:
 * <pre>
 * v  = fma(f(1 - beta2)·g, g, v·f(beta2))
 * e1 = e1·beta1 + (1 - beta1)·lr                      (double)
 * e2 = e2·f(beta2) + f(1 - beta2)                     (float32)
 * denom = sqrt(v / e2) + f(eps)
 * m  = fma(g / denom, f(lr·(1 - beta1)), m·f(beta1))
 * p  = fma(m, f(-1 / bc1), p)                         (bc1 = e1 / lr, or 1 when lr = 0)
 * weightDecay != 0:  p = fma(p, f(-s·weightDecay), p) (s = lr²/initialLr with correctedWeightDecay, else lr)
 * </pre>
 * The double {@code e1} is kept exactly as the sum of three floats, the scalar state
 * {@code exp_avg_lr_1}, {@code exp_avg_lr_1.mid} and {@code exp_avg_lr_1.low}, so that checkpoints
 * of float scalars carry it without loss.
 *
 * @param lr                   learning rate, finite and &ge; 0 (4e-4)
 * @param beta1                momentum decay in [0, 1) (0.9)
 * @param beta2                second-moment decay in [0, 1) (0.999)
 * @param eps                  added to the denominator, &ge; 0 (1e-15)
 * @param weightDecay          weight decay after the step, &ge; 0 (0)
 * @param caution              timm's caution mask on {@code m} (see {@link Adopt#caution()}); a tensor cut
 *                             into shards is refused
 * @param correctedWeightDecay scale the decay by {@code lr / initialLr} (see {@link Adopt})
 * @param initialLr            the learning rate corrected decay divides by; &gt; 0 with corrected decay
 */
public record LaProp(double lr, double beta1, double beta2, double eps, double weightDecay, boolean caution,
                     boolean correctedWeightDecay, double initialLr) implements Optimizer {
    /** Scalar state: the float32 average of ones that corrects the second moment's bias. */
    public static final String EXP_AVG_LR_2 = "exp_avg_lr_2";
    /** Scalar state: the float nearest timm's double average of learning rates, {@code e1}. */
    public static final String EXP_AVG_LR_1 = "exp_avg_lr_1";
    /** Scalar state: {@code e1} minus {@link #EXP_AVG_LR_1}, rounded to float. */
    public static final String EXP_AVG_LR_1_MID = "exp_avg_lr_1.mid";
    /** Scalar state: what the other two parts of {@code e1} leave, exactly. */
    public static final String EXP_AVG_LR_1_LOW = "exp_avg_lr_1.low";

    /** Validates every hyperparameter. */
    public LaProp {
        AdamW.validate(lr, beta1, beta2, eps, weightDecay);
        if (correctedWeightDecay) {
            Hyper.positive("initialLr", initialLr);
        } else {
            Hyper.nonNegative("initialLr", initialLr);
        }
    }

    /** timm's defaults at {@code lr}: betas (0.9, 0.999), eps 1e-15, no weight decay. */
    public static LaProp of(double lr) {
        return new LaProp(lr, 0.9, 0.999, 1e-15, 0, false, false, lr);
    }

    /** timm's defaults: lr 4e-4, betas (0.9, 0.999), eps 1e-15, no weight decay. */
    public static LaProp defaults() {
        return of(4e-4);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    /** This configuration at {@code learningRate}; {@link #initialLr} stays, as timm's constructor lr does. */
    @Override
    public LaProp withLearningRate(double learningRate) {
        return new LaProp(learningRate, beta1, beta2, eps, weightDecay, caution, correctedWeightDecay, initialLr);
    }

    /** This configuration with {@code beta1} changed (what a scheduler cycles), validated as the constructor does. */
    public LaProp withBeta1(double beta1) {
        return new LaProp(lr, beta1, beta2, eps, weightDecay, caution, correctedWeightDecay, initialLr);
    }

    /** This configuration with timm's caution mask on or off. */
    public LaProp withCaution(boolean caution) {
        return new LaProp(lr, beta1, beta2, eps, weightDecay, caution, correctedWeightDecay, initialLr);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public LaProp withBeta2(double beta2) {
        return new LaProp(lr, beta1, beta2, eps, weightDecay, caution, correctedWeightDecay, initialLr);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public LaProp withEps(double eps) {
        return new LaProp(lr, beta1, beta2, eps, weightDecay, caution, correctedWeightDecay, initialLr);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public LaProp withWeightDecay(double weightDecay) {
        return new LaProp(lr, beta1, beta2, eps, weightDecay, caution, correctedWeightDecay, initialLr);
    }

    /** This configuration with {@code correctedWeightDecay} changed, validated as the constructor validates it. */
    public LaProp withCorrectedWeightDecay(boolean correctedWeightDecay) {
        return new LaProp(lr, beta1, beta2, eps, weightDecay, caution, correctedWeightDecay, initialLr);
    }

    /** This configuration with {@code initialLr} changed, validated as the constructor validates it. */
    public LaProp withInitialLr(double initialLr) {
        return new LaProp(lr, beta1, beta2, eps, weightDecay, caution, correctedWeightDecay, initialLr);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Adam.EXP_AVG, Adam.EXP_AVG_SQ);
    }

    @Override
    public List<String> scalarKeys() {
        return List.of(EXP_AVG_LR_2, EXP_AVG_LR_1, EXP_AVG_LR_1_MID, EXP_AVG_LR_1_LOW);
    }

    /** {@code e1} after this step, from {@code e1} before it: timm's double arithmetic. */
    public double nextLrAverage(double lrAverage) {
        return lrAverage * beta1 + (1 - beta1) * lr;
    }

    /** {@code e2} after this step, from {@code e2} before it: timm's float32 arithmetic. */
    public float nextOnesAverage(float onesAverage) {
        return onesAverage * (float) beta2 + (float) (1 - beta2);
    }

    /** {@code f(-1 / bc1)}, the momentum's step, with {@code e1} of this step. */
    public float negStep(double lrAverage) {
        return (float) -(1 / (lr != 0 ? lrAverage / lr : 1));
    }

    /** The double {@code e1} that {@code parts[from..from+2]} hold (see the class comment). */
    public static double joined(float[] parts, int from) {
        return (double) parts[from] + parts[from + 1] + parts[from + 2];
    }

    /** Stores {@code value} exactly as three floats at {@code parts[from..from+2]}. */
    public static void split(double value, float[] parts, int from) {
        float high = (float) value;
        float mid = (float) (value - high);
        parts[from] = high;
        parts[from + 1] = mid;
        parts[from + 2] = (float) (value - high - mid);
    }
}
