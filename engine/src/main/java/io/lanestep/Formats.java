package io.lanestep;

import io.lanestep.kernel.Catalogue;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * The storage formats of a block's operands, fixed when its state is made
 * ({@link Optimizer#newState(long, java.lang.foreign.Arena, Formats)}): the parameters, the
 * gradients and every state slot. Each may be float32 or the block's one 16-bit format (bf16 or
 * fp16; a block mixing the two is refused); the state may also be 8-bit ({@link Format#Q8}). bf16 parameters and gradients with float32 moments move 22 bytes per Adam
 * element instead of 28, everything bf16 14 (PyTorch's fused CPU Adam on bf16 tensors, bit for
 * bit), bf16 parameters and gradients with 8-bit moments about 10.
 *
 * <p>Blocks with a 16-bit operand are stepped from native memory only: pass segments of an
 * {@link java.lang.foreign.Arena} (heap segments are refused with that fix). Float32 params and
 * grads with 8-bit moments may also be segments over {@code float[]}s.
 *
 * @param params the parameters' format
 * @param grads  the gradients' format
 * @param state  every state slot's format
 */
public record Formats(Format params, Format grads, Format state, boolean masterWeights, Rounding rounding)
        implements Serializable {
    /** Everything float32: what {@link Optimizer#newState(long, java.lang.foreign.Arena)} makes. */
    public static final Formats FP32 = new Formats(Format.FP32, Format.FP32, Format.FP32);

    /**
     * Rejects nulls, and master weights for float32 parameters.
     *
     * @param masterWeights whether the state keeps float32 master weights and the parameters are
     *                      their 16-bit copy, written in the same pass (DeepSpeed's "step and
     *                      copy"): the first step takes the master from the parameters, later steps
     *                      read only the master ({@link OptimizerState#master()})
     * @param rounding      how parameters are written: {@link Rounding#stochastic} needs bf16
     *                      parameters and no master weights (a master keeps small updates itself)
     */
    public Formats {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(grads, "grads");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(rounding, "rounding; pass Rounding.NEAREST or Rounding.stochastic(seed)");
        if (params == Format.Q8 || grads == Format.Q8) {
            throw new IllegalArgumentException("Q8 stores optimizer state only, got params " + params + ", grads "
                    + grads + "; store params and grads as FP32, BF16 or FP16");
        }
        if (masterWeights && params == Format.FP32) {
            throw new IllegalArgumentException("master weights need 16-bit params (their copy), got FP32; pass"
                    + " Formats.masterWeights(Format.BF16, grads) or drop the master");
        }
        if (rounding.stochastic() && (params != Format.BF16 || masterWeights)) {
            throw new IllegalArgumentException("stochastic rounding is for bf16 params without master weights, got "
                    + "params " + params + (masterWeights ? " with master weights" : "") + "; use Rounding.NEAREST"
                    + " there, or Formats.stochasticRounding(grads, state, seed)");
        }
    }

    /** Formats without master weights, rounding to nearest even. */
    public Formats(Format params, Format grads, Format state) {
        this(params, grads, state, false, Rounding.NEAREST);
    }

    /** Formats rounding to nearest even. */
    public Formats(Format params, Format grads, Format state, boolean masterWeights) {
        this(params, grads, state, masterWeights, Rounding.NEAREST);
    }

    /**
     * bf16 parameters without master weights, written with deterministic stochastic rounding
     * keyed by {@code seed} (see {@link Rounding}): torchao's bf16 AdamW.
     */
    public static Formats stochasticRounding(Format grads, Format state, long seed) {
        return new Formats(Format.BF16, grads, state, false, Rounding.stochastic(seed));
    }

    /**
     * float32 master weights in the state, with {@code copy} the parameters' format (the copy the
     * model reads), gradients in {@code grads} and float32 moments.
     */
    public static Formats masterWeights(Format copy, Format grads) {
        return new Formats(copy, grads, Format.FP32, true);
    }

    /** One format for everything: PyTorch's layout, where the state is made like the parameters. */
    public static Formats all(Format format) {
        return new Formats(format, format, format);
    }

    /** 16-bit parameters and gradients with float32 state. */
    public static Formats halfParams(Format params) {
        return new Formats(params, params, Format.FP32);
    }

    /**
     * Whether {@code optimizer}'s blocks can hold 16-bit parameters and gradients (with master
     * weights or stochastic rounding too); see {@link #supportsLowPrecisionState} for its state.
     */
    public static boolean supports(Optimizer optimizer) {
        return Catalogue.SIXTEEN_BIT.contains(optimizer.getClass().getSimpleName());
    }

    /**
     * Whether {@code optimizer}'s state slots can be bf16, fp16 or 8-bit ({@link Format#Q8}) as
     * well: every optimizer {@link #supports} names but LAMB, whose second pass reads the update
     * direction its first computed, and Adafactor, whose factored statistics (a row and a column
     * per matrix) torch keeps in float32; both keep float32 state.
     */
    public static boolean supportsLowPrecisionState(Optimizer optimizer) {
        return supports(optimizer) && !Catalogue.FLOAT32_STATE.contains(optimizer.getClass().getSimpleName());
    }

    /** These formats as checkpoint version 3 records them, with {@link Rounding#seed()} beside. */
    int code() {
        return params.ordinal() | grads.ordinal() << 2 | state.ordinal() << 4 | (masterWeights ? 1 << 6 : 0)
                | (rounding.stochastic() ? 1 << 7 : 0);
    }

    /** The formats of checkpoint code {@code code} and seed {@code seed}; see {@link #code()}. */
    static Formats decode(int code, long seed) {
        Format[] all = Format.values();
        if ((code & ~0xff) != 0 || (code & 3) >= all.length || (code >> 2 & 3) >= all.length
                || (code >> 4 & 3) >= all.length) {
            throw new IllegalArgumentException("formats code " + code);
        }
        return new Formats(all[code & 3], all[code >> 2 & 3], all[code >> 4 & 3], (code & 1 << 6) != 0,
                (code & 1 << 7) != 0 ? Rounding.stochastic(seed) : Rounding.NEAREST);
    }

    /**
     * The formats a block of {@code length} elements with {@code slots} state slots gets: Q8 state
     * stays FP32 under 4096 elements, and where there is no state (SGD without momentum).
     */
    Formats forLength(long length, int slots) {
        return state == Format.Q8 && (length < 4096 || slots == 0) ? new Formats(params, grads, Format.FP32, masterWeights, rounding)
                : this;
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

    /**
     * Bytes a step of one element reads and writes with {@code slots} state slots: the roofline's
     * traffic (Q8 counts its absmax: 4 bytes per 256 elements, read and written).
     */
    public double bytesPerElement(int slots) {
        // With master weights the copy is only written; the master is read and written.
        long params = masterWeights ? this.params.bytes() + 2L * Format.FP32.bytes() : 2L * this.params.bytes();
        double state = this.state == Format.Q8 ? 1 + 4.0 / 256 : this.state.bytes();
        return params + grads.bytes() + 2 * slots * state;
    }

    @Override
    public String toString() {
        return "params " + params + (masterWeights ? " (copy of float32 master weights)" : "")
                + (rounding.stochastic() ? " (" + rounding + ")" : "") + ", grads " + grads + ", state " + state;
    }
}
