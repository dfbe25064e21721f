package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;

/**
 * The fused update loops, one implementation per lane width. Each method updates elements
 * {@code [from, to)} of its segments in place, reading and writing each element once. Callers have
 * validated every argument; per-step scalars arrive already rounded to float.
 *
 * <p>Every implementation performs the same IEEE operations in the same order per element, so
 * all widths give the same bits; {@link ScalarKernels} states the order.
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

    /**
     * SGD family: PyTorch SGD, heavy-ball and averaged momentum.
     *
     * @param buffer    momentum buffer, ignored without {@link #MOMENTUM}
     * @param negLr     {@code f(-lr)}, the factor applied to the direction
     * @param gradScale {@code f(1 - dampening)} (or η, 1-μ for the seed's forms)
     */
    void sgd(MemorySegment params, MemorySegment grads, MemorySegment buffer, long from, long to,
             float negLr, float weightDecay, float momentum, float gradScale, int flags);
}
