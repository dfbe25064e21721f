package io.lanestep;

import java.lang.foreign.Arena;
import java.util.List;

/**
 * Adafactor, torch 2.x's {@code torch.optim.Adafactor}: a second moment without a first, factored
 * for a matrix parameter into row and column statistics ({@code R + C} floats of state instead of
 * {@code R·C}), and a step scaled by the parameter's RMS. Make a matrix's state with
 * {@link #newState(long, long, Arena)}; {@link #newState(long, Arena)} makes a vector's, with one
 * {@code variance} per element. At step {@code t} (from 1), with {@code w = f(t^beta2Decay)}:
 * <pre>
 * g = maximize ? -g : g
 * alpha = max(eps2, norm(p) / sqrt(n)) · min(lr, 1 / sqrt(t))        (norm of the pre-step p)
 * if weightDecay != 0:  p = p * f(1 - lr·weightDecay)
 * matrix:  row_var = lerp(row_var, norm_rows(G)² / f(C), w);  col_var = lerp(col_var, norm_cols(G)² / f(R), w)
 *          ve = (row_var[i] * col_var[j]) / max(mean(row_var), f(eps1))
 * vector:  variance = lerp(variance, g * g, w);  ve = variance
 * upd = (1 / sqrt(max(ve, f(eps1²)))) * g
 * c = f(-alpha / max(1, norm(upd) / (sqrt(n)·d)))
 * single:  p = fma(upd, c, p)        foreach:  p = p + upd * c
 * </pre>
 * The norms and the mean are torch's 8-lane CPU reductions in torch's order, so the step is
 * bit for bit torch's; they run on the stepping thread (the element updates are split across
 * workers), so the bits do not depend on the thread count either. Exact for fewer than 512 rows
 * (torch's cascade sum of the row statistics changes its grouping beyond).
 *
 * @param lr          learning rate, finite and &ge; 0 (1e-2)
 * @param beta2Decay  decay exponent of the second moment, &le; 0 (-0.8)
 * @param eps1        regularizer of the second moment, &ge; 0, or NaN for torch's {@code None}
 *                    (float32's machine epsilon)
 * @param eps2        floor of the parameter RMS, &ge; 0 (1e-3)
 * @param d           clipping threshold of the update's RMS, &ge; 1 (1.0)
 * @param weightDecay decoupled decay, &ge; 0 (0)
 * @param maximize    ascend instead of descend
 * @param numerics    torch 2.x single-tensor or foreach path (torch 1.13 has no Adafactor: that
 *                    profile computes the single path; fused is refused)
 */
