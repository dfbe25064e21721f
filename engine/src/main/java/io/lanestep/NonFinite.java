package io.lanestep;

/**
 * What a step does when its gradients hold a NaN or an infinity, as training stacks choose per
 * step. Checking costs one extra read of the gradients (a SIMD reduction); it cannot be fused into
 * the update, because skipping or refusing must be decided before anything is written.
 */
public enum NonFinite {
    /** Use the values as they are, as PyTorch does: NaN and infinity flow into params and state. */
    PROPAGATE,
    /**
     * Leave every parameter, every state value and the step counter of the whole step untouched,
     * and report the step as not applied.
     */
    SKIP,
    /** Refuse the step with a {@link NonFiniteGradientException}, leaving everything untouched. */
    THROW
}
