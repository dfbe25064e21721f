package io.lanestep.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-major float32 matrix products for Muon's Newton-Schulz iterations, {@code out = l·r}. Each
 * output element is the sum over the inner index in order, from 0, fused
 * ({@code acc = fma(l[i][k], r[k][j], acc)}): the vector loops run that sum in each lane over
 * columns {@code j}, the scalar tail runs it alone, so the bits are the same whatever the lane
 * width, and they are the reference's. Four rows share each load of {@code r}.
 */
final class MatrixProducts {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();

    private MatrixProducts() {
    }

    /** {@code out[p x q] = l[p x inner] · r[inner x q]}. */
    static void multiply(float[] l, float[] r, float[] out, int p, int inner, int q) {
        int vectorEnd = S.loopBound(q);
        int i = 0;
        for (; i + 4 <= p; i += 4) {
            for (int j = 0; j < vectorEnd; j += LANES) {
                fourRows(l, r, out, i, inner, q, j);
            }
            for (int row = i; row < i + 4; row++) {
                tail(l, r, out, row, inner, q, vectorEnd);
            }
        }
        for (; i < p; i++) {
            for (int j = 0; j < vectorEnd; j += LANES) {
                FloatVector acc = FloatVector.zero(S);
                for (int k = 0; k < inner; k++) {
                    acc = FloatVector.fromArray(S, r, k * q + j).fma(FloatVector.broadcast(S, l[i * inner + k]), acc);
                }
                acc.intoArray(out, i * q + j);
            }
            tail(l, r, out, i, inner, q, vectorEnd);
        }
    }

    private static void fourRows(float[] l, float[] r, float[] out, int i, int inner, int q, int j) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int k = 0; k < inner; k++) {
            FloatVector rv = FloatVector.fromArray(S, r, k * q + j);
            a0 = rv.fma(FloatVector.broadcast(S, l[i * inner + k]), a0);
            a1 = rv.fma(FloatVector.broadcast(S, l[(i + 1) * inner + k]), a1);
            a2 = rv.fma(FloatVector.broadcast(S, l[(i + 2) * inner + k]), a2);
            a3 = rv.fma(FloatVector.broadcast(S, l[(i + 3) * inner + k]), a3);
        }
        a0.intoArray(out, i * q + j);
        a1.intoArray(out, (i + 1) * q + j);
        a2.intoArray(out, (i + 2) * q + j);
        a3.intoArray(out, (i + 3) * q + j);
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

    /** {@code out[cols x rows] = x[rows x cols]ᵀ}. */
    static void transpose(float[] x, float[] out, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[j * rows + i] = x[i * cols + j];
            }
        }
    }
}
