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
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels at 128 bits. Generated from VectorKernels512 by engine/src/generator/KernelGenerator.java: do not edit.
 */
public final class VectorKernels128 implements Kernels {
    /** The single instance. */
    public static final Kernels INSTANCE = new VectorKernels128();

    // A static final species is a constant to C2; anything else drops every vector op to boxed Java code.
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_128;
    private static final int LANES = S.length();
    // Kernels that compare lanes use this species. C2 on x86 has no 64-bit float compare or blend
    // (they run boxed, 100x slower), so the 64-bit engine runs them on 128-bit vectors: the same bits.
    private static final VectorSpecies<Float> MASKED = FloatVector.SPECIES_128;
    private static final int MASKED_LANES = MASKED.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    // Divide by per-step constants without the divider (Reciprocal) from 256 bits up. At 64 bits C2
    // has no float compare to guard the lanes with; at 128 bits the divider is not the bottleneck
    // and the extra operations made Adam and RAdam 8-12% slower.
    private static final boolean RECIPROCAL = S.vectorBitSize() >= 256;

    private VectorKernels128() {
    }


    @Override
    public void sgd(MemorySegment params, MemorySegment grads, MemorySegment buffer, long from, long to,
                    float negLr, float weightDecay, float momentum, float keep, float gradScale, float gradClip,
                    int flags) {
        long end = from + S.loopBound(to - from);
        FloatVector vNegLr = FloatVector.broadcast(S, negLr);
        FloatVector vDecay = FloatVector.broadcast(S, weightDecay);
        FloatVector vMomentum = FloatVector.broadcast(S, momentum);
        FloatVector vKeep = FloatVector.broadcast(S, keep);
        for (long i = from; i < end; i += LANES) {
            long o = i * Float.BYTES;
            FloatVector p = FloatVector.fromMemorySegment(S, params, o, ORDER);
            FloatVector d = FloatVector.fromMemorySegment(S, grads, o, ORDER);
            d = d.mul(gradScale);
            if ((flags & CLIP_VALUE) != 0) {
                d = d.max(-gradClip).min(gradClip);
            }
            if ((flags & MAXIMIZE) != 0) {
                d = d.neg();
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                d = p.fma(vDecay, d);
            }
            if ((flags & MOMENTUM) != 0) {
                FloatVector b = (flags & FIRST_STEP) != 0 ? d
                        : d.fma(vKeep, FloatVector.fromMemorySegment(S, buffer, o, ORDER).mul(vMomentum));
                b.intoMemorySegment(buffer, o, ORDER);
                d = (flags & NESTEROV) != 0 ? b.fma(vMomentum, d) : b;
            }
            d.fma(vNegLr, p).intoMemorySegment(params, o, ORDER);
        }
        ScalarKernels.sgdLoop(params, grads, buffer, end, to, negLr, weightDecay, momentum, keep, gradScale,
                gradClip, flags);
    }

