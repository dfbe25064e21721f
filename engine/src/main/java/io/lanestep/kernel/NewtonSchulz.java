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
 */
final class NewtonSchulz {
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
    }

    /** Replaces the update {@code u} (row-major, {@code rows x cols}) by its orthogonalization {@code O}. */
    void orthogonalize(MemorySegment u, Muon muon) {
        boolean bf16 = muon.precision() == Muon.Precision.BF16;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                long at = transposed ? (long) j * cols + i : (long) i * cols + j;
                x[i * k + j] = round(u.getAtIndex(Lanes.F, at), bf16);
            }
        }
        double squares = 0;
        for (float v : x) {
            squares += (double) v * v;
        }
        float norm = round((float) Math.sqrt(squares), bf16);
        float floor = round(Math.max(norm, round((float) muon.eps(), bf16)), bf16);
        for (int i = 0; i < x.length; i++) {
            x[i] = round(x[i] / floor, bf16);
        }
        float a = (float) muon.a();
        float b = (float) muon.b();
        float c = (float) muon.c();
        for (int step = 0; step < muon.nsSteps(); step++) {
            MatrixProducts.transpose(x, xt, m, k);
            MatrixProducts.multiply(x, xt, gram, m, k, m);
            for (int i = 0; i < gram.length; i++) {
                gram[i] = round(gram[i], bf16);
            }
            MatrixProducts.multiply(gram, gram, poly, m, m, m);
            for (int i = 0; i < poly.length; i++) {
                poly[i] = round(b * gram[i] + c * poly[i], bf16);
            }
            MatrixProducts.multiply(poly, x, next, m, m, k);
            for (int i = 0; i < x.length; i++) {
                x[i] = round(a * x[i] + next[i], bf16);
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                long at = transposed ? (long) j * cols + i : (long) i * cols + j;
                u.setAtIndex(Lanes.F, at, x[i * k + j]);
            }
        }
    }

    private static float round(float value, boolean bf16) {
        return bf16 ? Halves.round(value, Halves.BF16) : value;
    }
}
