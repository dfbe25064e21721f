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
 */
public record Block(OptimizerState state, MemorySegment params, MemorySegment grads) {
    /** Rejects nulls. */
    public Block {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(grads, "grads");
    }
}