    @Override
    public void rmsprop(MemorySegment params, MemorySegment grads, MemorySegment squareAvg, MemorySegment buffer,
                        MemorySegment gradAvg, long from, long to, float alpha, float oneMinusAlpha, float eps,
                        float negLr, float weightDecay, float momentum, float gradScale, float gradClip, int flags) {
        long end = from + S.loopBound(to - from);
        FloatVector vAlpha = FloatVector.broadcast(S, alpha);
        FloatVector vOneMinusAlpha = FloatVector.broadcast(S, oneMinusAlpha);
        FloatVector vEps = FloatVector.broadcast(S, eps);
        FloatVector vNegLr = FloatVector.broadcast(S, negLr);
        FloatVector vDecay = FloatVector.broadcast(S, weightDecay);
        FloatVector vMomentum = FloatVector.broadcast(S, momentum);
        for (long i = from; i < end; i += LANES) {
            long o = i * Float.BYTES;
            FloatVector p = FloatVector.fromMemorySegment(S, params, o, ORDER);
            FloatVector g = FloatVector.fromMemorySegment(S, grads, o, ORDER);
            g = g.mul(gradScale);
            if ((flags & CLIP_VALUE) != 0) {
                g = g.max(-gradClip).min(gradClip);
            }
            if ((flags & MAXIMIZE) != 0) {
                g = g.neg();
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                g = p.fma(vDecay, g);
            }
            FloatVector v = vOneMinusAlpha.mul(g)
                    .fma(g, FloatVector.fromMemorySegment(S, squareAvg, o, ORDER).mul(vAlpha));
            v.intoMemorySegment(squareAvg, o, ORDER);
            FloatVector avg;
            if ((flags & CENTERED) != 0) {
                FloatVector a = g.fma(vOneMinusAlpha, FloatVector.fromMemorySegment(S, gradAvg, o, ORDER).mul(vAlpha));
                a.intoMemorySegment(gradAvg, o, ORDER);
                avg = a.neg().fma(a, v).sqrt();
            } else {
                avg = v.sqrt();
            }
            avg = avg.add(vEps);
            if ((flags & MOMENTUM) != 0) {
                FloatVector b = FloatVector.fromMemorySegment(S, buffer, o, ORDER).mul(vMomentum).add(g.div(avg));
                b.intoMemorySegment(buffer, o, ORDER);
                b.fma(vNegLr, p).intoMemorySegment(params, o, ORDER);
            } else {
                (p.add(vNegLr.mul(g).div(avg))).intoMemorySegment(params, o, ORDER);
            }
        }
        ScalarKernels.rmspropLoop(params, grads, squareAvg, buffer, gradAvg, end, to, alpha, oneMinusAlpha, eps, negLr,
                weightDecay, momentum, gradScale, gradClip, flags);
    }

    @Override
    public void adam(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
                     MemorySegment maxSq, long from, long to, float beta1, float oneMinusBeta1, float beta2,
                     float oneMinusBeta2, float bc2Sqrt, float eps, float negStepSize, float weightDecay,
                     float decayFactor, float gradScale, float gradClip, int flags) {
        long end = from + S.loopBound(to - from);
        FloatVector vBeta1 = FloatVector.broadcast(S, beta1);
        FloatVector vOneMinusBeta1 = FloatVector.broadcast(S, oneMinusBeta1);
        FloatVector vBeta2 = FloatVector.broadcast(S, beta2);
        FloatVector vOneMinusBeta2 = FloatVector.broadcast(S, oneMinusBeta2);
        FloatVector vBc2Sqrt = FloatVector.broadcast(S, bc2Sqrt);
        FloatVector vNegBc2Sqrt = FloatVector.broadcast(S, -bc2Sqrt);
        FloatVector vInvBc2Sqrt = FloatVector.broadcast(S, 1f / bc2Sqrt);
        FloatVector vMinDividend = FloatVector.broadcast(S, Reciprocal.MIN_DIVIDEND);
        FloatVector vMaxDividend = FloatVector.broadcast(S, Reciprocal.MAX_DIVIDEND);
        boolean reciprocal = RECIPROCAL && Reciprocal.exact(bc2Sqrt);
        FloatVector vEps = FloatVector.broadcast(S, eps);
        FloatVector vNegStep = FloatVector.broadcast(S, negStepSize);
        FloatVector vDecay = FloatVector.broadcast(S, weightDecay);
        FloatVector vDecayFactor = FloatVector.broadcast(S, decayFactor);
        for (long i = from; i < end; i += LANES) {
            long o = i * Float.BYTES;
            FloatVector p = FloatVector.fromMemorySegment(S, params, o, ORDER);
            FloatVector g = FloatVector.fromMemorySegment(S, grads, o, ORDER);
            g = g.mul(gradScale);
            if ((flags & CLIP_VALUE) != 0) {
                g = g.max(-gradClip).min(gradClip);
            }
            if ((flags & MAXIMIZE) != 0) {
                g = g.neg();
            }
            if ((flags & DECOUPLED_DECAY) != 0) {
                p = p.mul(vDecayFactor);
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                g = p.fma(vDecay, g);
            }
            FloatVector m = g.fma(vOneMinusBeta1, FloatVector.fromMemorySegment(S, expAvg, o, ORDER).mul(vBeta1));
            m.intoMemorySegment(expAvg, o, ORDER);
            FloatVector v = vOneMinusBeta2.mul(g)
                    .fma(g, FloatVector.fromMemorySegment(S, expAvgSq, o, ORDER).mul(vBeta2));
            v.intoMemorySegment(expAvgSq, o, ORDER);
            FloatVector s = v;
            if ((flags & AMSGRAD) != 0) {
                s = FloatVector.fromMemorySegment(S, maxSq, o, ORDER).max(v);
                s.intoMemorySegment(maxSq, o, ORDER);
            }
            FloatVector x = s.sqrt();
            FloatVector size = x.abs();
            FloatVector scaled;
            if (reciprocal && size.compare(VectorOperators.GE, vMinDividend)
                    .and(size.compare(VectorOperators.LT, vMaxDividend)).allTrue()) {
                FloatVector q = x.mul(vInvBc2Sqrt);
                scaled = q.fma(vNegBc2Sqrt, x).fma(vInvBc2Sqrt, q);
            } else {
                scaled = x.div(vBc2Sqrt);
            }
            FloatVector denom = scaled.add(vEps);
            (p.add(vNegStep.mul(m).div(denom))).intoMemorySegment(params, o, ORDER);
        }
        ScalarKernels.adamLoop(params, grads, expAvg, expAvgSq, maxSq, end, to, beta1, oneMinusBeta1, beta2,
                oneMinusBeta2, bc2Sqrt, eps, negStepSize, weightDecay, decayFactor, gradScale, gradClip, flags);
    }

