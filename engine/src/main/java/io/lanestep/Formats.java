package io.lanestep;

import java.util.List;
import java.util.Objects;

/**
 * The storage formats of a block's operands, fixed when its state is made
 * ({@link Optimizer#newState(long, java.lang.foreign.Arena, Formats)}): the parameters, the
 * gradients and every state slot. Each may be float32 or the block's one 16-bit format (bf16 or
 * fp16; a block mixing the two is refused). bf16 parameters and gradients with
 * float32 moments move 22 bytes per Adam element instead of 28, everything bf16 14 (PyTorch's fused
 * CPU Adam on bf16 tensors, bit for bit).
 *
 * <p>Blocks with a 16-bit operand are stepped from native memory only: pass segments of an
 * {@link java.lang.foreign.Arena} (heap segments are refused with that fix).
 *
 * @param params the parameters' format
 * @param grads  the gradients' format
 * @param state  every state slot's format
 */
public record Formats(Format params, Format grads, Format state) {
    /** Everything float32: what {@link Optimizer#newState(long, java.lang.foreign.Arena)} makes. */
    public static final Formats FP32 = new Formats(Format.FP32, Format.FP32, Format.FP32);

    /** The optimizers whose kernels read and write 16-bit operands. */
    static final List<Class<? extends Optimizer>> SIXTEEN_BIT = List.of(Sgd.class, HeavyBallMomentum.class,
            AveragedMomentum.class, Adam.class, AdamW.class, Adagrad.class, Rmsprop.class, Lion.class);

    /** Rejects nulls. */
    public Formats {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(grads, "grads");
        Objects.requireNonNull(state, "state");
    }

    /** One format for everything: PyTorch's layout, where the state is made like the parameters. */
    public static Formats all(Format format) {
        return new Formats(format, format, format);
    }

    /** 16-bit parameters and gradients with float32 state. */
    public static Formats halfParams(Format params) {
        return new Formats(params, params, Format.FP32);
    }

    /** Whether {@code optimizer}'s states can be made with 16-bit formats. */
    public static boolean supports(Optimizer optimizer) {
        return SIXTEEN_BIT.contains(optimizer.getClass());
    }

    /** Whether this block would hold bf16 and fp16 operands both: refused, a block has one 16-bit format. */
    boolean mixesSixteenBitFormats() {
        List<Format> all = List.of(params, grads, state);
        return all.contains(Format.BF16) && all.contains(Format.FP16);
    }

    /** Whether any operand is not float32. */
    public boolean lowPrecision() {
        return params != Format.FP32 || grads != Format.FP32 || state != Format.FP32;
    }

    /** Bytes a step of one element reads and writes with {@code slots} state slots: the roofline's traffic. */
    public long bytesPerElement(int slots) {
        return 2L * params.bytes() + grads.bytes() + 2L * slots * state.bytes();
    }

    @Override
    public String toString() {
        return "params " + params + ", grads " + grads + ", state " + state;
    }
}