public record Adafactor(double lr, double beta2Decay, double eps1, double eps2, double d, double weightDecay,
                        boolean maximize, Numerics numerics) implements Optimizer {

    /** State key of a vector parameter's second moment. */
    public static final String VARIANCE = "variance";
    /** State key of a matrix parameter's row statistics. */
    public static final String ROW_VAR = "row_var";
    /** State key of a matrix parameter's column statistics. */
    public static final String COL_VAR = "col_var";

    /** Validates every hyperparameter, with torch's reasons. */
    public Adafactor {
        Numerics.check(numerics, "Adafactor");
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("Learning rate should be >= 0 but is: " + lr);
        }
        if (!(beta2Decay <= 0)) {
            throw new IllegalArgumentException("beta2_decay should be <= 0 but is: " + beta2Decay);
        }
        if (!Double.isNaN(eps1) && !(eps1 >= 0)) {
            throw new IllegalArgumentException("epsilon1 should be >= 0 but is: " + eps1);
        }
        if (!(eps2 >= 0)) {
            throw new IllegalArgumentException("epsilon2 should be >= 0 but is: " + eps2);
        }
        if (!(d >= 1)) {
            throw new IllegalArgumentException("Clipping threshold d should be >= 1 but is: " + d);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight_decay should be >= 0 but is: " + weightDecay);
        }
    }

    /** torch's defaults: lr 1e-2, beta2_decay -0.8, eps (None, 1e-3), d 1, no decay, single path. */
    public static Adafactor defaults() {
        return new Adafactor(1e-2, -0.8, Double.NaN, 1e-3, 1.0, 0, false, Numerics.TORCH_2_SINGLE);
    }

    /** {@code eps1}, torch's {@code None} resolved to float32's machine epsilon. */
    public double effectiveEps1() {
        return Double.isNaN(eps1) ? Math.ulp(1f) : eps1;
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Adafactor withLearningRate(double learningRate) {
        return new Adafactor(learningRate, beta2Decay, eps1, eps2, d, weightDecay, maximize, numerics);
    }

    /**
     * A vector's state key; a matrix's state ({@link #newState(long, long, Arena)}) has
     * {@link #ROW_VAR} and {@link #COL_VAR}.
     */
    @Override
    public List<String> stateKeys() {
        return List.of(VARIANCE);
    }

    /** Allocates the factored state of a {@code rows x cols} matrix parameter, stored row-major. */
    public OptimizerState newState(long rows, long cols, Arena arena) {
        return newState(rows, cols, arena, Formats.FP32);
    }

    /**
     * As {@link #newState(long, long, Arena)}, for parameters and gradients stored as {@code formats}
     * (16-bit, with master weights or stochastic rounding too); the statistics stay float32, so
     * {@code formats.state()} must be FP32, as {@link Formats#halfParams} gives.
     */
    public OptimizerState newState(long rows, long cols, Arena arena, Formats formats) {
        return OptimizerState.allocateMatrix(this, rows, cols, arena, formats);
    }

    /**
     * A whole tensor's vector state, as {@link #newState(long, Arena, Formats)}: a piece of a
     * tensor is refused. Adafactor's step takes torch's reductions over the whole tensor (the
     * parameters' RMS, the update's norm, a matrix's column sums down all its rows) in torch's
     * sequential order, which no sum of pieces' partial results reproduces, and its factored state
     * is one float per row and column, nothing worth sharding: a ZeRO-1 rank holds each Adafactor
     * tensor whole.
     *
     * @throws IllegalArgumentException if {@code length} is not {@code tensorLength}
     */
    @Override
    public OptimizerState newShardState(long length, long tensorLength, Arena arena, Formats formats) {
        if (length != tensorLength) {
            throw new IllegalArgumentException("Adafactor cannot step " + length + " elements of a tensor of "
                    + tensorLength + ": it reduces over the whole tensor in torch's order, which pieces cannot"
                    + " reproduce; give each Adafactor tensor whole to one shard (cut at tensor ends)");
        }
        return Optimizer.super.newShardState(length, tensorLength, arena, formats);
    }

    /** Either layout, vector or matrix, of any Adafactor configuration. */
    @Override
    public boolean accepts(OptimizerState state) {
        return state.optimizer() instanceof Adafactor;
    }

    /** This configuration with {@code beta2Decay} changed, validated as the constructor validates it. */
    public Adafactor withBeta2Decay(double beta2Decay) {
        return new Adafactor(lr, beta2Decay, eps1, eps2, d, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code eps1} changed, validated as the constructor validates it. */
    public Adafactor withEps1(double eps1) {
        return new Adafactor(lr, beta2Decay, eps1, eps2, d, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code eps2} changed, validated as the constructor validates it. */
    public Adafactor withEps2(double eps2) {
        return new Adafactor(lr, beta2Decay, eps1, eps2, d, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code d} changed, validated as the constructor validates it. */
    public Adafactor withD(double d) {
        return new Adafactor(lr, beta2Decay, eps1, eps2, d, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Adafactor withWeightDecay(double weightDecay) {
        return new Adafactor(lr, beta2Decay, eps1, eps2, d, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public Adafactor withMaximize(boolean maximize) {
        return new Adafactor(lr, beta2Decay, eps1, eps2, d, weightDecay, maximize, numerics);
    }

    /** This configuration with PyTorch arithmetic {@code profile}, everything else equal. */
    public Adafactor withNumerics(Numerics profile) {
        return new Adafactor(lr, beta2Decay, eps1, eps2, d, weightDecay, maximize, profile);
    }
}