    @Override
    public void signalToNoise(MemorySegment params, MemorySegment grads, MemorySegment mean, MemorySegment sqMean,
                              long from, long to, float batchSize, float lambdaB, float lambdaEta, float eps,
                              float maxRate, float warmupWeight, float maxWeight, float gradScale, float gradClip,
                              int flags) {
        long end = from + MASKED.loopBound(to - from);
        boolean warmup = (flags & WARMUP) != 0;
        FloatVector zero = FloatVector.zero(MASKED);
        FloatVector one = FloatVector.broadcast(MASKED, 1f);
        FloatVector vBatch = FloatVector.broadcast(MASKED, batchSize);
        FloatVector vLambdaB = FloatVector.broadcast(MASKED, lambdaB);
        FloatVector vLambdaEta = FloatVector.broadcast(MASKED, lambdaEta);
        FloatVector vEps = FloatVector.broadcast(MASKED, eps);
        FloatVector vMaxRate = FloatVector.broadcast(MASKED, maxRate);
        FloatVector vWarmup = FloatVector.broadcast(MASKED, warmupWeight);
        FloatVector vMaxWeight = FloatVector.broadcast(MASKED, maxWeight);
        for (long i = from; i < end; i += MASKED_LANES) {
            long o = i * Float.BYTES;
            FloatVector g = FloatVector.fromMemorySegment(MASKED, grads, o, ORDER);
            g = g.mul(gradScale);
            if ((flags & CLIP_VALUE) != 0) {
                g = g.max(-gradClip).min(gradClip);
            }
            FloatVector gm = FloatVector.fromMemorySegment(MASKED, mean, o, ORDER);
            FloatVector sq = FloatVector.fromMemorySegment(MASKED, sqMean, o, ORDER);
            FloatVector r;
            if (warmup) {
                r = vWarmup;
            } else {
                FloatVector variance = gm.neg().fma(gm, sq).max(zero);
                FloatVector num = vBatch.mul(gm.fma(gm, vEps.mul(variance)));
                FloatVector den = vLambdaB.mul(variance);
                r = num.div(den).blend(vMaxWeight, num.compare(VectorOperators.GE, vMaxWeight.mul(den)));
            }
            FloatVector keep = one.sub(r);
            gm = r.fma(g, keep.mul(gm));
            sq = r.fma(g.mul(g), keep.mul(sq));
            gm.intoMemorySegment(mean, o, ORDER);
            sq.intoMemorySegment(sqMean, o, ORDER);
            if (!warmup) {
                FloatVector variance = gm.neg().fma(gm, sq).max(zero);
                FloatVector a = vLambdaEta.mul(gm.mul(gm));
                FloatVector eta = a.div(variance)
                        .blend(vMaxRate, a.compare(VectorOperators.GE, vMaxRate.mul(variance)));
                FloatVector p = FloatVector.fromMemorySegment(MASKED, params, o, ORDER);
                eta.neg().fma(gm, p).intoMemorySegment(params, o, ORDER);
            }
        }
        ScalarKernels.signalToNoiseLoop(params, grads, mean, sqMean, end, to, batchSize, lambdaB, lambdaEta, eps,
                maxRate, warmupWeight, maxWeight, gradScale, gradClip, flags);
    }

