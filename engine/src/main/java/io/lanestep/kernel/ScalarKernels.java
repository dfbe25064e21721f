package io.lanestep.kernel;

import static io.lanestep.kernel.Kernels.AMSGRAD;
import static io.lanestep.kernel.Kernels.CENTERED;
import static io.lanestep.kernel.Kernels.CLIP_VALUE;
import static io.lanestep.kernel.Kernels.DECOUPLED_DECAY;
import static io.lanestep.kernel.Kernels.FIRST_STEP;
import static io.lanestep.kernel.Kernels.MAXIMIZE;
import static io.lanestep.kernel.Kernels.MOMENTUM;
import static io.lanestep.kernel.Kernels.NESTEROV;
import static io.lanestep.kernel.Kernels.RECTIFIED;
import static io.lanestep.kernel.Kernels.WARMUP;
import static io.lanestep.kernel.Kernels.WEIGHT_DECAY;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The engine's scalar kernels: one element at a time, exactly the lane formula of the vector
 * kernels, which call these loops for their tails.
 */
public final class ScalarKernels implements Kernels {
    /** The single instance. */
    public static final ScalarKernels INSTANCE = new ScalarKernels();

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ScalarKernels() {
    }

    @Override
    public void sgd(MemorySegment params, MemorySegment grads, MemorySegment buffer, long from, long to,
                    float negLr, float weightDecay, float momentum, float keep, float gradScale, float gradClip,
                    int flags) {
        sgdLoop(params, grads, buffer, from, to, negLr, weightDecay, momentum, keep, gradScale, gradClip, flags);
    }

    static void sgdLoop(MemorySegment params, MemorySegment grads, MemorySegment buffer, long from, long to,
                        float negLr, float weightDecay, float momentum, float keep, float gradScale, float gradClip,
                        int flags) {
        for (long i = from; i < to; i++) {
            float p = params.getAtIndex(F, i);
            float d = grads.getAtIndex(F, i);
            d = clipped(d, gradScale, gradClip, flags);
            if ((flags & MAXIMIZE) != 0) {
                d = -d;
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                d = Math.fma(p, weightDecay, d);
            }
            if ((flags & MOMENTUM) != 0) {
                float b = (flags & FIRST_STEP) != 0 ? d : Math.fma(d, keep, buffer.getAtIndex(F, i) * momentum);
                buffer.setAtIndex(F, i, b);
                d = (flags & NESTEROV) != 0 ? Math.fma(b, momentum, d) : b;
            }
            params.setAtIndex(F, i, Math.fma(d, negLr, p));
        }
    }

    @Override
    public void rmsprop(MemorySegment params, MemorySegment grads, MemorySegment squareAvg, MemorySegment buffer,
                        MemorySegment gradAvg, long from, long to, float alpha, float oneMinusAlpha, float eps,
                        float negLr, float weightDecay, float momentum, float gradScale, float gradClip, int flags) {
        rmspropLoop(params, grads, squareAvg, buffer, gradAvg, from, to, alpha, oneMinusAlpha, eps, negLr,
                weightDecay, momentum, gradScale, gradClip, flags);
    }

    static void rmspropLoop(MemorySegment params, MemorySegment grads, MemorySegment squareAvg, MemorySegment buffer,
                            MemorySegment gradAvg, long from, long to, float alpha, float oneMinusAlpha, float eps,
                            float negLr, float weightDecay, float momentum, float gradScale, float gradClip,
                            int flags) {
        for (long i = from; i < to; i++) {
            float p = params.getAtIndex(F, i);
            float g = grads.getAtIndex(F, i);
            g = clipped(g, gradScale, gradClip, flags);
            if ((flags & MAXIMIZE) != 0) {
                g = -g;
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                g = Math.fma(p, weightDecay, g);
            }
            float v = Math.fma(oneMinusAlpha * g, g, squareAvg.getAtIndex(F, i) * alpha);
            squareAvg.setAtIndex(F, i, v);
            float avg;
            if ((flags & CENTERED) != 0) {
                float a = Math.fma(g, oneMinusAlpha, gradAvg.getAtIndex(F, i) * alpha);
                gradAvg.setAtIndex(F, i, a);
                avg = (float) Math.sqrt(Math.fma(-a, a, v));
            } else {
                avg = (float) Math.sqrt(v);
            }
            avg = avg + eps;
            if ((flags & MOMENTUM) != 0) {
                float b = buffer.getAtIndex(F, i) * momentum + g / avg;
                buffer.setAtIndex(F, i, b);
                params.setAtIndex(F, i, Math.fma(b, negLr, p));
            } else {
                params.setAtIndex(F, i, p + (negLr * g) / avg);
            }
        }
    }

