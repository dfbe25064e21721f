package io.lanestep.reference;

import io.lanestep.Muon;
import io.lanestep.Sgd;

/**
 * Muon as torch 2.13 codes it (see {@link Muon}), in plain loops: torch's lerps, the update
 * transposed when the matrix has more rows than columns, its norm (a double sum of squares in
 * row-major order, rounded once), and the Newton-Schulz iterations with every product element
 * summed over its inner index in order, fused, from 0, and each scaled sum taken in float32 on the
 * float32 product; in {@link Muon.Precision#BF16} each of {@code X}, {@code A}, {@code M} rounded to
 * bf16 (round to nearest even, NaN stays NaN), as torch's CPU GEMMs round their outputs.
 */
public final class MuonReference {
    private MuonReference() {
    }

    /** One step of a {@code rows x cols} matrix stored row-major, the {@code state.step() + 1}-th. */
    public static void step(Muon muon, float[] params, float[] grads, ReferenceState state) {
        int rows = state.rows();
        int cols = state.cols();
        float[] buf = state.slot(Sgd.MOMENTUM_BUFFER);
        float w = (float) (1 - muon.momentum());
        float nw = (float) muon.momentum();
        float[] u = new float[params.length];
        for (int i = 0; i < params.length; i++) {
            buf[i] = lerp(buf[i], grads[i], w);
            u[i] = muon.nesterov() ? lerp(grads[i], buf[i], nw) : buf[i];
        }
        boolean bf16 = muon.precision() == Muon.Precision.BF16;
        boolean transposed = rows > cols;
        int m = Math.min(rows, cols);
        int k = Math.max(rows, cols);
        float[][] x = new float[m][k];
        double squares = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                x[i][j] = round(u[transposed ? j * cols + i : i * cols + j], bf16);
                squares += (double) x[i][j] * x[i][j];
            }
        }
        float norm = round((float) Math.sqrt(squares), bf16);
        float floor = round(Math.max(norm, round((float) muon.eps(), bf16)), bf16);
        for (float[] row : x) {
            for (int j = 0; j < k; j++) {
                row[j] = round(row[j] / floor, bf16);
            }
        }
        for (int s = 0; s < muon.nsSteps(); s++) {
            float[][] gram = new float[m][m];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    float acc = 0f;
                    for (int q = 0; q < k; q++) {
                        acc = Math.fma(x[i][q], x[j][q], acc);
                    }
                    gram[i][j] = round(acc, bf16);
                }
            }
            float[][] poly = new float[m][m];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    float acc = 0f;
                    for (int q = 0; q < m; q++) {
                        acc = Math.fma(gram[i][q], gram[q][j], acc);
                    }
                    poly[i][j] = round((float) muon.b() * gram[i][j] + (float) muon.c() * acc, bf16);
                }
            }
            float[][] next = new float[m][k];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < k; j++) {
                    float acc = 0f;
                    for (int q = 0; q < m; q++) {
                        acc = Math.fma(poly[i][q], x[q][j], acc);
                    }
                    next[i][j] = round((float) muon.a() * x[i][j] + acc, bf16);
                }
            }
            x = next;
        }
        float decay = (float) (1 - muon.lr() * muon.weightDecay());
        float negLr = (float) -muon.adjustedLr(rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float o = transposed ? x[c][r] : x[r][c];
                int i = r * cols + c;
                params[i] = Math.fma(o, negLr, params[i] * decay);
            }
        }
    }

    /** torch's {@code lerp(a, b, w)} on float32. */
    private static float lerp(float a, float b, float w) {
        return Math.abs(w) < 0.5f ? Math.fma(w, b - a, a) : Math.fma(w - 1f, b - a, b);
    }

    private static float round(float x, boolean bf16) {
        if (!bf16 || x != x) {
            return x;
        }
        int bits = Float.floatToRawIntBits(x);
        return Float.intBitsToFloat((bits + 0x7fff + (bits >>> 16 & 1)) & 0xffff0000);
    }
}