    @Override
    public void adagrad(MemorySegment params, MemorySegment grads, MemorySegment sum, long from, long to,
                        float negClr, float eps, float weightDecay, float gradScale, float gradClip, int flags) {
        long end = from + S.loopBound(to - from);
        FloatVector vNegClr = FloatVector.broadcast(S, negClr);
        FloatVector vEps = FloatVector.broadcast(S, eps);
        FloatVector vDecay = FloatVector.broadcast(S, weightDecay);
        for (long i = from; i < end; i += LANES) {
            long o = i * Float.BYTES;
            FloatVector p = FloatVector.fromMemorySegment(S, params, o, ORDER);
            FloatVector g = FloatVector.fromMemorySegment(S, grads, o, ORDER);
            g = g.mul(gradScale);
            if ((flags & CLIP_VALUE) != 0) {
                g = g.max(-gradClip).min(gradClip);
            }
            if ((flags & MAXIMIZE) != 0) {
                g = g.neg();
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                g = p.fma(vDecay, g);
            }
            FloatVector s = g.fma(g, FloatVector.fromMemorySegment(S, sum, o, ORDER));
            s.intoMemorySegment(sum, o, ORDER);
            (p.add(vNegClr.mul(g).div(s.sqrt().add(vEps)))).intoMemorySegment(params, o, ORDER);
        }
        ScalarKernels.adagradLoop(params, grads, sum, end, to, negClr, eps, weightDecay, gradScale, gradClip, flags);
    }

    @Override
    public void adamax(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expInf,
                       long from, long to, float beta1, float oneMinusBeta1, float beta2, float eps, float negStepSize,
                       float weightDecay, float gradScale, float gradClip, int flags) {
        long end = from + S.loopBound(to - from);
        FloatVector vBeta1 = FloatVector.broadcast(S, beta1);
        FloatVector vOneMinusBeta1 = FloatVector.broadcast(S, oneMinusBeta1);
        FloatVector vBeta2 = FloatVector.broadcast(S, beta2);
        FloatVector vEps = FloatVector.broadcast(S, eps);
        FloatVector vNegStep = FloatVector.broadcast(S, negStepSize);
        FloatVector vDecay = FloatVector.broadcast(S, weightDecay);
        for (long i = from; i < end; i += LANES) {
            long o = i * Float.BYTES;
            FloatVector p = FloatVector.fromMemorySegment(S, params, o, ORDER);
            FloatVector g = FloatVector.fromMemorySegment(S, grads, o, ORDER);
            g = g.mul(gradScale);
            if ((flags & CLIP_VALUE) != 0) {
                g = g.max(-gradClip).min(gradClip);
            }
            if ((flags & MAXIMIZE) != 0) {
                g = g.neg();
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                g = p.fma(vDecay, g);
            }
            FloatVector m = g.fma(vOneMinusBeta1, FloatVector.fromMemorySegment(S, expAvg, o, ORDER).mul(vBeta1));
            m.intoMemorySegment(expAvg, o, ORDER);
            FloatVector u = FloatVector.fromMemorySegment(S, expInf, o, ORDER).mul(vBeta2).max(g.abs().add(vEps));
            u.intoMemorySegment(expInf, o, ORDER);
            (p.add(vNegStep.mul(m).div(u))).intoMemorySegment(params, o, ORDER);
        }
        ScalarKernels.adamaxLoop(params, grads, expAvg, expInf, end, to, beta1, oneMinusBeta1, beta2, eps, negStepSize,
                weightDecay, gradScale, gradClip, flags);
    }