    @Override
    public void adam(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
                     MemorySegment maxSq, long from, long to, float beta1, float oneMinusBeta1, float beta2,
                     float oneMinusBeta2, float bc2Sqrt, float eps, float negStepSize, float weightDecay,
                     float decayFactor, float gradScale, float gradClip, int flags) {
        adamLoop(params, grads, expAvg, expAvgSq, maxSq, from, to, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
                bc2Sqrt, eps, negStepSize, weightDecay, decayFactor, gradScale, gradClip, flags);
    }

    static void adamLoop(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
                         MemorySegment maxSq, long from, long to, float beta1, float oneMinusBeta1, float beta2,
                         float oneMinusBeta2, float bc2Sqrt, float eps, float negStepSize, float weightDecay,
                         float decayFactor, float gradScale, float gradClip, int flags) {
        for (long i = from; i < to; i++) {
            float p = params.getAtIndex(F, i);
            float g = grads.getAtIndex(F, i);
            g = clipped(g, gradScale, gradClip, flags);
            if ((flags & MAXIMIZE) != 0) {
                g = -g;
            }
            if ((flags & DECOUPLED_DECAY) != 0) {
                p = p * decayFactor;
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                g = Math.fma(p, weightDecay, g);
            }
            float m = Math.fma(g, oneMinusBeta1, expAvg.getAtIndex(F, i) * beta1);
            expAvg.setAtIndex(F, i, m);
            float v = Math.fma(oneMinusBeta2 * g, g, expAvgSq.getAtIndex(F, i) * beta2);
            expAvgSq.setAtIndex(F, i, v);
            float s = v;
            if ((flags & AMSGRAD) != 0) {
                s = Math.max(maxSq.getAtIndex(F, i), v);
                maxSq.setAtIndex(F, i, s);
            }
            float denom = (float) Math.sqrt(s) / bc2Sqrt + eps;
            params.setAtIndex(F, i, p + (negStepSize * m) / denom);
        }
    }

    @Override
    public void signalToNoise(MemorySegment params, MemorySegment grads, MemorySegment mean, MemorySegment sqMean,
                              long from, long to, float batchSize, float lambdaB, float lambdaEta, float eps,
                              float maxRate, float warmupWeight, float maxWeight, float gradScale, float gradClip,
                              int flags) {
        signalToNoiseLoop(params, grads, mean, sqMean, from, to, batchSize, lambdaB, lambdaEta, eps, maxRate,
                warmupWeight, maxWeight, gradScale, gradClip, flags);
    }

