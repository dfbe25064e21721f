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
 * mirrored. Each iteration is three products, each a pass of its own that the engine's workers split by
 * output rows ({@link #product}); what lies between them (rounding, the scaled sums, packing the
 * next right operand) runs on the calling thread ({@link #between}).
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

    /** The product passes of {@code muon}'s step: three per iteration. */
    static int products(Muon muon) {
        return 3 * muon.nsSteps();
    }

    /**
     * Before product pass {@code product} ({@code 0 <= product <= products(muon)}; the last is the
     * step's end): finishes what the previous product computed and prepares the next. The first
     * reads the update {@code U} from {@code u}, the last writes {@code O} there.
     */
    void between(int product, MemorySegment u, Muon muon) {
        if (product == 0) {
            start(u, muon);
        }
        int phase = product % 3;
        if (product > 0 && phase == 0) {
            float a = (float) muon.a();
            for (int i = 0; i < x.length; i++) {
                x[i] = round(a * x[i] + next[i]);
            }
        }
        if (product == products(muon)) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < k; j++) {
                    u.setAtIndex(Lanes.F, transposed ? (long) j * cols + i : (long) i * cols + j, x[i * k + j]);
                }
            }
            return;
        }
        switch (phase) {
            case 0 -> {
                MatrixProducts.transpose(x, xt, m, k);
                MatrixProducts.pack(xt, packed, k, m);
            }
            case 1 -> {
                MatrixProducts.mirror(gram, m);
                for (int i = 0; i < gram.length; i++) {
                    gram[i] = round(gram[i]);
                }
                MatrixProducts.pack(gram, packed, m, m);
            }
            default -> {
                float b = (float) muon.b();
                float c = (float) muon.c();
                for (int i = 0; i < poly.length; i++) {
                    poly[i] = round(b * gram[i] + c * poly[i]);
                }
                MatrixProducts.pack(x, packed, m, k);
            }
        }
    }

    /**
     * Product pass {@code product} over the output rows that elements {@code [from, to)} of a block of
     * {@code length} stand for: {@code A = X·Xᵀ}, then {@code A·A}, then {@code M·X}.
     */
    void product(int product, long from, long to, long length) {
        int rowFrom = (int) (from * m / length);
        int rowTo = (int) (to * m / length);
        switch (product % 3) {
            case 0 -> MatrixProducts.multiplyRows(x, packed, xt, gram, MatrixProducts.triangleRow(from, length, m),
                    MatrixProducts.triangleRow(to, length, m), k, m, true);
            case 1 -> MatrixProducts.multiplyRows(gram, packed, gram, poly, rowFrom, rowTo, m, m, false);
            default -> MatrixProducts.multiplyRows(poly, packed, x, next, rowFrom, rowTo, m, k, false);
        }
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
