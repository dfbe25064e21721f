package io.lanestep.reference;

import static io.lanestep.reference.Lerp.lerp;

import io.lanestep.Adafactor;
import io.lanestep.Numerics;

/**
 * torch 2.x {@code Adafactor}, {@code _single_tensor_adafactor} and the foreach path, float32,
 * from torch's source and its 8-lane CPU reductions, written apart from the kernel. A matrix
 * parameter is {@code rows x cols}, row-major; a vector is one row with a per-element variance.
 * <pre>
 * w = f(t^beta2Decay);  rhoT = min(lr, 1/sqrt(t));  alpha = max(eps2, norm(p)/sqrt(n)) * rhoT   (Python min/max)
 * if weightDecay != 0: p = p * f(1 - lr·weightDecay)
 * matrix: rn[i] = norm(G[i][*]);  row_var[i] = lerp(row_var[i], (rn*rn)/f(C), w)
 *         cn[j] = R == 1 ? |G[0][j]| : C == 1 ? norm(G[*][0]) : sqrt(sum over i in order of G[i][j]*G[i][j])
 *         col_var[j] = lerp(col_var[j], (cn*cn)/f(R), w)
 *         mean = max(sum(row_var)/f(R), f(eps1));  ve[i][j] = (row_var[i]*col_var[j])/mean
 * vector: variance = lerp(variance, g*g, w);  ve = variance
 * upd = (1/sqrt(max(ve, f(eps1²)))) * g;  denom = max(1, norm(upd)/(sqrt(n)*d));  c = f(-alpha/denom)
 * single: p = fma(upd, c, p);  foreach: p = p + upd*c
 * norm(x) = one value ? |x| : sqrt(sumsq8(x));  sum = torch's cascade ({@link #sum})
 * </pre>
 */
public final class AdafactorReference {
    private AdafactorReference() {
    }

    /** torch's vectorised sum-of-squares: 8 lane sums over whole blocks of 8, left to right, then the rest. */
    static float sumsq8(float[] x, int from, int stride, int n) {
        float[] acc = new float[8];
        int blocks = n - n % 8;
        for (int k = 0; k < blocks; k++) {
            float v = x[from + k * stride];
            acc[k % 8] = acc[k % 8] + v * v;
        }
        float b = acc[0];
        for (int l = 1; l < 8; l++) {
            b = b + acc[l];
        }
        int k = blocks;
        if (n % 8 >= 4) {
            for (int r = 0; r < 4; r++, k++) {
                float v = x[from + k * stride];
                b = b + v * v;
            }
        }
        for (; k < n; k++) {
            float v = x[from + k * stride];
            b = Math.fma(v, v, b);
        }
        return b;
    }

    static float norm(float[] x, int from, int stride, int n) {
        return n == 1 ? Math.abs(x[from]) : (float) Math.sqrt(sumsq8(x, from, stride, n));
    }

    /** {@code torch.sum} of contiguous floats (ATen's cascade, for fewer than 64 vectors of 8). */
    static float sum(float[] x) {
        int n = x.length;
        if (n < 8) {
            return 0f + rowSum(x, 0, n, 1);
        }
        int vectors = n / 8;
        float s = 0f;
        for (int k = 8 * vectors; k < n; k++) {
            s = s + x[k];
        }
        for (int lane = 0; lane < 8; lane++) {
            s = s + rowSum(x, lane, vectors, 8);
        }
        return 0f + s;
    }

    private static float rowSum(float[] x, int first, int n, int stride) {
        float[] p = new float[4];
        int q = n / 4;
        for (int c = 0; c < 4; c++) {
            float s = 0f;
            for (int k = 0; k < q; k++) {
                s = s + x[first + (4 * k + c) * stride];
            }
            p[c] = s;
        }
        for (int k = 4 * q; k < n; k++) {
            p[0] = p[0] + x[first + k * stride];
        }
        return ((p[0] + p[1]) + p[2]) + p[3];
    }

    /** One step of a parameter as a vector; the step count advances in {@link Reference}. */
    public static void step(Adafactor a, float[] params, float[] grads, ReferenceState state) {
        update(a, params, grads, state, 1, params.length);
    }

    /** One step of a {@code rows x cols} parameter ({@code rows = 1, cols = n} for a vector state). */
    public static void step(Adafactor a, float[] params, float[] grads, ReferenceState state, int rows, int cols) {
        update(a, params, grads, state, rows, cols);
        state.advance();
    }

    private static void update(Adafactor a, float[] params, float[] grads, ReferenceState state, int rows, int cols) {
        int n = params.length;
        if (n == 0) {
            return;
        }
        long t = state.step() + 1;
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = a.maximize() ? -grads[i] : grads[i];
        }
        float w = (float) Math.pow(t, a.beta2Decay());
        double rhoT = 1 / Math.sqrt(t) < a.lr() ? 1 / Math.sqrt(t) : a.lr();
        double rms = norm(params, 0, 1, n) / Math.sqrt(n);
        double alpha = (rms > a.eps2() ? rms : a.eps2()) * rhoT;
        double eps1 = a.effectiveEps1();
        if (a.weightDecay() != 0) {
            float decay = (float) (1 - a.lr() * a.weightDecay());
            for (int i = 0; i < n; i++) {
                params[i] = params[i] * decay;
            }
        }
        float[] ve = new float[n];
        if (state.has(Adafactor.ROW_VAR)) {
            float[] rowVar = state.slot(Adafactor.ROW_VAR);
            float[] colVar = state.slot(Adafactor.COL_VAR);
            for (int i = 0; i < rows; i++) {
                float rn = norm(g, i * cols, 1, cols);
                rowVar[i] = lerp(rowVar[i], (rn * rn) / (float) cols, w);
            }
            for (int j = 0; j < cols; j++) {
                float cn;
                if (rows == 1) {
                    cn = Math.abs(g[j]);
                } else if (cols == 1) {
                    cn = norm(g, 0, 1, rows);
                } else {
                    float s = 0f;
                    for (int i = 0; i < rows; i++) {
                        s = s + g[i * cols + j] * g[i * cols + j];
                    }
                    cn = (float) Math.sqrt(s);
                }
                colVar[j] = lerp(colVar[j], (cn * cn) / (float) rows, w);
            }
            float mean = Math.max(sum(rowVar) / (float) rows, (float) eps1);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    ve[i * cols + j] = (rowVar[i] * colVar[j]) / mean;
                }
            }
        } else {
            float[] variance = state.slot(Adafactor.VARIANCE);
            for (int i = 0; i < n; i++) {
                variance[i] = lerp(variance[i], g[i] * g[i], w);
                ve[i] = variance[i];
            }
        }
        float[] upd = new float[n];
        for (int i = 0; i < n; i++) {
            upd[i] = (1f / (float) Math.sqrt(Math.max(ve[i], (float) (eps1 * eps1)))) * g[i];
        }
        double q = norm(upd, 0, 1, n) / (Math.sqrt(n) * a.d());
        float c = (float) (-alpha / (q > 1.0 ? q : 1.0));
        boolean foreach = a.numerics() == Numerics.TORCH_2_FOREACH;
        for (int i = 0; i < n; i++) {
            params[i] = foreach ? params[i] + upd[i] * c : Math.fma(upd[i], c, params[i]);
        }
    }
}
