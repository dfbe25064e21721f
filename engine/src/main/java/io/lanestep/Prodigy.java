package io.lanestep;

import java.util.List;

/**
 * Prodigy (Mishchenko and Defazio 2023, "Prodigy: An Expeditiously Adaptive Parameter-Free
 * Learner") as optax 0.2.8's jitted {@code contrib.prodigy} computes it, bit for bit: AdamW whose
 * step size {@code d} (the scalar state {@code estim_lr}) grows from {@code estimLr0} by an estimate
 * of the distance to the solution, from two sums over the tensor. Step {@code t} (from 1), with
 * {@code x0} the parameters before the first step (the state slot {@code params0}):
 * <pre>
 * bc  = sqrt(1 - f(b2)^t) / (1 - f(b1)^t);   dlr = d·bc (lr = 1) or (d·f(lr))·bc;   dg = d·g
 * A   = Σ g·(x0 - p)
 * m   = fma(m, f(b1), dg·f(1 - b1));   v = fma(v, f(b2), (dg·f(1 - b2))·dg)
 * s   = fma(s, beta3, (dlr·dg)·r0)     (safeguardWarmup: (d·dg)·r0;  r0 = f32(1/f(estimLr0)))
 * N   = fma(N, beta3, ((d·r0)·dlr)·A);   D = Σ |s|
 * d'  = max(d, (N·f(estimLrCoef)) / D)
 * p   = p + fma(dlr·f(-weightDecay), p, -((dlr·m) / (sqrt(v) + d'·f(eps))))
 * </pre>
 * The sums are XLA's CPU reductions in their order: one after another from index 0 up to 32
 * elements (the dot product fused, {@code fma(g, x0 - p, acc)}); above, windows of 32 over the
 * vector centred in {@code 32·ceil(n/32)}, each summed in order, then the window sums in order.
 * Above 1,024 elements XLA's order is another's, within 64 ulp of this one (see the golden
 * cases' README). The sums run over the block: a tensor cut into shards is refused.
 *
 * @param lr              optax's learning-rate schedule value, &ge; 0 (1)
 * @param beta1           first-moment decay in [0, 1) (0.9)
 * @param beta2           second-moment decay in [0, 1) (0.999)
 * @param beta3           decay of {@code s} and {@code N} in [0, 1), or NaN for {@code sqrt(beta2)} (NaN)
 * @param eps             added to the root, times {@code d'}, &ge; 0 (1e-8)
 * @param estimLr0        the first {@code d}, &gt; 0 (1e-6)
 * @param estimLrCoef     scales the estimate, &ge; 0 (1)
 * @param weightDecay     decoupled weight decay, &ge; 0 (0)
 * @param safeguardWarmup {@code s} grows by {@code d} instead of {@code dlr} (false)
 */
public record Prodigy(double lr, double beta1, double beta2, double beta3, double eps, double estimLr0,
                      double estimLrCoef, double weightDecay, boolean safeguardWarmup) implements Optimizer {
    /** The state slot of {@code s}, the weighted sum of gradients. */
    public static final String GRAD_SUM = "grad_sum";
    /** The state slot of the parameters before the first step. */
    public static final String PARAMS0 = "params0";
    /** Scalar state: {@code d}, the step size. */
    public static final String ESTIM_LR = "estim_lr";
    /** Scalar state: {@code N}, the weighted numerator of the estimate. */
    public static final String NUMERATOR_WEIGHTED = "numerator_weighted";

    /** Validates every hyperparameter. */
    public Prodigy {
        AdamW.validate(lr, beta1, beta2, eps, weightDecay);
        if (!Double.isNaN(beta3)) {
            Hyper.belowOne("beta3", beta3);
        }
        Hyper.positive("estimLr0", estimLr0);
        Hyper.nonNegative("estimLrCoef", estimLrCoef);
    }

    /** optax's defaults: lr 1, betas (0.9, 0.999), beta3 sqrt(beta2), eps 1e-8, estimLr0 1e-6. */
    public static Prodigy defaults() {
        return new Prodigy(1, 0.9, 0.999, Double.NaN, 1e-8, 1e-6, 1, 0, false);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Prodigy withLearningRate(double learningRate) {
        return new Prodigy(learningRate, beta1, beta2, beta3, eps, estimLr0, estimLrCoef, weightDecay, safeguardWarmup);
    }

    /** This configuration with {@code beta1} changed, validated as the constructor validates it. */
    public Prodigy withBeta1(double beta1) {
        return new Prodigy(lr, beta1, beta2, beta3, eps, estimLr0, estimLrCoef, weightDecay, safeguardWarmup);
    }

    /** This configuration with {@code beta2} changed, validated as the constructor validates it. */
    public Prodigy withBeta2(double beta2) {
        return new Prodigy(lr, beta1, beta2, beta3, eps, estimLr0, estimLrCoef, weightDecay, safeguardWarmup);
    }

    /** This configuration with {@code beta3} changed, validated as the constructor validates it. */
    public Prodigy withBeta3(double beta3) {
        return new Prodigy(lr, beta1, beta2, beta3, eps, estimLr0, estimLrCoef, weightDecay, safeguardWarmup);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public Prodigy withEps(double eps) {
        return new Prodigy(lr, beta1, beta2, beta3, eps, estimLr0, estimLrCoef, weightDecay, safeguardWarmup);
    }

    /** This configuration with {@code estimLr0} changed, validated as the constructor validates it. */
    public Prodigy withEstimLr0(double estimLr0) {
        return new Prodigy(lr, beta1, beta2, beta3, eps, estimLr0, estimLrCoef, weightDecay, safeguardWarmup);
    }

    /** This configuration with {@code estimLrCoef} changed, validated as the constructor validates it. */
    public Prodigy withEstimLrCoef(double estimLrCoef) {
        return new Prodigy(lr, beta1, beta2, beta3, eps, estimLr0, estimLrCoef, weightDecay, safeguardWarmup);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Prodigy withWeightDecay(double weightDecay) {
        return new Prodigy(lr, beta1, beta2, beta3, eps, estimLr0, estimLrCoef, weightDecay, safeguardWarmup);
    }

    /** This configuration with {@code safeguardWarmup} changed, validated as the constructor validates it. */
    public Prodigy withSafeguardWarmup(boolean safeguardWarmup) {
        return new Prodigy(lr, beta1, beta2, beta3, eps, estimLr0, estimLrCoef, weightDecay, safeguardWarmup);
    }

    /** {@code f(beta3)}, or {@code f(sqrt(beta2))} without one. */
    public float beta3OrDefault() {
        return (float) (Double.isNaN(beta3) ? Math.sqrt(beta2) : beta3);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Adam.EXP_AVG, Adam.EXP_AVG_SQ, GRAD_SUM, PARAMS0);
    }

    @Override
    public List<String> scalarKeys() {
        return List.of(ESTIM_LR, NUMERATOR_WEIGHTED);
    }

    @Override
    public float initialScalarValue(String key) {
        return key.equals(ESTIM_LR) ? (float) estimLr0 : 0f;
    }
}