    static void signalToNoiseLoop(MemorySegment params, MemorySegment grads, MemorySegment mean,
                                  MemorySegment sqMean, long from, long to, float batchSize, float lambdaB,
                                  float lambdaEta, float eps, float maxRate, float warmupWeight, float maxWeight,
                                  float gradScale, float gradClip, int flags) {
        boolean warmup = (flags & WARMUP) != 0;
        for (long i = from; i < to; i++) {
            float g = grads.getAtIndex(F, i);
            g = clipped(g, gradScale, gradClip, flags);
            float gm = mean.getAtIndex(F, i);
            float sq = sqMean.getAtIndex(F, i);
            float r;
            if (warmup) {
                r = warmupWeight;
            } else {
                float variance = Math.max(0f, Math.fma(-gm, gm, sq));
                float num = batchSize * Math.fma(gm, gm, eps * variance);
                float den = lambdaB * variance;
                r = num >= maxWeight * den ? maxWeight : num / den;
            }
            float keep = 1f - r;
            gm = Math.fma(r, g, keep * gm);
            sq = Math.fma(r, g * g, keep * sq);
            mean.setAtIndex(F, i, gm);
            sqMean.setAtIndex(F, i, sq);
            if (!warmup) {
                float variance = Math.max(0f, Math.fma(-gm, gm, sq));
                float a = lambdaEta * (gm * gm);
                float eta = a >= maxRate * variance ? maxRate : a / variance;
                params.setAtIndex(F, i, Math.fma(-eta, gm, params.getAtIndex(F, i)));
            }
        }
    }

    @Override
    public void adagrad(MemorySegment params, MemorySegment grads, MemorySegment sum, long from, long to,
                        float negClr, float eps, float weightDecay, float gradScale, float gradClip, int flags) {
        adagradLoop(params, grads, sum, from, to, negClr, eps, weightDecay, gradScale, gradClip, flags);
    }

    static void adagradLoop(MemorySegment params, MemorySegment grads, MemorySegment sum, long from, long to,
                            float negClr, float eps, float weightDecay, float gradScale, float gradClip, int flags) {
        for (long i = from; i < to; i++) {
            float p = params.getAtIndex(F, i);
            float g = grads.getAtIndex(F, i);
            g = clipped(g, gradScale, gradClip, flags);
            if ((flags & MAXIMIZE) != 0) {
                g = -g;
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                g = Math.fma(p, weightDecay, g);
            }
            float s = Math.fma(g, g, sum.getAtIndex(F, i));
            sum.setAtIndex(F, i, s);
            params.setAtIndex(F, i, p + (negClr * g) / ((float) Math.sqrt(s) + eps));
        }
    }

    @Override
    public void adamax(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expInf,
                       long from, long to, float beta1, float oneMinusBeta1, float beta2, float eps, float negStepSize,
                       float weightDecay, float gradScale, float gradClip, int flags) {
        adamaxLoop(params, grads, expAvg, expInf, from, to, beta1, oneMinusBeta1, beta2, eps, negStepSize,
                weightDecay, gradScale, gradClip, flags);
    }

    static void adamaxLoop(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expInf,
                           long from, long to, float beta1, float oneMinusBeta1, float beta2, float eps,
                           float negStepSize, float weightDecay, float gradScale, float gradClip, int flags) {
        for (long i = from; i < to; i++) {
            float p = params.getAtIndex(F, i);
            float g = grads.getAtIndex(F, i);
            g = clipped(g, gradScale, gradClip, flags);
            if ((flags & MAXIMIZE) != 0) {
                g = -g;
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                g = Math.fma(p, weightDecay, g);
            }
            float m = Math.fma(g, oneMinusBeta1, expAvg.getAtIndex(F, i) * beta1);
            expAvg.setAtIndex(F, i, m);
            float u = Math.max(expInf.getAtIndex(F, i) * beta2, Math.abs(g) + eps);
            expInf.setAtIndex(F, i, u);
            params.setAtIndex(F, i, p + (negStepSize * m) / u);
        }
    }

    @Override
    public void nadam(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
                      long from, long to, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                      float bc2, float eps, float gradCoef, float avgCoef, float weightDecay, float gradScale,
                      float gradClip, int flags) {
        nadamLoop(params, grads, expAvg, expAvgSq, from, to, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc2, eps,
                gradCoef, avgCoef, weightDecay, gradScale, gradClip, flags);
    }

