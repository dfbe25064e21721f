package io.lanestep.spark;

import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * A 784-32-10 ReLU network with softmax cross-entropy, in plain float arithmetic (the same bits
 * on every JVM). Flat layout: W1 (32x784), b1, W2 (10x32), b2.
 */
final class Mlp implements GradientFunction<FashionMnistSample.Example> {
    static final int IN = 784;
    static final int HIDDEN = 32;
    static final int OUT = 10;
    static final long[] TENSORS = {HIDDEN * IN, HIDDEN, OUT * HIDDEN, OUT};
    private static final int B1 = HIDDEN * IN;
    private static final int W2 = B1 + HIDDEN;
    private static final int B2 = W2 + OUT * HIDDEN;

    static float[] initialWeights(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] w = new float[B2 + OUT];
        for (int i = 0; i < B1; i++) {
            w[i] = (float) (random.nextGaussian() * Math.sqrt(2.0 / IN));
        }
        for (int i = W2; i < B2; i++) {
            w[i] = (float) (random.nextGaussian() * Math.sqrt(2.0 / HIDDEN));
        }
        return w;
    }

    @Override
    public double accumulate(float[] w, Iterator<FashionMnistSample.Example> partition, float[] g) {
        float[] h = new float[HIDDEN];
        float[] p = new float[OUT];
        float[] dh = new float[HIDDEN];
        double loss = 0;
        while (partition.hasNext()) {
            FashionMnistSample.Example e = partition.next();
            float[] x = e.pixels();
            for (int j = 0; j < HIDDEN; j++) {
                float a = w[B1 + j];
                for (int i = 0; i < IN; i++) {
                    a += w[j * IN + i] * x[i];
                }
                h[j] = Math.max(a, 0f);
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < OUT; k++) {
                float z = w[B2 + k];
                for (int j = 0; j < HIDDEN; j++) {
                    z += w[W2 + k * HIDDEN + j] * h[j];
                }
                p[k] = z;
                max = Math.max(max, z);
            }
            float sum = 0;
            for (int k = 0; k < OUT; k++) {
                p[k] = (float) Math.exp(p[k] - max);
                sum += p[k];
            }
            loss -= Math.log(p[e.label()] / sum);
            java.util.Arrays.fill(dh, 0f);
            for (int k = 0; k < OUT; k++) {
                float dz = p[k] / sum - (k == e.label() ? 1f : 0f);
                g[B2 + k] += dz;
                for (int j = 0; j < HIDDEN; j++) {
                    g[W2 + k * HIDDEN + j] += dz * h[j];
                    dh[j] += dz * w[W2 + k * HIDDEN + j];
                }
            }
            for (int j = 0; j < HIDDEN; j++) {
                if (h[j] > 0) {
                    g[B1 + j] += dh[j];
                    for (int i = 0; i < IN; i++) {
                        g[j * IN + i] += dh[j] * x[i];
                    }
                }
            }
        }
        return loss;
    }
}
