package io.lanestep;

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

import io.lanestep.kernel.Kernels;
import io.lanestep.kernel.SquareSums;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Turns a validated configuration into kernel calls: per-step scalars are computed here, in
 * double, and rounded to float once, as PyTorch does. {@link #run} updates one element range and
 * leaves the state's bookkeeping alone, so a block split across threads computes the same
 * scalars in every range; {@link #finish} then advances the step and the scalar state once.
 */
final class Steps {
    private Steps() {
    }

    static void apply(Kernels kernels, Optimizer optimizer, OptimizerState state, MemorySegment params,
                      MemorySegment grads, float gradScale, float gradClip) {
        run(kernels, optimizer, state, params, grads, 0, state.length(), gradScale, gradClip, 0);
        if (twoPass(optimizer)) {
            run(kernels, optimizer, state, params, grads, 0, state.length(), gradScale, gradClip, 1);
        }
        finish(optimizer, state);
    }

    /**
     * Whether the optimizer scales its update by whole-block norms (LARS, LAMB): pass 0 then sums
     * squares per {@link SquareSums#CHUNK}-float chunk into the state's scratch, and pass 1, after
     * every range has finished pass 0, adds them in chunk order and updates. Ranges start on chunk
     * boundaries, so neither pass depends on how the block is split.
     */
    static boolean twoPass(Optimizer optimizer) {
        return optimizer instanceof Lars || optimizer instanceof Lamb;
    }

    /** Chunks of a block of {@code length} floats. */
    static long chunks(long length) {
        return (length + SquareSums.CHUNK - 1) / SquareSums.CHUNK;
    }

    /** The step's bookkeeping, once per block: NAdam's momentum product, then the step counter. */
    static void finish(Optimizer optimizer, OptimizerState state) {
        if (optimizer instanceof NAdam a) {
            state.setScalar(0, state.scalar(0) * (float) a.mu(state.step() + 1));
        }
        state.advance();
    }

    /** Runs {@code pass} (0, or 1 of a {@link #twoPass} optimizer) over elements {@code [from, to)}. */
    static void run(Kernels kernels, Optimizer optimizer, OptimizerState state, MemorySegment params,
                    MemorySegment grads, long from, long to, float gradScale, float gradClip, int pass) {
        int clip = gradClip < Engine.NO_CLIP ? CLIP_VALUE : 0;
        switch (optimizer) {
            case Sgd s -> {
                boolean hasMomentum = s.momentum() != 0;
                int flags = (s.maximize() ? MAXIMIZE : 0)
                        | (s.weightDecay() != 0 ? WEIGHT_DECAY : 0)
                        | (hasMomentum ? MOMENTUM : 0)
                        | (hasMomentum && state.step() == 0 ? FIRST_STEP : 0)
                        | (s.nesterov() ? NESTEROV : 0);
                kernels.sgd(params, grads, hasMomentum ? state.slot(0) : MemorySegment.NULL, from, to,
                        (float) -s.lr(), (float) s.weightDecay(), (float) s.momentum(), (float) (1 - s.dampening()),
                        gradScale, gradClip, clip | flags);
            }
            case HeavyBallMomentum h ->
                // p - v is exactly fma(v, -1, p), so the SGD kernel serves with a factor of -1.
                    kernels.sgd(params, grads, state.slot(0), from, to, -1f, 0f, (float) h.momentum(), (float) h.lr(),
                            gradScale, gradClip, clip | MOMENTUM);
            case AveragedMomentum a -> kernels.sgd(params, grads, state.slot(0), from, to, (float) -a.lr(), 0f,
                    (float) a.momentum(), (float) (1 - a.momentum()), gradScale, gradClip, clip | MOMENTUM);
            case Rmsprop r -> {
                boolean hasMomentum = r.momentum() > 0;
                int flags = (r.maximize() ? MAXIMIZE : 0)
                        | (r.weightDecay() != 0 ? WEIGHT_DECAY : 0)
                        | (hasMomentum ? MOMENTUM : 0)
                        | (r.centered() ? CENTERED : 0);
                MemorySegment buffer = hasMomentum ? state.slot(1) : MemorySegment.NULL;
                MemorySegment gradAvg = r.centered() ? state.slot(hasMomentum ? 2 : 1) : MemorySegment.NULL;
                kernels.rmsprop(params, grads, state.slot(0), buffer, gradAvg, from, to, (float) r.alpha(),
                        (float) (1 - r.alpha()), (float) r.eps(), (float) -r.lr(), (float) r.weightDecay(),
                        (float) r.momentum(), gradScale, gradClip, clip | flags);
            }
            case Adam a -> adam(kernels, state, params, grads, from, to, a.lr(), a.beta1(), a.beta2(), a.eps(),
                    a.amsgrad(), clip | (a.maximize() ? MAXIMIZE : 0) | (a.weightDecay() != 0 ? WEIGHT_DECAY : 0),
                    (float) a.weightDecay(),
                    1f, gradScale, gradClip);
            case AdamW a -> adam(kernels, state, params, grads, from, to, a.lr(), a.beta1(), a.beta2(), a.eps(),
                    a.amsgrad(), clip | (a.maximize() ? MAXIMIZE : 0) | DECOUPLED_DECAY, 0f,
                    (float) (1 - a.lr() * a.weightDecay()), gradScale, gradClip);
            case SignalToNoiseSgd s -> {
                long t = state.step() + 1;
                kernels.signalToNoise(params, grads, state.slot(0), state.slot(1), from, to, (float) s.batchSize(),
                        (float) s.lambdaB(), (float) s.lambdaEta(), (float) s.eps(), (float) s.maxRate(),
                        (float) s.warmupWeight(t), (float) SignalToNoiseSgd.MAX_AVERAGING_WEIGHT, gradScale, gradClip,
                        clip | (t <= s.warmupSteps() ? WARMUP : 0));
            }
            case Adagrad a -> {
                double t = state.step() + 1;
                kernels.adagrad(params, grads, state.slot(0), from, to, (float) -(a.lr() / (1 + (t - 1) * a.lrDecay())),
                        (float) a.eps(), (float) a.weightDecay(), gradScale, gradClip,
                        clip | (a.maximize() ? MAXIMIZE : 0) | (a.weightDecay() != 0 ? WEIGHT_DECAY : 0));
            }
            case Adamax a -> {
                double t = state.step() + 1;
                kernels.adamax(params, grads, state.slot(0), state.slot(1), from, to, (float) a.beta1(),
                        (float) (1 - a.beta1()), (float) a.beta2(), (float) a.eps(),
                        (float) -(a.lr() / (1 - Math.pow(a.beta1(), t))), (float) a.weightDecay(), gradScale, gradClip,
                        clip | (a.maximize() ? MAXIMIZE : 0) | (a.weightDecay() != 0 ? WEIGHT_DECAY : 0));
            }
            case NAdam a -> {
                double t = state.step() + 1;
                double mu = a.mu(t);
                double muNext = a.mu(t + 1);
                float muProduct = state.scalar(0) * (float) mu;
                float muProductNext = muProduct * (float) muNext;
                kernels.nadam(params, grads, state.slot(0), state.slot(1), from, to, (float) a.beta1(),
                        (float) (1 - a.beta1()), (float) a.beta2(), (float) (1 - a.beta2()),
                        (float) (1 - Math.pow(a.beta2(), t)), (float) a.eps(),
                        (float) (-a.lr() * (1 - mu) / (1 - (double) muProduct)),
                        (float) (-a.lr() * muNext / (1 - (double) muProductNext)), (float) a.weightDecay(),
                        gradScale, gradClip, clip | (a.weightDecay() != 0 ? WEIGHT_DECAY : 0));
            }
            case RAdam a -> {
                double t = state.step() + 1;
                double rect = a.rectification(t);
                boolean rectified = !Double.isNaN(rect);
                kernels.radam(params, grads, state.slot(0), state.slot(1), from, to, (float) a.beta1(),
                        (float) (1 - a.beta1()), (float) a.beta2(), (float) (1 - a.beta2()),
                        (float) (1 - Math.pow(a.beta1(), t)), (float) a.lr(), (float) a.eps(),
                        (float) Math.sqrt(1 - Math.pow(a.beta2(), t)), rectified ? (float) rect : 0f,
                        (float) a.weightDecay(), gradScale, gradClip,
                        clip | (a.weightDecay() != 0 ? WEIGHT_DECAY : 0) | (rectified ? RECTIFIED : 0));
            }
            case Lion l -> kernels.lion(params, grads, state.slot(0), from, to, (float) l.beta1(),
                    (float) (1 - l.beta1()), (float) l.beta2(), (float) (1 - l.beta2()), (float) -l.lr(),
                    (float) (1 - l.lr() * l.weightDecay()), gradScale, gradClip, clip | (l.maximize() ? MAXIMIZE : 0));
            case Lars l -> {
                if (pass == 0) {
                    for (long c = from; c < to; c += SquareSums.CHUNK) {
                        long end = Math.min(c + SquareSums.CHUNK, to);
                        setChunkSums(state, c, kernels.sumOfSquares(params, c, end, 1f),
                                kernels.sumOfSquares(grads, c, end, gradScale));
                    }
                } else {
                    double rate = l.lr() * l.trustRatio(norm(state, 0), norm(state, 1));
                    // With momentum, p - v is fma(v, -1, p): the SGD kernel's heavy-ball form.
                    kernels.sgd(params, grads, state.slot(0), from, to, -1f, (float) l.weightDecay(),
                            (float) l.momentum(), (float) rate, gradScale, gradClip,
                            clip | MOMENTUM | (l.weightDecay() != 0 ? WEIGHT_DECAY : 0));
                }
            }
            case Lamb l -> {
                if (pass == 0) {
                    lambMoments(kernels, l, state, params, grads, from, to, gradScale, gradClip, clip);
                } else {
                    float negRate = (float) (-l.lr() * Lamb.trustRatio(norm(state, 0), norm(state, 1)));
                    kernels.sgd(params, state.slot(2), MemorySegment.NULL, from, to, negRate, 0f, 0f, 1f, 1f,
                            Engine.NO_CLIP, 0);
                }
            }
            case Rprop r -> kernels.rprop(params, grads, state.slot(0), state.slot(1), from, to, (float) r.etaMinus(),
                    (float) r.etaPlus(), (float) r.stepMin(), (float) r.stepMax(), gradScale, gradClip,
                    clip | (r.maximize() ? MAXIMIZE : 0));
        }
    }

    private static void lambMoments(Kernels kernels, Lamb l, OptimizerState state, MemorySegment params,
                                    MemorySegment grads, long from, long to, float gradScale, float gradClip,
                                    int clip) {
        double t = state.step() + 1;
        float invBc1 = (float) (1 / (1 - Math.pow(l.beta1(), t)));
        float invBc2Sqrt = (float) (1 / Math.sqrt(1 - Math.pow(l.beta2(), t)));
        MemorySegment update = state.slot(2);
        // Chunk by chunk, so each chunk's update is summed while it is still in cache.
        for (long c = from; c < to; c += SquareSums.CHUNK) {
            long end = Math.min(c + SquareSums.CHUNK, to);
            kernels.lamb(params, grads, state.slot(0), state.slot(1), update, c, end, (float) l.beta1(),
                    (float) (1 - l.beta1()), (float) l.beta2(), (float) (1 - l.beta2()), invBc1, invBc2Sqrt,
                    (float) l.eps(), (float) l.weightDecay(), gradScale, gradClip,
                    clip | (l.weightDecay() != 0 ? WEIGHT_DECAY : 0));
            setChunkSums(state, c, kernels.sumOfSquares(params, c, end, 1f),
                    kernels.sumOfSquares(update, c, end, 1f));
        }
    }

    private static void setChunkSums(OptimizerState state, long chunkStart, double first, double second) {
        long chunk = chunkStart / SquareSums.CHUNK;
        state.chunkSums().setAtIndex(ValueLayout.JAVA_DOUBLE, chunk, first);
        state.chunkSums().setAtIndex(ValueLayout.JAVA_DOUBLE, chunks(state.length()) + chunk, second);
    }

    /** The L2 norm whose chunk sums pass 0 stored in column {@code which}, added in chunk order. */
    private static double norm(OptimizerState state, int which) {
        long n = chunks(state.length());
        double sum = 0;
        for (long c = 0; c < n; c++) {
            sum += state.chunkSums().getAtIndex(ValueLayout.JAVA_DOUBLE, which * n + c);
        }
        return Math.sqrt(sum);
    }

    private static void adam(Kernels kernels, OptimizerState state, MemorySegment params, MemorySegment grads,
                             long from, long to, double lr, double beta1, double beta2, double eps, boolean amsgrad,
                             int flags, float weightDecay, float decayFactor, float gradScale, float gradClip) {
        double t = state.step() + 1;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        kernels.adam(params, grads, state.slot(0), state.slot(1), amsgrad ? state.slot(2) : MemorySegment.NULL,
                from, to, (float) beta1, (float) (1 - beta1), (float) beta2, (float) (1 - beta2),
                (float) Math.sqrt(bc2), (float) eps, (float) (-(lr / bc1)), weightDecay, decayFactor, gradScale,
                gradClip, flags | (amsgrad ? AMSGRAD : 0));
    }
}
