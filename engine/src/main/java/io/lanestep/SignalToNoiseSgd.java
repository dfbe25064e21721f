package io.lanestep;

import java.util.List;

/**
 * The seed lecture's own algorithm (seed-math §10): SGD whose learning rate is chosen per
 * coordinate from the gradient's signal-to-noise ratio, so it sets and decays its own schedule.
 *
 * <h2>Derivation, in brief</h2>
 * In one dimension, with {@code L} a bound on the second derivative and {@code σ̂} the per-example
 * gradient noise, one step {@code β − ηĝ} on a batch of {@code B} lowers the loss by at least
 * {@code η(ĝ − 2σ̂/√B)ĝ − ½Lη²ĝ²}. Maximizing that gain per gradient computed gives the batch size
 * {@code B* = 16σ̂²/ĝ²} worth waiting for and the step {@code η* = 1/(2L)}; a batch of {@code B}
 * then earns the step {@code η_B = Bη* ÷ B* = Bĝ² ÷ (32σ̂²L)}. The algorithm estimates {@code ĝ} and
 * {@code σ̂²} per coordinate by running averages over the last {@code B*} ÷ {@code B} batches and moves along
 * the averaged gradient {@code ḡ} with the rate {@code λ_η ḡ²/σ̂²} (the derivation's
 * {@code λ_η = B/(32L)}, {@code λ_B = 16}). Near an optimum {@code ḡ → 0} while {@code σ̂ → σ > 0},
 * so the rate falls to 0 by itself: a per-coordinate schedule that meets the convergence theorem.
 *
 * <h2>Per element, at step t (counted from 1), with this step's batch size B</h2>
 * <pre>
 * σ̂²  = max(0, s̄ − ḡ²)                                   from the statistics before this step
 * r    = t ≤ K ? min(1, max(B/K, 1/t))                     warm-up: the plain mean so far
 *            : min(½, B(ḡ² + εσ̂²) / (λ_B σ̂²))             r = B/B*, B* = λ_B σ̂²/(ḡ² + εσ̂²)
 * ḡ    = fma(r, ĝ, (1 − r)ḡ);  s̄ = fma(r, ĝ·ĝ, (1 − r)s̄)  fold in this step's gradient
 * σ̂²  = max(0, s̄ − ḡ²)                                   from the updated statistics
 * η    = t ≤ K ? 0 : min(λ_η λ_B / B, λ_η ḡ² / σ̂²)
 * Φ    = Φ − η ḡ
 * </pre>
 * where every {@code min(c, x/y)} is evaluated as {@code x ≥ c·y ? c : x/y}, so 0/0 never occurs.
 *
 * <h2>The points the lecture leaves open, decided</h2>
 * Two of these decisions were forced by the property "the rate falls towards 0 as the iterate
 * nears the optimum" failing on the literal formulas; the failures are described with them.
 * <ol>
 * <li><b>Averaging weight above 1.</b> After warm-up {@code r = B/B*} is clamped to [0, ½]: the
 *     averages always span at least two batches. Clamping to 1 creates an absorbing state: with
 *     {@code r = 1} the statistics are the last gradient alone, {@code σ̂² = ĝ² − ĝ² = 0}, so
 *     {@code B* = 0} and {@code r} stays 1 for ever: plain SGD at the largest rate. During
 *     warm-up the lecture's {@code B* = K} becomes {@code B* = min(K, tB)}, so the first steps
 *     average every gradient seen with equal weight instead of leaking the zero initial state
 *     into the estimates.</li>
 * <li><b>ε is relative to σ̂².</b> The lecture's {@code B* = λ_B σ̂²/(ḡ² + ε)} with an absolute ε
 *     has a second absorbing state: as {@code ḡ → 0} the averaging window {@code B* ÷ B} grows
 *     like {@code 1/ḡ²}, so a running mean that noise carries near 0 freezes there, and the rate
 *     {@code ∝ ḡ²} with it, wherever the iterate happens to be (measured: the iterate stalled at
 *     a mean distance 0.23 from the optimum of the 1D example while the rate went to 1e-6). An
 *     absolute ε large enough to prevent that depends on the gradients' scale; {@code εσ̂²} does
 *     not: it caps the window at {@code λ_B/ε} batches (1600 with the defaults), so the mean
 *     keeps tracking the true gradient and the iterate keeps approaching the optimum.</li>
 * <li><b>Negative variance from rounding.</b> {@code σ̂² = max(0, s̄ − ḡ²)}.</li>
 * <li><b>σ̂ = 0</b> (a coordinate whose gradient never varies). The rate is capped at
 *     {@code λ_η λ_B / B}, the rate the derivation gives when {@code B* = B}: a batch already
 *     large enough earns the full noise-free step {@code η*} and no more. A constant gradient
 *     therefore moves at the cap, never at an infinite rate, and every output is finite for
 *     finite inputs whose squares are finite floats.</li>
 * <li><b>Before or after.</b> The update uses {@code ḡ} and {@code η} <i>after</i> folding in this
 *     step's gradient (as Adam uses its updated moments); the averaging weight {@code r} uses the
 *     statistics <i>before</i> it, as the lecture's {@code r_t = B/B*(t)} does.</li>
 * </ol>
 *
 * @param batchSize    B, the number of examples behind this step's gradient; may change every
 *                     step ({@link #withBatchSize}); finite and &gt; 0
 * @param warmupSteps  K, steps during which only the statistics move, &ge; 1
 * @param lambdaB      λ_B, scale of the wanted batch size B*; 16 from the derivation; &gt; 0
 * @param lambdaEta    λ_η, scale of the rate; B/(32L) from the derivation; finite and &ge; 0
 * @param eps          ε, relative floor of the signal in B*: the averages span at most λ_B/ε
 *                     batches; finite and &ge; 0
 */
