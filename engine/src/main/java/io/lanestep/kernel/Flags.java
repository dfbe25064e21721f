package io.lanestep.kernel;

/**
 * Per-step flags of the fused updates: each turns one optional operation of an update on. Flags
 * are checked inside the loops; C2 hoists the checks, so an unset flag costs nothing per element.
 */
final class Flags {
    /** Negate the gradient first. */
    static final int MAXIMIZE = 1;
    /** Add {@code weightDecay·p} to the gradient. */
    static final int WEIGHT_DECAY = 1 << 1;
    /** Keep a momentum buffer. */
    static final int MOMENTUM = 1 << 2;
    /** The buffer is a copy of the gradient on this step (PyTorch SGD's first step). */
    static final int FIRST_STEP = 1 << 3;
    /** Nesterov look-ahead. */
    static final int NESTEROV = 1 << 4;
    /** RMSprop: divide by the gradient's standard deviation, not its RMS. */
    static final int CENTERED = 1 << 5;
    /** Adam: divide by the running maximum of the second moment. */
    static final int AMSGRAD = 1 << 6;
    /** AdamW: multiply the parameter by the decay factor before the update. */
    static final int DECOUPLED_DECAY = 1 << 7;
    /** Signal-to-noise SGD: warm-up step, statistics only. */
    static final int WARMUP = 1 << 8;
    /** RAdam: the variance of the adaptive rate is tractable, use it. */
    static final int RECTIFIED = 1 << 9;
    /**
     * Clamp the (scaled) gradient to {@code [-gradClip, gradClip]}. Behind a flag because an
     * unconditional clamp made SGD 2-3.5x slower; the multiply by {@code gradScale} is unconditional
     * (1 leaves every bit as it is) because a branch on it made centered RMSprop 2-6x slower. The
     * 16-bit copies, whose conversions make the chain from the gradient to the stores longer, skip
     * it at 1 (KernelGenerator): 2-8% faster at 256 bits for Adam, SGD, RMSprop, Lion and Adagrad.
     */
    static final int CLIP_VALUE = 1 << 10;

    /** torch 2.x: the first moment (or centered average) moves with {@code lerp}, see {@link Lanes#lerp}. */
    static final int LERP = 1 << 11;
    /** With {@link #LERP}: the weight is below 0.5 in magnitude, so lerp starts from the old value. */
    static final int LERP_LOW_WEIGHT = 1 << 12;
    /** torch 2.x fused CPU kernels: their last {@code n mod 8} elements group some sums the other way. */
    static final int FUSED_TAIL = 1 << 13;
    /** torch 2.x foreach: NAdam, RAdam and ASGD compute the foreach path's formula. */
    static final int FOREACH = 1 << 14;

    /** ASGD: the average restarts as a copy of the parameter (its weight {@code mu} is 1). */
    static final int COPY_AVERAGE = 1 << 15;

    /**
     * Store state values that are subnormal as zeros of their sign (in the templates with a
     * {@code # flush-state} line, where the generator wraps every state store).
     */
    static final int FLUSH_SUBNORMAL = 1 << 16;

    /** timm's caution mask: the update keeps the coordinates agreeing with the gradient, scaled ({@link Caution}). */
    static final int CAUTION = 1 << 17;
    /** Schedule-Free's base step scales the gradient by its RMS (AdamW) rather than taking it as it is (SGD). */
    static final int RMS_SCALED = 1 << 18;
    /** Schedule-Free with b1 = 0.5, whose interpolation XLA factors differently. */
    static final int EVEN_INTERPOLATION = 1 << 19;
    /** A one-element block, whose average XLA simplifies differently. */
    static final int ONE_ELEMENT = 1 << 20;
    /** MARS's Lion-type update, the sign of the momentum. */
    static final int SIGN_UPDATE = 1 << 21;
    /** MARS's corrected gradient is divided by its norm (above 1) this step. */
    static final int NORMALIZED = 1 << 22;
    /** MARS steps a vector as AdamW. */
    static final int VECTOR_RULE = 1 << 23;
    /** Muon's Nesterov lerp takes its low-weight branch (momentum below 0.5). */
    static final int NESTEROV_LOW_WEIGHT = 1 << 24;
    /** optax's moments as XLA contracts them, with per-step decays {@code b} (see {@code Adopt}). */
    static final int XLA_MOMENTS = 1 << 25;
    /**
     * With {@link #XLA_MOMENTS}: the weighted gradient's product is the fused one (optax's Nesterov
     * without clipping, where XLA reads the normalized gradient from memory), not the decayed moment's.
     */
    static final int XLA_FUSE_GRADIENT = 1 << 26;

    /** The lerp flags for weight {@code w}, as torch 2.x's {@code lerp_} picks its branch. */
    static int lerp(float w) {
        return LERP | (Math.abs(w) < 0.5f ? LERP_LOW_WEIGHT : 0);
    }

    /** The lerp flags of a moving average with weight {@code w} under {@code numerics}: none for torch 1.13. */
    static int lerp(io.lanestep.Numerics numerics, float w) {
        return numerics.torch2() ? lerp(w) : 0;
    }

    private Flags() {
    }
}
