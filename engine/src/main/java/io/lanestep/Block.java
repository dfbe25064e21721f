package io.lanestep;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * One parameter block of a model for a multi-block step: its parameters, its gradients and its
 * optimizer state. A block may be a slice of a larger segment.
 *
 * @param state  the block's optimizer state
 * @param params the block's parameters, updated in place
 * @param grads  the block's gradients, only read
 * @param ema    the block's moving average of its parameters, in their format and of their size,
 *               updated in place when its group has a {@link WeightEma}; null for none
 */
public record Block(OptimizerState state, MemorySegment params, MemorySegment grads, MemorySegment ema) {
    /** Rejects null state, params and grads. */
    public Block {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(grads, "grads");
    }

    /** A block without a moving average. */
    public Block(OptimizerState state, MemorySegment params, MemorySegment grads) {
        this(state, params, grads, null);
    }

    /**
     * This block with {@code ema} as its moving average (start it as a copy of the parameters, as
     * torch's {@code AveragedModel} and timm's {@code ModelEmaV3} do; the first step copies anyway).
     */
    public Block withEma(MemorySegment ema) {
        return new Block(state, params, grads, Objects.requireNonNull(ema, "ema"));
    }
}
