package io.lanestep.reference.lowp;

import io.lanestep.Adagrad;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.Numerics;
import io.lanestep.Optimizer;
import io.lanestep.reference.AdagradReference;
import io.lanestep.reference.Reference;
import io.lanestep.reference.ReferenceState;
import java.util.Arrays;
import java.util.List;

/**
 * The definition of a step on 16-bit operands: every stored value is exactly representable in its
 * format, is widened exactly, the float32 step of {@link Reference} runs on the widened values, and
 * each value it writes (parameters, every state slot) is rounded once to its format. Within a
 * step nothing is rounded in between: the parameter update reads the moments as computed, not as
 * stored. This is what PyTorch's fused CPU kernels do with bf16 and fp16 tensors, with one
 * exception kept for {@code TORCH_2_FUSED} Adagrad (see {@link #step}).
 */
public final class FormatReference {
    private FormatReference() {
    }

    /** An 8-bit slot as {@link BlockQuantizer} stores it. */
    public record Quantized(byte[] codes, float[] absmax) {
    }

    /** The value {@code x} becomes when stored in {@code format} (not Q8, which is per block). */
    public static float round(float x, Format format) {
        return switch (format) {
            case FP32 -> x;
            case BF16 -> Bf16.toFloat(Bf16.fromFloat(x));
            case FP16 -> Fp16.toFloat(Fp16.fromFloat(x));
            case Q8 -> throw new IllegalArgumentException("Q8 rounds per block: see step");
        };
    }

    /** Rounds every element of {@code values} to {@code format}, in place (Q8: nothing; see step). */
    public static void round(float[] values, Format format) {
        if (format == Format.Q8) {
            return;
        }
        for (int i = 0; i < values.length; i++) {
            values[i] = round(values[i], format);
        }
    }

    /**
     * torch's fused Adagrad on a 16-bit parameter: the lanes of its vector loop, the first
     * {@code n - n mod 16} elements, use {@code clr}, {@code eps} and {@code weight_decay} rounded
     * to the parameter's dtype ({@code fVec(scalar_t(clr))}), its scalar tail float32 ones. Those
     * lanes are stepped with an exactly equivalent configuration: {@code lrDecay} 0 and {@code lr}
     * the rounded {@code clr}.
     */
    private static void adagradTorchFused(Adagrad a, Format format, float[] params, float[] grads,
                                          ReferenceState state) {
        int lanes = params.length - params.length % 16;
        long t = state.step() + 1;
        Adagrad rounded = new Adagrad(round((float) (a.lr() / (1 + (t - 1) * a.lrDecay())), format), 0,
                round((float) a.weightDecay(), format), a.initialAccumulatorValue(), round((float) a.eps(), format),
                a.maximize(), a.numerics());
        float[] sum = state.slot(Adagrad.SUM);
        float[] p = Arrays.copyOf(params, lanes);
        float[] s = Arrays.copyOf(sum, lanes);
        AdagradReference.step(rounded, p, Arrays.copyOf(grads, lanes), s, t);
        Reference.step(a, params, grads, state);
        System.arraycopy(p, 0, params, 0, lanes);
        System.arraycopy(s, 0, sum, 0, lanes);
    }

    /**
     * The float32 step's new {@code params} as a block stored as {@code formats} keeps them, in
     * place: rounded to the params' format, stochastically (keyed by the steps taken before this
     * one), or, under master weights, left as the float32 master.
     */
    public static void roundParams(float[] params, Formats formats, long stepsBefore) {
        if (formats.rounding().stochastic()) {
            long seed = formats.rounding().seed();
            for (int i = 0; i < params.length; i++) {
                params[i] = Bf16.toFloat(Bf16.stochastic(params[i], Philox.random16(seed, stepsBefore, i)));
            }
        } else if (!formats.masterWeights()) {
            round(params, formats.params());
        }
    }

    /** A fresh reference state for a block stored as {@code formats}. */
    public static ReferenceState newState(Optimizer optimizer, int length, Formats formats) {
        ReferenceState state = new ReferenceState(optimizer, length);
        state.fusedVector(formats.params() == Format.FP32 ? 8 : 16);
        for (String key : optimizer.stateKeys()) {
            round(state.slot(key), formats.state());
        }
        return state;
    }

    /**
     * One step: {@code params}, {@code grads} and the state hold values of their formats; params
     * and state are updated in place and left rounded to their formats. Under master weights
     * {@code params} holds the float32 master and is left unrounded: the block's 16-bit params
     * are then {@link #round(float, Format)} of each. Under stochastic rounding each parameter is
     * {@link Bf16#stochastic} of its value with {@link Philox#random16} of (seed, steps taken
     * before this one, index). Under Q8 state each slot is quantized by {@link BlockQuantizer}
     * (with the map {@link BlockQuantizer#signed} gives it) and left dequantized, what the next
     * step reads; the quantized slots are returned by key (empty for other formats).
     */
    public static java.util.Map<String, Quantized> step(Optimizer optimizer, Formats formats, float[] params,
                                                       float[] grads, ReferenceState state) {
        long stepsBefore = state.step();
        if (optimizer instanceof Adagrad a && a.numerics() == Numerics.TORCH_2_FUSED && formats.params() != Format.FP32) {
            adagradTorchFused(a, formats.params(), params, grads, state);
        } else {
            Reference.step(optimizer, params, grads, state);
        }
        roundParams(params, formats, stepsBefore);
        java.util.Map<String, Quantized> quantized = new java.util.LinkedHashMap<>();
        List<String> keys = optimizer.stateKeys();
        for (int k = 0; k < keys.size(); k++) {
            float[] slot = state.slot(keys.get(k));
            if (formats.state() != Format.Q8) {
                round(slot, formats.state());
                continue;
            }
            if (!BlockQuantizer.quantized(slot.length)) {
                continue;
            }
            boolean signed = BlockQuantizer.signed(keys.get(k));
            Quantized q = new Quantized(new byte[slot.length], new float[(slot.length + BlockQuantizer.BLOCK - 1)
                    / BlockQuantizer.BLOCK]);
            BlockQuantizer.quantize(slot, signed, q.codes(), q.absmax());
            for (int i = 0; i < slot.length; i++) {
                slot[i] = BlockQuantizer.dequantize(q.codes(), q.absmax(), signed, i);
            }
            quantized.put(keys.get(k), q);
        }
        return quantized;
    }
}
