package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;

/**
 * The fused update loops, one implementation per lane width. Each method updates elements
 * {@code [from, to)} of its segments in place, reading and writing each element once. Callers have
 * validated every argument; per-step scalars arrive already rounded to float.
 *
 * <p>Every implementation performs the same IEEE operations in the same order per element, so
 * all widths give the same bits; {@link ScalarKernels} states the order. (The vector kernels divide
 * by a per-step constant another way, {@link Reciprocal}, with the division's bits.) Every update first
 * multiplies the gradient by {@code gradScale}, then, with {@link #CLIP_VALUE}, clamps it to
 * {@code [-gradClip, gradClip]} (clipping by norm and by value). The multiply is unconditional
 * (1 leaves every bit as it is) because a branch on the scale made C2's code for centered RMSprop
 * 2-6x slower; the clamp is behind its flag because an unconditional one made SGD 2-3.5x slower.
 */
public interface Kernels {
    /** Negate the gradient first. */
    int MAXIMIZE = 1;
    /** Add {@code weightDecay·p} to the gradient. */
    int WEIGHT_DECAY = 1 << 1;
    /** Keep a momentum buffer. */
    int MOMENTUM = 1 << 2;
    /** The buffer is a copy of the gradient on this step (PyTorch SGD's first step). */
    int FIRST_STEP = 1 << 3;
    /** Nesterov look-ahead. */
    int NESTEROV = 1 << 4;
    /** RMSprop: divide by the gradient's standard deviation, not its RMS. */
    int CENTERED = 1 << 5;
    /** Adam: divide by the running maximum of the second moment. */
    int AMSGRAD = 1 << 6;
    /** AdamW: multiply the parameter by the decay factor before the update. */
    int DECOUPLED_DECAY = 1 << 7;
    /** Signal-to-noise SGD: warm-up step, statistics only. */
    int WARMUP = 1 << 8;
    /** RAdam: the variance of the adaptive rate is tractable, use it. */
    int RECTIFIED = 1 << 9;
    /** Clamp the (scaled) gradient to {@code [-gradClip, gradClip]}. */
    int CLIP_VALUE = 1 << 10;

    /**
     * SGD family: PyTorch SGD, heavy-ball and averaged momentum.
     *
     * @param buffer    momentum buffer, ignored without {@link #MOMENTUM}
     * @param negLr     {@code f(-lr)}, the factor applied to the direction
     * @param keep      {@code f(1 - dampening)} (or η, 1-μ for the seed's forms)
     */
    void sgd(MemorySegment params, MemorySegment grads, MemorySegment buffer, long from, long to,
             float negLr, float weightDecay, float momentum, float keep, float gradScale, float gradClip, int flags);

    /**
     * RMSprop; {@code buffer} and {@code gradAvg} are ignored without {@link #MOMENTUM} and
     * {@link #CENTERED}.
     */
    void rmsprop(MemorySegment params, MemorySegment grads, MemorySegment squareAvg, MemorySegment buffer,
                 MemorySegment gradAvg, long from, long to, float alpha, float oneMinusAlpha, float eps, float negLr,
                 float weightDecay, float momentum, float gradScale, float gradClip, int flags);

    /**
     * Adam and AdamW; {@code maxSq} is ignored without {@link #AMSGRAD}.
     *
     * @param negStepSize {@code f(-lr / (1 - beta1^t))}
     * @param bc2Sqrt     {@code f(sqrt(1 - beta2^t))}
     * @param decayFactor {@code f(1 - lr·weightDecay)}, used with {@link #DECOUPLED_DECAY}
     */
    void adam(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
              MemorySegment maxSq, long from, long to, float beta1, float oneMinusBeta1, float beta2,
              float oneMinusBeta2, float bc2Sqrt, float eps, float negStepSize, float weightDecay, float decayFactor,
              float gradScale, float gradClip, int flags);

    /**
     * The seed's signal-to-noise SGD.
     *
     * @param warmupWeight the averaging weight during {@link #WARMUP}
     * @param maxWeight    the largest averaging weight after warm-up
     * @param maxRate      {@code f(λ_η λ_B / B)}
     */
    void signalToNoise(MemorySegment params, MemorySegment grads, MemorySegment mean, MemorySegment sqMean,
                       long from, long to, float batchSize, float lambdaB, float lambdaEta, float eps, float maxRate,
                       float warmupWeight, float maxWeight, float gradScale, float gradClip, int flags);

    /** Adagrad; {@code negClr} is {@code f(-lr / (1 + (t - 1)·lrDecay))}. */
    void adagrad(MemorySegment params, MemorySegment grads, MemorySegment sum, long from, long to, float negClr,
                 float eps, float weightDecay, float gradScale, float gradClip, int flags);

    /** Adamax; {@code negStepSize} is {@code f(-(lr / (1 - beta1^t)))}. */
    void adamax(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expInf, long from,
                long to, float beta1, float oneMinusBeta1, float beta2, float eps, float negStepSize,
                float weightDecay, float gradScale, float gradClip, int flags);

    /** NAdam; {@code gradCoef} and {@code avgCoef} are the two per-step update factors. */
    void nadam(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq, long from,
               long to, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc2, float eps,
               float gradCoef, float avgCoef, float weightDecay, float gradScale, float gradClip, int flags);

    /** RAdam; {@code rect} is used with {@link #RECTIFIED}. */
    void radam(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq, long from,
               long to, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc1, float lr,
               float eps, float bc2Sqrt, float rect, float weightDecay, float gradScale, float gradClip, int flags);

    /** Rprop. */
    void rprop(MemorySegment params, MemorySegment grads, MemorySegment prev, MemorySegment stepSize, long from,
               long to, float etaMinus, float etaPlus, float stepMin, float stepMax, float gradScale, float gradClip,
               int flags);

    /** Whether every element of {@code [from, to)} is finite (no NaN, no infinity). Reads only. */
    boolean allFinite(MemorySegment values, long from, long to);

    /** Lion; {@code decayFactor} is {@code f(1 - lr·weightDecay)}. */
    void lion(MemorySegment params, MemorySegment grads, MemorySegment expAvg, long from, long to, float beta1,
              float oneMinusBeta1, float beta2, float oneMinusBeta2, float negLr, float decayFactor, float gradScale,
              float gradClip, int flags);

    /**
     * LAMB's first pass: the moments and the update direction {@code u} (Adam's step plus weight
     * decay), written to {@code update} for the trust ratio and the second pass.
     *
     * @param invBc1     {@code f(1 / (1 - beta1^t))}
     * @param invBc2Sqrt {@code f(1 / sqrt(1 - beta2^t))}
     */
    void lamb(MemorySegment params, MemorySegment grads, MemorySegment expAvg, MemorySegment expAvgSq,
              MemorySegment update, long from, long to, float beta1, float oneMinusBeta1, float beta2,
              float oneMinusBeta2, float invBc1, float invBc2Sqrt, float eps, float weightDecay, float gradScale,
              float gradClip, int flags);

    /**
     * The sum of squares of {@code [from, to)}, each value first multiplied by {@code scale} in float, in
     * {@link SquareSums}' fixed order: the same bits at every width.
     */
    double sumOfSquares(MemorySegment values, long from, long to, float scale);
}
