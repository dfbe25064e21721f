package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.DECOUPLED_DECAY;
import static io.lanestep.kernel.Flags.FOREACH;
import static io.lanestep.kernel.Flags.MAXIMIZE;
import static io.lanestep.kernel.Lanes.F;

import io.lanestep.Adafactor;
import io.lanestep.Numerics;
import io.lanestep.Optimizer;
import java.lang.foreign.MemorySegment;

/**
 * Adafactor: before the element pass, on the stepping thread, the reductions torch takes in its
 * order ({@link TorchReductions}): the parameter's norm, the gradient's row and column norms into
 * the row and column statistics, their mean, and the norm of the update, which fix the pass's
 * scalars; then {@code Adafactor.kernel} updates the elements, row by row, split across workers.
 * A vector parameter is one row whose column statistic is its {@code variance}.
 */
final class AdafactorKernel extends Kernel {
    /** The row statistics; NULL for a vector. */
    final MemorySegment rowVar;
    /** The column statistics, or a vector's variance. */
    final MemorySegment colVar;
    final long rows;
    final long cols;
    private final float[] colSums;
    private final float[] sumScratch = new float[32];
    private final TorchReductions.SumOfSquares squares = new TorchReductions.SumOfSquares();
    private final TorchReductions.SumOfSquares columnSquares = new TorchReductions.SumOfSquares();
    private Adafactor optimizer;
    private long step;
    /** The mean of the row statistics, clamped to {@code f(eps1)}; 1 for a vector. */
    float mean;
    /** {@code f(eps1²)}. */
    float epsSq;
    /** {@code f(-alpha / denom)}. */
    float coef;
    /** {@code f(1 - lr·weightDecay)}. */
    float decayFactor;
    int flags;

    AdafactorKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
        if (slots.length == 2) {
            rowVar = slots[0];
            colVar = slots[1];
            rows = io.lanestep.Floats.length(rowVar);
            cols = io.lanestep.Floats.length(colVar);
        } else {
            rowVar = MemorySegment.NULL;
            colVar = slots[0];
            rows = 1;
            cols = Math.max(1, length);
        }
        colSums = new float[slots.length == 2 && rows > 1 && cols > 1 ? Math.toIntExact(cols) : 0];
    }

    float rowValue(long row) {
        return rowVar == MemorySegment.NULL ? 1f : rowVar.getAtIndex(F, row);
    }

    @Override
    public void prepare(Optimizer o, long steps) {
        optimizer = (Adafactor) o;
        step = steps + 1;
        decayFactor = (float) (1 - optimizer.lr() * optimizer.weightDecay());
        epsSq = (float) (optimizer.effectiveEps1() * optimizer.effectiveEps1());
        flags = stepFlags() | (optimizer.maximize() ? MAXIMIZE : 0)
                | (optimizer.weightDecay() != 0 ? DECOUPLED_DECAY : 0)
                | (optimizer.numerics() == Numerics.TORCH_2_FOREACH ? FOREACH : 0);
    }

    private float param(long i) {
        return params != null ? params.getAtIndex(F, i) : paramsArray[paramsBase + (int) i];
    }

    /** Gradient {@code i} as the step reads it: scaled, clamped, negated to maximize. */
    float gradAt(long i) {
        float g = Lanes.clipped(grads != null ? grads.getAtIndex(F, i) : gradsArray[gradsBase + (int) i], gradScale,
                gradClip, flags);
        return (flags & MAXIMIZE) != 0 ? -g : g;
    }

    private float norm(float absoluteIfSingle, float squares, long n) {
        return n == 1 ? absoluteIfSingle : (float) Math.sqrt(squares);
    }

    /** Element {@code i} of the update whose norm bounds the step, once the statistics are new. */
    float updateAt(long i) {
        long r = i / cols;
        float ve = Math.max(rowValue(r) * colVar.getAtIndex(F, i - r * cols) / mean, epsSq);
        return (1f / (float) Math.sqrt(ve)) * gradAt(i);
    }

    /** Whether the reductions run in 256-bit vectors: native operands and a width that has them. */
    private boolean vectors() {
        return bits >= 256 && params != null && grads != null;
    }

    @Override
    public void beforePass(int pass) {
        if (length == 0) {
            return;
        }
        double t = step;
        long n = length;
        float w = (float) Math.pow(t, optimizer.beta2Decay());
        float paramSquares;
        if (vectors()) {
            paramSquares = AdafactorReductions.sumOfSquares(params, 0, n);
        } else {
            squares.reset(n);
            for (long i = 0; i < n; i++) {
                squares.add(param(i));
            }
            paramSquares = squares.result();
        }
        double rms = norm(n == 1 ? Math.abs(param(0)) : 0f, paramSquares, n) / Math.sqrt(n);
        double rhoT = 1 / Math.sqrt(t) < optimizer.lr() ? 1 / Math.sqrt(t) : optimizer.lr();
        double alpha = (rms > optimizer.eps2() ? rms : optimizer.eps2()) * rhoT;
        int lerp = Flags.lerp(w);
        if (rowVar == MemorySegment.NULL) {
            for (long i = 0; i < n; i++) {
                float g = gradAt(i);
                colVar.setAtIndex(F, i, Lanes.lerp(colVar.getAtIndex(F, i), g * g, w, lerp));
            }
            mean = 1f;
        } else {
            updateStatistics(w, lerp);
        }
        float updateSquares;
        if (vectors() && (cols % 8 == 0 || rows == 1)) {
            updateSquares = AdafactorReductions.updateSquares(this);
        } else {
            squares.reset(n);
            for (long i = 0; i < n; i++) {
                squares.add(updateAt(i));
            }
            updateSquares = squares.result();
        }
        double q = norm(Math.abs(updateAt(0)), updateSquares, n) / (Math.sqrt(n) * optimizer.d());
        double denom = q > 1.0 ? q : 1.0;
        coef = (float) (-alpha / denom);
    }

    /** The row and column statistics and their mean, from this step's gradient. */
    private void updateStatistics(float w, int lerp) {
        boolean columnwise = colSums.length > 0;
        java.util.Arrays.fill(colSums, 0f);
        columnSquares.reset(rows);
        boolean vectors = columnwise && vectors();
        for (long r = 0; r < rows; r++) {
            float rowSquares;
            if (vectors) {
                rowSquares = AdafactorReductions.rowSquares(this, r, colSums);
            } else {
                squares.reset(cols);
                for (long c = 0; c < cols; c++) {
                    float g = gradAt(r * cols + c);
                    squares.add(g);
                    if (columnwise) {
                        colSums[(int) c] = colSums[(int) c] + g * g;
                    } else if (cols == 1) {
                        columnSquares.add(g);
                    }
                }
                rowSquares = squares.result();
            }
            float rowNorm = norm(Math.abs(gradAt(r * cols)), rowSquares, cols);
            float rm = (rowNorm * rowNorm) / (float) cols;
            rowVar.setAtIndex(F, r, Lanes.lerp(rowVar.getAtIndex(F, r), rm, w, lerp));
        }
        for (long c = 0; c < cols; c++) {
            float colNorm = rows == 1 ? Math.abs(gradAt(c))
                    : cols == 1 ? (float) Math.sqrt(columnSquares.result())
                    : (float) Math.sqrt(colSums[(int) c]);
            float cm = (colNorm * colNorm) / (float) rows;
            colVar.setAtIndex(F, c, Lanes.lerp(colVar.getAtIndex(F, c), cm, w, lerp));
        }
        float m = TorchReductions.sum(rowVar, rows, sumScratch) / (float) rows;
        mean = Math.max(m, (float) optimizer.effectiveEps1());
    }

    @Override
    public void run(int pass, long from, long to) {
        for (long a = from; a < to; ) {
            long rowEnd = Math.min(to, (a / cols + 1) * cols);
            AdafactorLanes.run(this, a, rowEnd);
            a = rowEnd;
        }
    }
}
