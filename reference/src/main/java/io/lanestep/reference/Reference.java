package io.lanestep.reference;

import io.lanestep.Optimizer;

/**
 * One reference step of any optimizer: the oracle the engine's kernels are held to. Each
 * optimizer's class holds every profile it has (torch 1.13.1, torch 2.x single-tensor, foreach
 * and fused) and picks by its numerics; the template's {@code # optimizer} line names the class
 * ({@code reference=TYPE}, else {@code NAMEReference}), whose
 * {@code step(NAME, float[], float[], ReferenceState)} leaves the step count to this class.
 */
public final class Reference {
    private Reference() {
    }

    /** Updates {@code params} and {@code state} in place from {@code grads}. */
    public static void step(Optimizer optimizer, float[] params, float[] grads, ReferenceState state) {
        if (params.length != grads.length) {
            throw new IllegalArgumentException("params and grads differ in length");
        }
        ReferenceSteps.step(optimizer, params, grads, state);
        state.advance();
    }

    /**
     * One step of {@code optimizer}'s formulas as the math states them (seed-math.md, PyTorch's,
     * timm's and optax's documentation), evaluated in double precision one element at a time (over
     * the block where the step takes its norms or sums), with a running bound on float32 rounding
     * error ({@link Approx}): written from the math, not from the reference's operation order.
     * {@code slots[k][i]} is state slot {@code k} (in key order) of element {@code i} before the step,
     * {@code scalars} the scalar state in key order; element {@code i} of the result is its new
     * parameter, then each slot.
     *
     * @throws UnsupportedOperationException for Adafactor (held to torch's trajectories and the kernel
     *                                       instead) and Muon (not elementwise)
     */
    public static Approx[][] model(Optimizer optimizer, float[] params, float[] grads, float[][] slots,
                                   float[] scalars, long stepsBefore) {
        return ReferenceSteps.model(optimizer, params, grads, slots, scalars, stepsBefore);
    }
}