    @Override
    public void nadam(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
                      long from, long to, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                      float bc2, float eps, float gradCoef, float avgCoef, float weightDecay, float gradScale,
                      float gradClip, int flags) {
        long end = from + S.loopBound(to - from);
        FloatVector vBeta1 = FloatVector.broadcast(S, beta1);
        FloatVector vOneMinusBeta1 = FloatVector.broadcast(S, oneMinusBeta1);
        FloatVector vBeta2 = FloatVector.broadcast(S, beta2);
        FloatVector vOneMinusBeta2 = FloatVector.broadcast(S, oneMinusBeta2);
        FloatVector vBc2 = FloatVector.broadcast(S, bc2);
        FloatVector vNegBc2 = FloatVector.broadcast(S, -bc2);
        FloatVector vInvBc2 = FloatVector.broadcast(S, 1f / bc2);
        FloatVector vMinDividend = FloatVector.broadcast(S, Reciprocal.MIN_DIVIDEND);
        FloatVector vMaxDividend = FloatVector.broadcast(S, Reciprocal.MAX_DIVIDEND);
        boolean reciprocal = RECIPROCAL && Reciprocal.exact(bc2);
        FloatVector vEps = FloatVector.broadcast(S, eps);
        FloatVector vGradCoef = FloatVector.broadcast(S, gradCoef);
        FloatVector vAvgCoef = FloatVector.broadcast(S, avgCoef);
        FloatVector vDecay = FloatVector.broadcast(S, weightDecay);
        for (long i = from; i < end; i += LANES) {
            long o = i * Float.BYTES;
            FloatVector p = FloatVector.fromMemorySegment(S, params, o, ORDER);
            FloatVector g = FloatVector.fromMemorySegment(S, grads, o, ORDER);
            g = g.mul(gradScale);
            if ((flags & CLIP_VALUE) != 0) {
                g = g.max(-gradClip).min(gradClip);
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                g = p.fma(vDecay, g);
            }
            FloatVector m = g.fma(vOneMinusBeta1, FloatVector.fromMemorySegment(S, expAvg, o, ORDER).mul(vBeta1));
            m.intoMemorySegment(expAvg, o, ORDER);
            FloatVector v = vOneMinusBeta2.mul(g)
                    .fma(g, FloatVector.fromMemorySegment(S, expAvgSq, o, ORDER).mul(vBeta2));
            v.intoMemorySegment(expAvgSq, o, ORDER);
            FloatVector size = v.abs();
            FloatVector scaled;
            if (reciprocal && size.compare(VectorOperators.GE, vMinDividend)
                    .and(size.compare(VectorOperators.LT, vMaxDividend)).allTrue()) {
                FloatVector q = v.mul(vInvBc2);
                scaled = q.fma(vNegBc2, v).fma(vInvBc2, q);
            } else {
                scaled = v.div(vBc2);
            }
            FloatVector denom = scaled.sqrt().add(vEps);
            p = p.add(vGradCoef.mul(g).div(denom));
            (p.add(vAvgCoef.mul(m).div(denom))).intoMemorySegment(params, o, ORDER);
        }
        ScalarKernels.nadamLoop(params, grads, expAvg, expAvgSq, end, to, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
                bc2, eps, gradCoef, avgCoef, weightDecay, gradScale, gradClip, flags);
    }