    static void nadamLoop(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
                          long from, long to, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                          float bc2, float eps, float gradCoef, float avgCoef, float weightDecay, float gradScale,
                          float gradClip, int flags) {
        for (long i = from; i < to; i++) {
            float p = params.getAtIndex(F, i);
            float g = grads.getAtIndex(F, i);
            g = clipped(g, gradScale, gradClip, flags);
            if ((flags & WEIGHT_DECAY) != 0) {
                g = Math.fma(p, weightDecay, g);
            }
            float m = Math.fma(g, oneMinusBeta1, expAvg.getAtIndex(F, i) * beta1);
            expAvg.setAtIndex(F, i, m);
            float v = Math.fma(oneMinusBeta2 * g, g, expAvgSq.getAtIndex(F, i) * beta2);
            expAvgSq.setAtIndex(F, i, v);
            float denom = (float) Math.sqrt(v / bc2) + eps;
            p = p + (gradCoef * g) / denom;
            params.setAtIndex(F, i, p + (avgCoef * m) / denom);
        }
    }

    @Override
    public void radam(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
                      long from, long to, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                      float bc1, float lr, float eps, float bc2Sqrt, float rect, float weightDecay, float gradScale,
                      float gradClip, int flags) {
        radamLoop(params, grads, expAvg, expAvgSq, from, to, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc1, lr, eps,
                bc2Sqrt, rect, weightDecay, gradScale, gradClip, flags);
    }

    static void radamLoop(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
                          long from, long to, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                          float bc1, float lr, float eps, float bc2Sqrt, float rect, float weightDecay,
                          float gradScale, float gradClip, int flags) {
        for (long i = from; i < to; i++) {
            float p = params.getAtIndex(F, i);
            float g = grads.getAtIndex(F, i);
            g = clipped(g, gradScale, gradClip, flags);
            if ((flags & WEIGHT_DECAY) != 0) {
                g = Math.fma(p, weightDecay, g);
            }
            float m = Math.fma(g, oneMinusBeta1, expAvg.getAtIndex(F, i) * beta1);
            expAvg.setAtIndex(F, i, m);
            float v = Math.fma(oneMinusBeta2 * g, g, expAvgSq.getAtIndex(F, i) * beta2);
            expAvgSq.setAtIndex(F, i, v);
            float mh = m / bc1;
            if ((flags & RECTIFIED) != 0) {
                float adaptive = (1f / ((float) Math.sqrt(v) + eps)) * bc2Sqrt;
                params.setAtIndex(F, i, p - ((mh * lr) * adaptive) * rect);
            } else {
                params.setAtIndex(F, i, p - mh * lr);
            }
        }
    }

    @Override
    public void rprop(MemorySegment params, MemorySegment grads, MemorySegment prev, MemorySegment stepSize,
                      long from, long to, float etaMinus, float etaPlus, float stepMin, float stepMax,
                      float gradScale, float gradClip, int flags) {
        rpropLoop(params, grads, prev, stepSize, from, to, etaMinus, etaPlus, stepMin, stepMax, gradScale, gradClip,
                flags);
    }

    static void rpropLoop(MemorySegment params, MemorySegment grads, MemorySegment prev, MemorySegment stepSize,
                          long from, long to, float etaMinus, float etaPlus, float stepMin, float stepMax,
                          float gradScale, float gradClip, int flags) {
        for (long i = from; i < to; i++) {
            float g = grads.getAtIndex(F, i);
            g = clipped(g, gradScale, gradClip, flags);
            if ((flags & MAXIMIZE) != 0) {
                g = -g;
            }
            float product = g * prev.getAtIndex(F, i);
            float factor = product > 0 ? etaPlus : product < 0 ? etaMinus : 1f;
            float s = Math.min(Math.max(stepSize.getAtIndex(F, i) * factor, stepMin), stepMax);
            stepSize.setAtIndex(F, i, s);
            if (factor == etaMinus) {
                g = 0f;
            }
            float sign = g > 0 ? 1f : g < 0 ? -1f : 0f;
            params.setAtIndex(F, i, Math.fma(-sign, s, params.getAtIndex(F, i)));
            prev.setAtIndex(F, i, g);
        }
    }

