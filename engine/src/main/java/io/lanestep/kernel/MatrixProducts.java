package io.lanestep.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-major float32 matrix products for Muon's Newton-Schulz iterations, {@code out = l·r}. Each
 * output element is the sum over the inner index in order, from 0, fused
 * ({@code acc = fma(l[i][k], r[k][j], acc)}): the vector loops run that sum in each lane over
 * columns {@code j}, the scalar tail runs it alone, so the bits are the same whatever the lane
 * width, and they are the reference's. Four rows share each load of {@code r}, two vectors each
 * broadcast of {@code l}, and a packed panel of {@link #PANEL} columns of {@code r} serves every row
 * of {@code l} from cache before the next. Rows are independent, so threads split them.
 */
final class MatrixProducts {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();
    /** 512-bit vectors leave registers for a 4x4 block (16 accumulators); 256-bit ones (16 registers) do not. */
    private static final boolean FOUR_VECTORS = LANES >= 16;

    private MatrixProducts() {
    }

    /** Columns of {@code r} one pass over the rows of {@code l} reuses from cache: 256 KB of {@code r} at 1024 inner. */
    static final int PANEL = 64;

    /** How many panels {@link #pack} makes of a right operand {@code q} columns wide. */
    static int panels(int q) {
        return (S.loopBound(q) + PANEL - 1) / PANEL;
    }

    /**
     * Packs panels {@code [panelFrom, panelTo)} of the vector columns of {@code r} ({@code inner x q}),
     * each panel's rows contiguous: panel {@code j0} (width {@code w}) at {@code inner·j0}, element
     * {@code (k, jj)} at {@code inner·j0 + k·w + jj}. Its loads then walk one array, not
     * {@code inner} rows of {@code r}.
     */
    static void pack(float[] r, float[] packed, int inner, int q, int panelFrom, int panelTo) {
        int vectorEnd = S.loopBound(q);
        for (int j0 = panelFrom * PANEL; j0 < Math.min(vectorEnd, panelTo * PANEL); j0 += PANEL) {
            int w = Math.min(PANEL, vectorEnd - j0);
            for (int k = 0; k < inner; k++) {
                System.arraycopy(r, k * q + j0, packed, inner * j0 + k * w, w);
            }
        }
    }

    /**
     * Rows {@code [rowFrom, rowTo)} of {@code out[p x q] = l[p x inner] · r[inner x q]}, with
     * {@code packed} holding {@code r} as {@link #pack} leaves it; the columns past the last whole
     * vector come from {@code r}. With {@code upper}, panels wholly left of a row block's first row
     * are skipped: for a symmetric product only the upper triangle is needed ({@link #mirror}).
     */
    static void multiplyRows(float[] l, float[] packed, float[] r, float[] out, int rowFrom, int rowTo, int inner,
                             int q, boolean upper) {
        int vectorEnd = S.loopBound(q);
        for (int j0 = 0; j0 < vectorEnd; j0 += PANEL) {
            int w = Math.min(PANEL, vectorEnd - j0);
            int base = inner * j0;
            int i = rowFrom;
            for (; i + 4 <= rowTo; i += 4) {
                if (upper && j0 + w <= i) {
                    continue;
                }
                int j = 0;
                for (; FOUR_VECTORS && j + 4 * LANES <= w; j += 4 * LANES) {
                    fourRowsFourVectors(l, packed, out, i, inner, w, base + j, i * q + j0 + j, q);
                }
                for (; j + 2 * LANES <= w; j += 2 * LANES) {
                    fourRowsTwoVectors(l, packed, out, i, inner, w, base + j, i * q + j0 + j, q);
                }
                for (; j < w; j += LANES) {
                    fourRows(l, packed, out, i, inner, w, base + j, i * q + j0 + j, q);
                }
            }
            for (; i < rowTo; i++) {
                if (upper && j0 + w <= i) {
                    continue;
                }
                for (int j = 0; j < w; j += LANES) {
                    FloatVector acc = FloatVector.zero(S);
                    for (int k = 0; k < inner; k++) {
                        acc = FloatVector.fromArray(S, packed, base + k * w + j)
                                .fma(FloatVector.broadcast(S, l[i * inner + k]), acc);
                    }
                    acc.intoArray(out, i * q + j0 + j);
                }
            }
        }
        for (int i = rowFrom; i < rowTo; i++) {
            tail(l, r, out, i, inner, q, vectorEnd);
        }
    }

    /** Rows {@code i..i+3}: four vectors from packed offset {@code at} (panel width {@code w}), stored at {@code o}. */
    private static void fourRowsFourVectors(float[] l, float[] packed, float[] out, int i, int inner, int w, int at,
                                            int o, int q) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector c2 = a0;
        FloatVector c3 = a0;
        FloatVector d0 = a0;
        FloatVector d1 = a0;
        FloatVector d2 = a0;
        FloatVector d3 = a0;
        int l0 = i * inner;
        for (int k = 0; k < inner; k++) {
            int r = at + k * w;
            FloatVector ra = FloatVector.fromArray(S, packed, r);
            FloatVector rb = FloatVector.fromArray(S, packed, r + LANES);
            FloatVector rc = FloatVector.fromArray(S, packed, r + 2 * LANES);
            FloatVector rd = FloatVector.fromArray(S, packed, r + 3 * LANES);
            FloatVector x = FloatVector.broadcast(S, l[l0 + k]);
            a0 = ra.fma(x, a0);
            b0 = rb.fma(x, b0);
            c0 = rc.fma(x, c0);
            d0 = rd.fma(x, d0);
            x = FloatVector.broadcast(S, l[l0 + inner + k]);
            a1 = ra.fma(x, a1);
            b1 = rb.fma(x, b1);
            c1 = rc.fma(x, c1);
            d1 = rd.fma(x, d1);
            x = FloatVector.broadcast(S, l[l0 + 2 * inner + k]);
            a2 = ra.fma(x, a2);
            b2 = rb.fma(x, b2);
            c2 = rc.fma(x, c2);
            d2 = rd.fma(x, d2);
            x = FloatVector.broadcast(S, l[l0 + 3 * inner + k]);
            a3 = ra.fma(x, a3);
            b3 = rb.fma(x, b3);
            c3 = rc.fma(x, c3);
            d3 = rd.fma(x, d3);
        }
        store(out, o, a0, b0, c0, d0);
        store(out, o + q, a1, b1, c1, d1);
        store(out, o + 2 * q, a2, b2, c2, d2);
        store(out, o + 3 * q, a3, b3, c3, d3);
    }

    private static void store(float[] out, int o, FloatVector a, FloatVector b, FloatVector c, FloatVector d) {
        a.intoArray(out, o);
        b.intoArray(out, o + LANES);
        c.intoArray(out, o + 2 * LANES);
        d.intoArray(out, o + 3 * LANES);
    }

    /** Rows {@code i..i+3}: two vectors from packed offset {@code at} (panel width {@code w}), stored at {@code o}. */
    private static void fourRowsTwoVectors(float[] l, float[] packed, float[] out, int i, int inner, int w, int at,
                                           int o, int q) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        int l0 = i * inner;
        for (int k = 0; k < inner; k++) {
            FloatVector ra = FloatVector.fromArray(S, packed, at + k * w);
            FloatVector rb = FloatVector.fromArray(S, packed, at + k * w + LANES);
            FloatVector x0 = FloatVector.broadcast(S, l[l0 + k]);
            FloatVector x1 = FloatVector.broadcast(S, l[l0 + inner + k]);
            FloatVector x2 = FloatVector.broadcast(S, l[l0 + 2 * inner + k]);
            FloatVector x3 = FloatVector.broadcast(S, l[l0 + 3 * inner + k]);
            a0 = ra.fma(x0, a0);
            b0 = rb.fma(x0, b0);
            a1 = ra.fma(x1, a1);
            b1 = rb.fma(x1, b1);
            a2 = ra.fma(x2, a2);
            b2 = rb.fma(x2, b2);
            a3 = ra.fma(x3, a3);
            b3 = rb.fma(x3, b3);
        }
        a0.intoArray(out, o);
        b0.intoArray(out, o + LANES);
        a1.intoArray(out, o + q);
        b1.intoArray(out, o + q + LANES);
        a2.intoArray(out, o + 2 * q);
        b2.intoArray(out, o + 2 * q + LANES);
        a3.intoArray(out, o + 3 * q);
        b3.intoArray(out, o + 3 * q + LANES);
    }

    private static void fourRows(float[] l, float[] packed, float[] out, int i, int inner, int w, int at, int o, int q) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int k = 0; k < inner; k++) {
            FloatVector rv = FloatVector.fromArray(S, packed, at + k * w);
            a0 = rv.fma(FloatVector.broadcast(S, l[i * inner + k]), a0);
            a1 = rv.fma(FloatVector.broadcast(S, l[(i + 1) * inner + k]), a1);
            a2 = rv.fma(FloatVector.broadcast(S, l[(i + 2) * inner + k]), a2);
            a3 = rv.fma(FloatVector.broadcast(S, l[(i + 3) * inner + k]), a3);
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + q);
        a2.intoArray(out, o + 2 * q);
        a3.intoArray(out, o + 3 * q);
    }

    private static void tail(float[] l, float[] r, float[] out, int i, int inner, int q, int from) {
        for (int j = from; j < q; j++) {
            float acc = 0f;
            for (int k = 0; k < inner; k++) {
                acc = Math.fma(l[i * inner + k], r[k * q + j], acc);
            }
            out[i * q + j] = acc;
        }
    }

    /**
     * The first row of the rows that elements {@code [0, from)} of {@code length} stand for, when
     * row {@code i} of an {@code n x n} upper triangle costs {@code n - i}: the threads' shares of
     * the triangle's work, not of its rows.
     */
    static int triangleRow(long from, long length, int n) {
        // Rows [0, r) cost r·n - r(r - 1)/2 of n(n + 1)/2: solve for the share from/length.
        double share = (double) from / length;
        double total = n * (n + 1.0) / 2;
        double b = n + 0.5;
        int r = (int) Math.ceil(b - Math.sqrt(Math.max(0, b * b - 2 * share * total)));
        return from >= length ? n : Math.min(n, Math.max(0, r));
    }

    /**
     * The first row of the rows that elements {@code [0, from)} of {@code length} stand for, when
     * row {@code i} of an {@code n x n} lower triangle costs {@code i}: {@link #triangleRow} read
     * from the other end.
     */
    static int lowerTriangleRow(long from, long length, int n) {
        return n - triangleRow(length - from, length, n);
    }

    /**
     * Side of the square tiles that copies across the diagonal move. A tile's column is {@code TILE}
     * lines a power-of-two stride apart, which share one L1 set: at 16 and 32 they outnumbered its
     * ways (1024 x 1024 Muon on one thread, 5 iterations: transposes and mirror 22 and 26 ms, at 8: 19).
     */
    static final int TILE = 8;

    /**
     * Rows {@code [rowFrom, rowTo)} of {@code x[rows x cols]} as columns of {@code out[cols x rows] = xᵀ},
     * a tile at a time: row by row, every store went to another cache line (8 ms of a 1024 x 1024
     * Muon iteration's 66 on one thread; tiled, 3).
     */
    static void transposeRows(float[] x, float[] out, int rows, int cols, int rowFrom, int rowTo) {
        for (int i0 = rowFrom; i0 < rowTo; i0 += TILE) {
            int i1 = Math.min(i0 + TILE, rowTo);
            for (int j0 = 0; j0 < cols; j0 += TILE) {
                int j1 = Math.min(j0 + TILE, cols);
                for (int i = i0; i < i1; i++) {
                    for (int j = j0; j < j1; j++) {
                        out[j * rows + i] = x[i * cols + j];
                    }
                }
            }
        }
    }
}