    @Override
    public void radam(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
                      long from, long to, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                      float bc1, float lr, float eps, float bc2Sqrt, float rect, float weightDecay, float gradScale,
                      float gradClip, int flags) {
        long end = from + S.loopBound(to - from);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector vBeta1 = FloatVector.broadcast(S, beta1);
        FloatVector vOneMinusBeta1 = FloatVector.broadcast(S, oneMinusBeta1);
        FloatVector vBeta2 = FloatVector.broadcast(S, beta2);
        FloatVector vOneMinusBeta2 = FloatVector.broadcast(S, oneMinusBeta2);
        FloatVector vBc1 = FloatVector.broadcast(S, bc1);
        FloatVector vNegBc1 = FloatVector.broadcast(S, -bc1);
        FloatVector vInvBc1 = FloatVector.broadcast(S, 1f / bc1);
        FloatVector vMinDividend = FloatVector.broadcast(S, Reciprocal.MIN_DIVIDEND);
        FloatVector vMaxDividend = FloatVector.broadcast(S, Reciprocal.MAX_DIVIDEND);
        boolean reciprocal = RECIPROCAL && Reciprocal.exact(bc1);
        FloatVector vLr = FloatVector.broadcast(S, lr);
        FloatVector vEps = FloatVector.broadcast(S, eps);
        FloatVector vBc2Sqrt = FloatVector.broadcast(S, bc2Sqrt);
        FloatVector vRect = FloatVector.broadcast(S, rect);
        FloatVector vDecay = FloatVector.broadcast(S, weightDecay);
        for (long i = from; i < end; i += LANES) {
            long o = i * Float.BYTES;
            FloatVector p = FloatVector.fromMemorySegment(S, params, o, ORDER);
            FloatVector g = FloatVector.fromMemorySegment(S, grads, o, ORDER);
            g = g.mul(gradScale);
            if ((flags & CLIP_VALUE) != 0) {
                g = g.max(-gradClip).min(gradClip);
            }
            if ((flags & WEIGHT_DECAY) != 0) {
                g = p.fma(vDecay, g);
            }
            FloatVector m = g.fma(vOneMinusBeta1, FloatVector.fromMemorySegment(S, expAvg, o, ORDER).mul(vBeta1));
            m.intoMemorySegment(expAvg, o, ORDER);
            FloatVector v = vOneMinusBeta2.mul(g)
                    .fma(g, FloatVector.fromMemorySegment(S, expAvgSq, o, ORDER).mul(vBeta2));
            v.intoMemorySegment(expAvgSq, o, ORDER);
            FloatVector size = m.abs();
            FloatVector mh;
            if (reciprocal && size.compare(VectorOperators.GE, vMinDividend)
                    .and(size.compare(VectorOperators.LT, vMaxDividend)).allTrue()) {
                FloatVector q = m.mul(vInvBc1);
                mh = q.fma(vNegBc1, m).fma(vInvBc1, q);
            } else {
                mh = m.div(vBc1);
            }
            if ((flags & RECTIFIED) != 0) {
                FloatVector adaptive = one.div(v.sqrt().add(vEps)).mul(vBc2Sqrt);
                (p.sub(mh.mul(vLr).mul(adaptive).mul(vRect))).intoMemorySegment(params, o, ORDER);
            } else {
                p.sub(mh.mul(vLr)).intoMemorySegment(params, o, ORDER);
            }
        }
        ScalarKernels.radamLoop(params, grads, expAvg, expAvgSq, end, to, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
                bc1, lr, eps, bc2Sqrt, rect, weightDecay, gradScale, gradClip, flags);
    }

