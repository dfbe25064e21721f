package io.lanestep;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Muon (Jordan et al. 2024; torch.optim.Muon of torch 2.9 and later) as torch 2.13 codes it: a
 * momentum step orthogonalized by Newton-Schulz iterations, for 2-D parameters (a matrix's state
 * is made by {@link #newState(long, long, Arena)}; vectors, embeddings and the output layer take
 * another optimizer, in another group). With {@code B} the momentum buffer, per step:
 * <pre>
 * B = lerp(B, g, 1 - momentum)                      (torch's lerp, float32)
 * U = nesterov ? lerp(g, B, momentum) : B
 * X = U, transposed when rows &gt; cols;  X = X / max(norm(X), eps)
 * nsSteps times:  A = X·Xᵀ;  M = b·A + c·(A·A);  X = a·X + M·X
 * O = X, transposed back
 * p = p·f(1 - lr·weightDecay);  p = fma(O, f(-lrAdjusted), p)
 * lrAdjusted = lr·sqrt(max(1, rows/cols)) (ORIGINAL)  or  lr·(0.2·sqrt(max(rows, cols))) (MATCH_RMS_ADAMW)
 * </pre>
 * {@link Precision#BF16} rounds as torch's CPU path does: {@code X} to bf16 first, then each of
 * {@code A}, {@code M} and {@code X} once, from float32 products and sums; {@link Precision#FP32}
 * keeps float32 throughout. Each product element sums over its inner index in order, fused, whatever the
 * lane width or thread count, so both precisions give the same bits everywhere. The momentum
 * buffer is torch's to the bit; the orthogonalized update depends on torch's GEMM order, which is
 * the CPU's, so it matches torch within a bf16 rounding per step (see the golden cases' README).
 *
 * @param lr          learning rate, finite and &ge; 0 (1e-3)
 * @param weightDecay decoupled weight decay with the unadjusted lr, &ge; 0 (0.1)
 * @param momentum    momentum, &ge; 0 (0.95)
 * @param nesterov    Nesterov's look-ahead (true)
 * @param a           first Newton-Schulz coefficient (3.4445)
 * @param b           second Newton-Schulz coefficient (-4.7750)
 * @param c           third Newton-Schulz coefficient (2.0315)
 * @param eps         floor of the norm that scales {@code X}, &ge; 0 (1e-7)
 * @param nsSteps     Newton-Schulz iterations, 0 to 99 (5)
 * @param adjustLr    how the learning rate scales with the shape (torch's {@code adjust_lr_fn})
 * @param precision   torch's bf16 iterations or float32 ones
 */
public record Muon(double lr, double weightDecay, double momentum, boolean nesterov, double a, double b, double c,
                   double eps, int nsSteps, AdjustLr adjustLr, Precision precision) implements Optimizer {

    /** torch's {@code adjust_lr_fn}: {@code None} and {@code "original"}, or {@code "match_rms_adamw"}. */
    public enum AdjustLr {
        /** {@code lr·sqrt(max(1, rows/cols))}. */
        ORIGINAL,
        /** {@code lr·0.2·sqrt(max(rows, cols))}: the update's RMS of AdamW's. */
        MATCH_RMS_ADAMW
    }

    /** The arithmetic of the Newton-Schulz iterations. */
    public enum Precision {
        /** torch's CPU path: bf16 operands and results, float32 accumulation. */
        BF16,
        /** float32 throughout. */
        FP32
    }

    /** Validates every hyperparameter. */
    public Muon {
        Hyper.nonNegative("lr", lr);
        Hyper.nonNegative("weightDecay", weightDecay);
        Hyper.nonNegative("momentum", momentum);
        Hyper.nonNegative("eps", eps);
        for (double coefficient : new double[] {a, b, c}) {
            if (!Double.isFinite(coefficient)) {
                throw new IllegalArgumentException("Newton-Schulz coefficients must be finite, got (" + a + ", " + b
                        + ", " + c + ")");
            }
        }
        if (nsSteps < 0 || nsSteps >= 100) {
            throw new IllegalArgumentException("nsSteps must be in [0, 100), got " + nsSteps + "; torch refuses 100"
                    + " and more");
        }
        if (adjustLr == null || precision == null) {
            throw new NullPointerException("adjustLr and precision must not be null; pass AdjustLr.ORIGINAL and"
                    + " Precision.BF16 for torch's defaults");
        }
    }

    /** torch's defaults: lr 1e-3, weight decay 0.1, momentum 0.95, Nesterov, (3.4445, -4.775, 2.0315), 5 steps. */
    public static Muon defaults() {
        return new Muon(1e-3, 0.1, 0.95, true, 3.4445, -4.7750, 2.0315, 1e-7, 5, AdjustLr.ORIGINAL, Precision.BF16);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Muon withLearningRate(double learningRate) {
        return new Muon(learningRate, weightDecay, momentum, nesterov, a, b, c, eps, nsSteps, adjustLr, precision);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Muon withWeightDecay(double weightDecay) {
        return new Muon(lr, weightDecay, momentum, nesterov, a, b, c, eps, nsSteps, adjustLr, precision);
    }

    /** This configuration with {@code momentum} changed, validated as the constructor validates it. */
    public Muon withMomentum(double momentum) {
        return new Muon(lr, weightDecay, momentum, nesterov, a, b, c, eps, nsSteps, adjustLr, precision);
    }

    /** This configuration with {@code nesterov} changed, validated as the constructor validates it. */
    public Muon withNesterov(boolean nesterov) {
        return new Muon(lr, weightDecay, momentum, nesterov, a, b, c, eps, nsSteps, adjustLr, precision);
    }

    /** This configuration with {@code a} changed, validated as the constructor validates it. */
    public Muon withA(double a) {
        return new Muon(lr, weightDecay, momentum, nesterov, a, b, c, eps, nsSteps, adjustLr, precision);
    }

    /** This configuration with {@code b} changed, validated as the constructor validates it. */
    public Muon withB(double b) {
        return new Muon(lr, weightDecay, momentum, nesterov, a, b, c, eps, nsSteps, adjustLr, precision);
    }

    /** This configuration with {@code c} changed, validated as the constructor validates it. */
    public Muon withC(double c) {
        return new Muon(lr, weightDecay, momentum, nesterov, a, b, c, eps, nsSteps, adjustLr, precision);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public Muon withEps(double eps) {
        return new Muon(lr, weightDecay, momentum, nesterov, a, b, c, eps, nsSteps, adjustLr, precision);
    }

    /** This configuration with {@code nsSteps} changed, validated as the constructor validates it. */
    public Muon withNsSteps(int nsSteps) {
        return new Muon(lr, weightDecay, momentum, nesterov, a, b, c, eps, nsSteps, adjustLr, precision);
    }

    /** This configuration with {@code adjustLr} changed, validated as the constructor validates it. */
    public Muon withAdjustLr(AdjustLr adjustLr) {
        return new Muon(lr, weightDecay, momentum, nesterov, a, b, c, eps, nsSteps, adjustLr, precision);
    }

    /** This configuration with {@code precision} changed, validated as the constructor validates it. */
    public Muon withPrecision(Precision precision) {
        return new Muon(lr, weightDecay, momentum, nesterov, a, b, c, eps, nsSteps, adjustLr, precision);
    }

    /** The learning rate of a {@code rows x cols} parameter's update, as torch's {@code _adjust_lr}. */
    public double adjustedLr(long rows, long cols) {
        return adjustLr == AdjustLr.ORIGINAL ? lr * Math.sqrt(Math.max(1, (double) rows / cols))
                : lr * (0.2 * Math.sqrt(Math.max(rows, cols)));
    }

    @Override
    public List<String> stateKeys() {
        return List.of(Sgd.MOMENTUM_BUFFER);
    }

    /**
     * Allocates the state of a {@code rows x cols} parameter stored row-major: its momentum buffer,
     * and the iterations' scratch, which the state keeps so that no step allocates.
     *
     * @throws IllegalArgumentException if a dimension is below 1
     */
    public OptimizerState newState(long rows, long cols, Arena arena) {
        return OptimizerState.allocateMuon(this, rows, cols, arena);
    }

    /** Refused: Muon steps matrices; use {@link #newState(long, long, Arena)}. */
    @Override
    public OptimizerState newState(long length, Arena arena) {
        throw notAMatrix();
    }

    /** Refused: Muon steps float32 matrices; use {@link #newState(long, long, Arena)}. */
    @Override
    public OptimizerState newState(long length, Arena arena, Formats formats) {
        throw notAMatrix();
    }

    /** Refused: the iterations take the whole matrix, so a shard cannot step a piece of it. */
    @Override
    public OptimizerState newShardState(long length, long tensorLength, Arena arena, Formats formats) {
        throw new IllegalArgumentException("Muon orthogonalizes the whole matrix, so a shard cannot step a piece of"
                + " it; keep each matrix in one shard and make its state with newState(rows, cols, arena)");
    }

    /** Refused: use {@link #newState(long, long, Arena)} and write {@code momentum_buffer} through {@link OptimizerState#slot}. */
    @Override
    public OptimizerState stateOver(long length, List<MemorySegment> slots) {
        throw notAMatrix();
    }

    private static IllegalArgumentException notAMatrix() {
        return new IllegalArgumentException("Muon steps 2-D parameters (as torch.optim.Muon); make the state with"
                + " muon.newState(rows, cols, arena), and step vectors with another optimizer in another group");
    }
}
