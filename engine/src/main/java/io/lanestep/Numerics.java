package io.lanestep;

import java.util.Set;

/**
 * Which PyTorch's float32 arithmetic an optimizer reproduces bit for bit: PyTorch changed the
 * operation order of its optimizers between 1.13 and 2.x, and 2.x computes some of them
 * differently on its single-tensor, {@code foreach} and {@code fused} paths. Lanestep's records
 * default to {@link #TORCH_1_13}, so trajectories of existing runs do not change; a port of a
 * PyTorch 2.x run picks the profile of its path (what {@code TorchOptimizers} does from
 * {@code foreach}, {@code fused} and the torch version). Each profile is its own fused kernel at
 * every width; the differences are listed on each optimizer.
 */
public enum Numerics {
    /** torch 1.13.1's {@code _single_tensor_*} paths (what Lanestep computed before profiles existed). */
    TORCH_1_13,
    /** torch 2.x {@code foreach=False}: {@code exp_avg} moves with {@code lerp}, among others. */
    TORCH_2_SINGLE,
    /** torch 2.x {@code foreach=True}: as single, except NAdam, RAdam and ASGD, which use other formulas. */
    TORCH_2_FOREACH,
    /** torch 2.x {@code fused=True} CPU kernels: SGD, Adam, AdamW and Adagrad only. */
    TORCH_2_FUSED;

    private static final Set<String> FUSED = Set.of("Sgd", "Adam", "AdamW", "Adagrad");

    /** Whether this is one of the torch 2.x profiles. */
    public boolean torch2() {
        return this != TORCH_1_13;
    }

    /** Refuses a null profile, and the fused one for an optimizer torch has no fused kernel for. */
    static void check(Numerics numerics, String optimizer) {
        if (numerics == null) {
            throw new IllegalArgumentException("numerics must not be null; pass Numerics.TORCH_1_13 for the default");
        }
        if (numerics == TORCH_2_FUSED && !FUSED.contains(optimizer)) {
            throw new IllegalArgumentException(optimizer + " has no fused kernel in torch; the fused ones are SGD,"
                    + " Adam, AdamW and Adagrad: pick TORCH_2_SINGLE or TORCH_2_FOREACH");
        }
    }
}