    @Override
    public boolean allFinite(MemorySegment values, long from, long to) {
        return allFiniteLoop(values, from, to);
    }

    static boolean allFiniteLoop(MemorySegment values, long from, long to) {
        float sum = 0f;
        for (long i = from; i < to; i++) {
            sum += values.getAtIndex(F, i) * 0f;
        }
        return sum == 0f;
    }

    @Override
    public void lion(MemorySegment params, MemorySegment grads, MemorySegment expAvg, long from, long to,
                     float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float negLr,
                     float decayFactor, float gradScale, float gradClip, int flags) {
        lionLoop(params, grads, expAvg, from, to, beta1, oneMinusBeta1, beta2, oneMinusBeta2, negLr, decayFactor,
                gradScale, gradClip, flags);
    }

    static void lionLoop(MemorySegment params, MemorySegment grads, MemorySegment expAvg, long from, long to,
                         float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float negLr,
                         float decayFactor, float gradScale, float gradClip, int flags) {
        for (long i = from; i < to; i++) {
            float g = grads.getAtIndex(F, i);
            g = clipped(g, gradScale, gradClip, flags);
            if ((flags & MAXIMIZE) != 0) {
                g = -g;
            }
            float m = expAvg.getAtIndex(F, i);
            float p = params.getAtIndex(F, i) * decayFactor;
            float c = Math.fma(g, oneMinusBeta1, m * beta1);
            float sign = c > 0 ? 1f : c < 0 ? -1f : 0f;
            params.setAtIndex(F, i, Math.fma(sign, negLr, p));
            expAvg.setAtIndex(F, i, Math.fma(g, oneMinusBeta2, m * beta2));
        }
    }

    @Override
    public void lamb(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
                     MemorySegment update, long from, long to, float beta1, float oneMinusBeta1, float beta2,
                     float oneMinusBeta2, float invBc1, float invBc2Sqrt, float eps, float weightDecay, float gradScale,
                     float gradClip, int flags) {
        lambLoop(params, grads, expAvg, expAvgSq, update, from, to, beta1, oneMinusBeta1, beta2, oneMinusBeta2, invBc1,
                invBc2Sqrt, eps, weightDecay, gradScale, gradClip, flags);
    }

    static void lambLoop(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
                         MemorySegment update, long from, long to, float beta1, float oneMinusBeta1, float beta2,
                         float oneMinusBeta2, float invBc1, float invBc2Sqrt, float eps, float weightDecay,
                         float gradScale, float gradClip, int flags) {
        for (long i = from; i < to; i++) {
            float g = grads.getAtIndex(F, i);
            g = clipped(g, gradScale, gradClip, flags);
            float m = Math.fma(g, oneMinusBeta1, expAvg.getAtIndex(F, i) * beta1);
            expAvg.setAtIndex(F, i, m);
            float v = Math.fma(oneMinusBeta2 * g, g, expAvgSq.getAtIndex(F, i) * beta2);
            expAvgSq.setAtIndex(F, i, v);
            float u = m * invBc1 / Math.fma((float) Math.sqrt(v), invBc2Sqrt, eps);
            if ((flags & WEIGHT_DECAY) != 0) {
                u = Math.fma(params.getAtIndex(F, i), weightDecay, u);
            }
            update.setAtIndex(F, i, u);
        }
    }

    /** The gradient the update uses: times {@code gradScale}, then clamped under {@link Kernels#CLIP_VALUE}. */
    static float clipped(float g, float gradScale, float gradClip, int flags) {
        float scaled = g * gradScale;
        return (flags & CLIP_VALUE) != 0 ? Math.min(Math.max(scaled, -gradClip), gradClip) : scaled;
    }

    @Override
    public double sumOfSquares(MemorySegment values, long from, long to, float scale) {
        return SquareSums.scalar(values, from, to, scale);
    }
}
