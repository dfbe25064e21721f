package io.lanestep.reference;

import io.lanestep.Adam;
import io.lanestep.Prodigy;
import io.lanestep.XlaMath;

/**
 * Prodigy as optax's jitted step computes it on float32 (see {@link Prodigy}), its two sums in
 * XLA's order written out over a zero-padded copy: up to 32 elements one after another (the dot
 * product fused), above that windows of 32 over the vector centred in the padding.
 */
public final class ProdigyReference {
    private ProdigyReference() {
    }

    /** One step, the {@code state.step() + 1}-th. */
    public static void step(Prodigy c, float[] params, float[] grads, ReferenceState state) {
        float[] m = state.slot(Adam.EXP_AVG);
        float[] v = state.slot(Adam.EXP_AVG_SQ);
        float[] s = state.slot(Prodigy.GRAD_SUM);
        float[] x0 = state.slot(Prodigy.PARAMS0);
        long t = state.step() + 1;
        int n = params.length;
        if (t == 1) {
            System.arraycopy(params, 0, x0, 0, n);
        }
        float b1 = (float) c.beta1();
        float b2 = (float) c.beta2();
        float b3 = c.beta3OrDefault();
        float d = state.scalar(Prodigy.ESTIM_LR);
        float bc = (float) Math.sqrt(1f - XlaMath.pow(b2, (float) t)) / (1f - XlaMath.pow(b1, (float) t));
        float dlr = c.lr() == 1 ? d * bc : d * (float) c.lr() * bc;
        float r0 = 1f / (float) c.estimLr0();
        float[] products = new float[n];
        float[] diff = new float[n];
        for (int i = 0; i < n; i++) {
            diff[i] = x0[i] - params[i];
            products[i] = grads[i] * diff[i];
        }
        float a;
        if (n <= 32) {
            a = 0f;
            for (int i = 0; i < n; i++) {
                a = Math.fma(grads[i], diff[i], a);
            }
        } else {
            a = windowed(products);
        }
        float[] magnitudes = new float[n];
        for (int i = 0; i < n; i++) {
            float dg = d * grads[i];
            m[i] = Math.fma(m[i], b1, dg * (float) (1 - c.beta1()));
            v[i] = Math.fma(v[i], b2, dg * (float) (1 - c.beta2()) * dg);
            s[i] = Math.fma(s[i], b3, (c.safeguardWarmup() ? d : dlr) * dg * r0);
            magnitudes[i] = Math.abs(s[i]);
        }
        float numerator = Math.fma(state.scalar(Prodigy.NUMERATOR_WEIGHTED), b3, d * r0 * dlr * a);
        float denominator = n <= 32 ? inOrder(magnitudes) : windowed(magnitudes);
        float scaledNumerator = c.estimLrCoef() == 1 ? numerator : numerator * (float) c.estimLrCoef();
        float next = Math.max(d, scaledNumerator / denominator);
        float negDecay = dlr * (float) -c.weightDecay();
        for (int i = 0; i < n; i++) {
            float q = dlr * m[i] / ((float) Math.sqrt(v[i]) + next * (float) c.eps());
            params[i] = params[i] + Math.fma(negDecay, params[i], -q);
        }
        state.setScalar(Prodigy.ESTIM_LR, next);
        state.setScalar(Prodigy.NUMERATOR_WEIGHTED, numerator);
    }

    private static float inOrder(float[] x) {
        float acc = 0f;
        for (float e : x) {
            acc = acc + e;
        }
        return acc;
    }

    private static float windowed(float[] x) {
        int windows = (x.length + 31) / 32;
        float[] padded = new float[windows * 32];
        System.arraycopy(x, 0, padded, (windows * 32 - x.length) / 2, x.length);
        float total = 0f;
        for (int w = 0; w < windows; w++) {
            float acc = 0f;
            for (int k = 0; k < 32; k++) {
                acc = acc + padded[32 * w + k];
            }
            total = total + acc;
        }
        return total;
    }
}
