package io.lanestep.kernel;

import io.lanestep.Muon;
import java.lang.foreign.MemorySegment;

/**
 * Muon's Newton-Schulz iterations over one matrix, with the scratch they need, allocated once per
 * state: {@code X} is the update in the orientation with fewer rows ({@code m x k}, {@code m <= k}),
 * {@code A} its Gram matrix, {@code M} the polynomial's matrix. In {@link Muon.Precision#BF16}
 * each result is rounded to bf16 (round to nearest even) as torch's CPU GEMMs round their outputs,
 * the scaled sums taken in float32 on the float32 product, as a GEMM's epilogue does:
 * {@code A = bf16(X·Xᵀ)}, {@code M = bf16(b·A + c·(A·A))}, {@code X = bf16(a·X + M·X)}. (Rounding
 * each of torch's eager operations apart instead lands up to 2.5 bf16 ulps of {@code lrAdjusted}
 * from torch's trajectories, outside their bound.)
 *
 * <p>{@code X·Xᵀ} is computed above the diagonal (panels left of a row block are skipped) and
 * mirrored. Each iteration is {@link #PER_ITERATION} passes that the engine's workers split: before
 * each of its three products, the passes that finish the last one and pack the next right operand
 * (by rows, then by packed panels, so that no pass reads what another thread of it writes); then the
 * product, by output rows. Only the start (the update's norm, one sum in order) runs on the calling
 * thread. Every element is computed by the same operations whatever the split, so the bits do not
 * depend on the thread count.
 */
final class NewtonSchulz {
    /**
     * Passes per iteration: {@code X·Xᵀ}'s two preparations (the new {@code X} and its transpose by
     * rows; the transpose's panels) and product, {@code A·A}'s three (the lower triangle mirrored
     * and rounded by rows; the upper rounded; the panels) and product, {@code M·X}'s one ({@code M}
     * by rows, {@code X}'s panels) and product.
     */
    static final int PER_ITERATION = 9;

    final int rows;
    final int cols;
    private final int m;
    private final int k;
    private final boolean transposed;
    private final float[] x;
    private final float[] xt;
    private final float[] next;
    private final float[] gram;
    private final float[] poly;
    /** The running product's right operand, packed in panels ({@link MatrixProducts#pack}). */
    private final float[] packed;
    private boolean bf16;

    NewtonSchulz(long rows, long cols) {
        if ((long) Math.min(rows, cols) * Math.max(rows, cols) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(rows + " x " + cols + " is above the 2^31 elements Muon's iterations"
                    + " hold in one array; split the matrix");
        }
        this.rows = (int) rows;
        this.cols = (int) cols;
        transposed = rows > cols;
        m = (int) Math.min(rows, cols);
        k = (int) Math.max(rows, cols);
        x = new float[m * k];
        xt = new float[m * k];
        next = new float[m * k];
        gram = new float[m * m];
        poly = new float[m * m];
        packed = new float[m * k];
    }

    /** The iterations' passes of {@code muon}'s step: {@link #PER_ITERATION} per iteration, then the write-back of {@code O}. */
    static int passes(Muon muon) {
        return PER_ITERATION * muon.nsSteps() + 1;
    }

    /** On the calling thread before pass {@code pass}: the first reads {@code U} from {@code u} and normalizes it. */
    void before(int pass, MemorySegment u, Muon muon) {
        if (pass == 0) {
            start(u, muon);
        }
    }