public record SignalToNoiseSgd(double batchSize, long warmupSteps, double lambdaB, double lambdaEta, double eps)
        implements Optimizer {

    /** λ_B from the derivation. */
    public static final double DEFAULT_LAMBDA_B = 16;
    /** The derivation's λ_η = B/(32L) per unit of batch size, with the curvature bound L = 1. */
    public static final double DEFAULT_LAMBDA_ETA_PER_EXAMPLE = 1.0 / 32;
    /** Warm-up steps by default. */
    public static final long DEFAULT_WARMUP = 10;
    /** ε by default: the running averages span at most λ_B/ε = 1600 batches. */
    public static final double DEFAULT_EPS = 0.01;

    /** The largest averaging weight after warm-up: the averages span at least two batches. */
    public static final double MAX_AVERAGING_WEIGHT = 0.5;

    /** State key of the running mean ḡ. */
    public static final String GRAD_MEAN = "grad_mean";
    /** State key of the running second moment s̄. */
    public static final String GRAD_SQ_MEAN = "grad_sq_mean";

    /** Validates every meta-parameter. */
    public SignalToNoiseSgd {
        Hyper.positive("batchSize", batchSize);
        if (warmupSteps < 1) {
            throw new IllegalArgumentException("warmupSteps must be >= 1, got " + warmupSteps
                    + "; the statistics need at least one step before the rate can be estimated");
        }
        Hyper.positive("lambdaB", lambdaB);
        Hyper.nonNegative("lambdaEta", lambdaEta);
        Hyper.nonNegative("eps", eps);
    }

    /**
     * The defaults for batches of {@code batchSize}: K = 10, λ_B = 16, λ_η = B/32 (the derivation's
     * B/(32L) with L = 1, so the largest rate is the noise-free step 1/(2L) = ½), ε = 1/100.
     */
    public static SignalToNoiseSgd defaults(double batchSize) {
        return new SignalToNoiseSgd(batchSize, DEFAULT_WARMUP, DEFAULT_LAMBDA_B,
                DEFAULT_LAMBDA_ETA_PER_EXAMPLE * batchSize, DEFAULT_EPS);
    }

    /**
     * This configuration for a step whose gradient came from {@code newBatchSize} examples, λ_η
     * unchanged; scale λ_η with the batch to keep the derivation's {@code λ_η = B/(32L)}.
     */
    public SignalToNoiseSgd withBatchSize(double newBatchSize) {
        return new SignalToNoiseSgd(newBatchSize, warmupSteps, lambdaB, lambdaEta, eps);
    }

    /** The largest per-coordinate rate, {@code λ_η λ_B / B}: the noise-free step of the derivation. */
    public double maxRate() {
        return lambdaEta * lambdaB / batchSize;
    }

    /** The warm-up averaging weight at step {@code t}: {@code min(1, max(B/K, 1/t))}. */
    public double warmupWeight(long t) {
        return Math.min(1, Math.max(batchSize / warmupSteps, 1.0 / t));
    }

    /** λ_η: a schedule scales the per-coordinate rate. */
    @Override
    public double learningRate() {
        return lambdaEta;
    }

    @Override
    public SignalToNoiseSgd withLearningRate(double learningRate) {
        return new SignalToNoiseSgd(batchSize, warmupSteps, lambdaB, learningRate, eps);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(GRAD_MEAN, GRAD_SQ_MEAN);
    }

    /** This configuration with {@code warmupSteps} changed, validated as the constructor validates it. */
    public SignalToNoiseSgd withWarmupSteps(long warmupSteps) {
        return new SignalToNoiseSgd(batchSize, warmupSteps, lambdaB, lambdaEta, eps);
    }

    /** This configuration with {@code lambdaB} changed, validated as the constructor validates it. */
    public SignalToNoiseSgd withLambdaB(double lambdaB) {
        return new SignalToNoiseSgd(batchSize, warmupSteps, lambdaB, lambdaEta, eps);
    }

    /** This configuration with {@code lambdaEta} changed, validated as the constructor validates it. */
    public SignalToNoiseSgd withLambdaEta(double lambdaEta) {
        return new SignalToNoiseSgd(batchSize, warmupSteps, lambdaB, lambdaEta, eps);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public SignalToNoiseSgd withEps(double eps) {
        return new SignalToNoiseSgd(batchSize, warmupSteps, lambdaB, lambdaEta, eps);
    }
}