    @Override
    public void rprop(MemorySegment params, MemorySegment grads, MemorySegment prev, MemorySegment stepSize,
                      long from, long to, float etaMinus, float etaPlus, float stepMin, float stepMax,
                      float gradScale, float gradClip, int flags) {
        long end = from + MASKED.loopBound(to - from);
        FloatVector zero = FloatVector.zero(MASKED);
        FloatVector one = FloatVector.broadcast(MASKED, 1f);
        FloatVector minusOne = FloatVector.broadcast(MASKED, -1f);
        FloatVector vMinus = FloatVector.broadcast(MASKED, etaMinus);
        FloatVector vPlus = FloatVector.broadcast(MASKED, etaPlus);
        FloatVector vMin = FloatVector.broadcast(MASKED, stepMin);
        FloatVector vMax = FloatVector.broadcast(MASKED, stepMax);
        for (long i = from; i < end; i += MASKED_LANES) {
            long o = i * Float.BYTES;
            FloatVector g = FloatVector.fromMemorySegment(MASKED, grads, o, ORDER);
            g = g.mul(gradScale);
            if ((flags & CLIP_VALUE) != 0) {
                g = g.max(-gradClip).min(gradClip);
            }
            if ((flags & MAXIMIZE) != 0) {
                g = g.neg();
            }
            FloatVector product = g.mul(FloatVector.fromMemorySegment(MASKED, prev, o, ORDER));
            FloatVector factor = one.blend(vPlus, product.compare(VectorOperators.GT, zero))
                    .blend(vMinus, product.compare(VectorOperators.LT, zero));
            FloatVector s = FloatVector.fromMemorySegment(MASKED, stepSize, o, ORDER).mul(factor).max(vMin).min(vMax);
            s.intoMemorySegment(stepSize, o, ORDER);
            g = g.blend(zero, factor.compare(VectorOperators.EQ, vMinus));
            FloatVector sign = zero.blend(one, g.compare(VectorOperators.GT, zero))
                    .blend(minusOne, g.compare(VectorOperators.LT, zero));
            FloatVector p = FloatVector.fromMemorySegment(MASKED, params, o, ORDER);
            sign.neg().fma(s, p).intoMemorySegment(params, o, ORDER);
            g.intoMemorySegment(prev, o, ORDER);
        }
        ScalarKernels.rpropLoop(params, grads, prev, stepSize, end, to, etaMinus, etaPlus, stepMin, stepMax,
                gradScale, gradClip, flags);
    }

    @Override
    public boolean allFinite(MemorySegment values, long from, long to) {
        long end = from + S.loopBound(to - from);
        // x * 0 is ±0 for finite x and NaN otherwise, so the sum stays 0 exactly when all are finite:
        // no lane compare needed, and no branch in the loop.
        FloatVector zero = FloatVector.zero(S);
        FloatVector sum = zero;
        for (long i = from; i < end; i += LANES) {
            long o = i * Float.BYTES;
            sum = sum.add(FloatVector.fromMemorySegment(S, values, o, ORDER).mul(zero));
        }
        return sum.reduceLanes(VectorOperators.ADD) == 0f && ScalarKernels.allFiniteLoop(values, end, to);
    }