    /**
     * Pass {@code pass} over the part of the work that elements {@code [from, to)} of a block of
     * {@code length} stand for; the last writes {@code O} to {@code u}.
     */
    void run(int pass, long from, long to, long length, MemorySegment u, Muon muon) {
        int rowFrom = (int) (from * m / length);
        int rowTo = (int) (to * m / length);
        if (pass == passes(muon) - 1) {
            if (muon.nsSteps() > 0) {
                nextX(rowFrom, rowTo, (float) muon.a());
            }
            for (int i = rowFrom; i < rowTo; i++) {
                for (int j = 0; j < k; j++) {
                    u.setAtIndex(Lanes.F, transposed ? (long) j * cols + i : (long) i * cols + j, x[i * k + j]);
                }
            }
            return;
        }
        switch (pass % PER_ITERATION) {
            case 0 -> {
                if (pass > 0) {
                    nextX(rowFrom, rowTo, (float) muon.a());
                }
                MatrixProducts.transposeRows(x, xt, m, k, rowFrom, rowTo);
            }
            case 1 -> MatrixProducts.pack(xt, packed, k, m, panel(from, length, m), panel(to, length, m));
            case 2 -> MatrixProducts.multiplyRows(x, packed, xt, gram, MatrixProducts.triangleRow(from, length, m),
                    MatrixProducts.triangleRow(to, length, m), k, m, true);
            case 3 -> mirror(MatrixProducts.lowerTriangleRow(from, length, m),
                    MatrixProducts.lowerTriangleRow(to, length, m));
            case 4 -> {
                if (bf16) {
                    for (int i = rowFrom; i < rowTo; i++) {
                        for (int j = i; j < m; j++) {
                            gram[i * m + j] = round(gram[i * m + j]);
                        }
                    }
                }
            }
            case 5 -> MatrixProducts.pack(gram, packed, m, m, panel(from, length, m), panel(to, length, m));
            case 6 -> MatrixProducts.multiplyRows(gram, packed, gram, poly, rowFrom, rowTo, m, m, false);
            case 7 -> {
                float b = (float) muon.b();
                float c = (float) muon.c();
                for (int i = rowFrom * m; i < rowTo * m; i++) {
                    poly[i] = round(b * gram[i] + c * poly[i]);
                }
                MatrixProducts.pack(x, packed, m, k, panel(from, length, k), panel(to, length, k));
            }
            default -> MatrixProducts.multiplyRows(poly, packed, x, next, rowFrom, rowTo, m, k, false);
        }
    }

    /**
     * Rows {@code [rowFrom, rowTo)} of the Gram matrix's lower triangle, rounded from its upper, a
     * tile at a time (row by row, every load came from another cache line). Threads split the
     * triangle's elements, not its rows: by rows, the last thread of two had three quarters.
     */
    private void mirror(int rowFrom, int rowTo) {
        for (int i0 = rowFrom; i0 < rowTo; i0 += MatrixProducts.TILE) {
            int i1 = Math.min(i0 + MatrixProducts.TILE, rowTo);
            for (int j0 = 0; j0 < i1 - 1; j0 += MatrixProducts.TILE) {
                for (int i = i0; i < i1; i++) {
                    for (int j = j0, j1 = Math.min(j0 + MatrixProducts.TILE, i); j < j1; j++) {
                        gram[i * m + j] = round(gram[j * m + i]);
                    }
                }
            }
        }
    }

    /** Rows {@code [rowFrom, rowTo)} of {@code X = a·X + M·X}, the last product in {@code next}. */
    private void nextX(int rowFrom, int rowTo, float a) {
        for (int i = rowFrom * k; i < rowTo * k; i++) {
            x[i] = round(a * x[i] + next[i]);
        }
    }

    /** The first packed panel of a right operand {@code q} columns wide that elements {@code [0, from)} stand for. */
    private static int panel(long from, long length, int q) {
        return (int) (from * MatrixProducts.panels(q) / length);
    }

    /** {@code X} from the update, rounded, divided by its norm (floored at eps). */
    private void start(MemorySegment u, Muon muon) {
        bf16 = muon.precision() == Muon.Precision.BF16;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                x[i * k + j] = round(u.getAtIndex(Lanes.F, transposed ? (long) j * cols + i : (long) i * cols + j));
            }
        }
        double squares = 0;
        for (float v : x) {
            squares += (double) v * v;
        }
        float floor = round(Math.max(round((float) Math.sqrt(squares)), round((float) muon.eps())));
        for (int i = 0; i < x.length; i++) {
            x[i] = round(x[i] / floor);
        }
    }

    private float round(float value) {
        return bf16 ? Halves.round(value, Halves.BF16) : value;
    }
}