    @Override
    public void lion(MemorySegment params, MemorySegment grads, MemorySegment expAvg, long from, long to,
                     float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float negLr,
                     float decayFactor, float gradScale, float gradClip, int flags) {
        long end = from + MASKED.loopBound(to - from);
        FloatVector zero = FloatVector.zero(MASKED);
        FloatVector one = FloatVector.broadcast(MASKED, 1f);
        FloatVector minusOne = FloatVector.broadcast(MASKED, -1f);
        FloatVector vBeta1 = FloatVector.broadcast(MASKED, beta1);
        FloatVector vOneMinusBeta1 = FloatVector.broadcast(MASKED, oneMinusBeta1);
        FloatVector vBeta2 = FloatVector.broadcast(MASKED, beta2);
        FloatVector vOneMinusBeta2 = FloatVector.broadcast(MASKED, oneMinusBeta2);
        FloatVector vNegLr = FloatVector.broadcast(MASKED, negLr);
        FloatVector vDecayFactor = FloatVector.broadcast(MASKED, decayFactor);
        for (long i = from; i < end; i += MASKED_LANES) {
            long o = i * Float.BYTES;
            FloatVector g = FloatVector.fromMemorySegment(MASKED, grads, o, ORDER);
            g = g.mul(gradScale);
            if ((flags & CLIP_VALUE) != 0) {
                g = g.max(-gradClip).min(gradClip);
            }
            if ((flags & MAXIMIZE) != 0) {
                g = g.neg();
            }
            FloatVector m = FloatVector.fromMemorySegment(MASKED, expAvg, o, ORDER);
            FloatVector p = FloatVector.fromMemorySegment(MASKED, params, o, ORDER).mul(vDecayFactor);
            FloatVector c = g.fma(vOneMinusBeta1, m.mul(vBeta1));
            FloatVector sign = zero.blend(one, c.compare(VectorOperators.GT, zero))
                    .blend(minusOne, c.compare(VectorOperators.LT, zero));
            sign.fma(vNegLr, p).intoMemorySegment(params, o, ORDER);
            g.fma(vOneMinusBeta2, m.mul(vBeta2)).intoMemorySegment(expAvg, o, ORDER);
        }
        ScalarKernels.lionLoop(params, grads, expAvg, end, to, beta1, oneMinusBeta1, beta2, oneMinusBeta2, negLr,
                decayFactor, gradScale, gradClip, flags);
    }

    @Override
    public void lamb(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
                     MemorySegment update, long from, long to, float beta1, float oneMinusBeta1, float beta2,
                     float oneMinusBeta2, float invBc1, float invBc2Sqrt, float eps, float weightDecay, float gradScale,
                     float gradClip, int flags) {
        long end = from + S.loopBound(to - from);
        FloatVector vBeta1 = FloatVector.broadcast(S, beta1);
        FloatVector vOneMinusBeta1 = FloatVector.broadcast(S, oneMinusBeta1);
        FloatVector vBeta2 = FloatVector.broadcast(S, beta2);
        FloatVector vOneMinusBeta2 = FloatVector.broadcast(S, oneMinusBeta2);
        FloatVector vInvBc1 = FloatVector.broadcast(S, invBc1);
        FloatVector vInvBc2Sqrt = FloatVector.broadcast(S, invBc2Sqrt);
        FloatVector vEps = FloatVector.broadcast(S, eps);
        FloatVector vDecay = FloatVector.broadcast(S, weightDecay);
        for (long i = from; i < end; i += LANES) {
            long o = i * Float.BYTES;
            FloatVector g = FloatVector.fromMemorySegment(S, grads, o, ORDER);
            g = g.mul(gradScale);
            if ((flags & CLIP_VALUE) != 0) {
                g = g.max(-gradClip).min(gradClip);
            }
            FloatVector m = g.fma(vOneMinusBeta1, FloatVector.fromMemorySegment(S, expAvg, o, ORDER).mul(vBeta1));
            m.intoMemorySegment(expAvg, o, ORDER);
            FloatVector v = vOneMinusBeta2.mul(g)
                    .fma(g, FloatVector.fromMemorySegment(S, expAvgSq, o, ORDER).mul(vBeta2));
            v.intoMemorySegment(expAvgSq, o, ORDER);
            FloatVector u = m.mul(vInvBc1).div(v.sqrt().fma(vInvBc2Sqrt, vEps));
            if ((flags & WEIGHT_DECAY) != 0) {
                u = FloatVector.fromMemorySegment(S, params, o, ORDER).fma(vDecay, u);
            }
            u.intoMemorySegment(update, o, ORDER);
        }
        ScalarKernels.lambLoop(params, grads, expAvg, expAvgSq, update, end, to, beta1, oneMinusBeta1, beta2,
                oneMinusBeta2, invBc1, invBc2Sqrt, eps, weightDecay, gradScale, gradClip, flags);
    }

    @Override
    public double sumOfSquares(MemorySegment values, long from, long to, float scale) {
        return SquareSums.of128(values, from, to, scale);
    }
}
