package io.lanestep;

import io.lanestep.kernel.Catalogue;

/**
 * How one operand of a step stores its numbers. The math of every step is float32 whatever the
 * formats: 16-bit values are widened exactly when read and rounded to nearest even when written.
 */
public enum Format {
    /** IEEE binary32, 4 bytes. */
    FP32(4),
    /**
     * bfloat16, 2 bytes: the upper half of a float32. Writes round to nearest even, as PyTorch's
     * {@code c10::BFloat16}; a NaN is written as {@code 0x7fc0}.
     */
    BF16(2),
    /**
     * IEEE binary16, 2 bytes: writes as {@link Float#floatToFloat16} (round to nearest even,
     * overflow to infinity, subnormals kept); a NaN is written as the quiet NaN {@code 0x7e00}
     * with its sign, as PyTorch's {@code c10::Half}.
     */
    FP16(2),
    /**
     * 8-bit block-quantized state (bitsandbytes' blockwise dynamic quantization), for the state of
     * the optimizers with 16-bit kernels ({@link Formats#supports}): blocks of 256 elements share
     * one float32 absmax, each element is the index of the nearest code of bitsandbytes' dynamic
     * map to {@code value / absmax}, ties to the lower code; a slot whose values are never
     * negative takes the unsigned map, the others the signed one ({@link #q8Signed}). A slot
     * holds the {@code n} code bytes, then from the next multiple of 64 bytes the
     * {@code ceil(n / 256)} absmax floats. A block of fewer than 4096 elements keeps float32 state
     * (bitsandbytes' small-tensor rule; {@link OptimizerState#formats()} then says FP32).
     */
    Q8(1);

    private final int bytes;

    Format(int bytes) {
        this.bytes = bytes;
    }

    /** Element {@code index} of {@code segment}, stored in this format, as a float (exactly). */
    public float get(java.lang.foreign.MemorySegment segment, long index) {
        requireElementwise();
        return io.lanestep.kernel.Halves.get(segment, index, this);
    }

    /** Stores {@code value} as element {@code index} of {@code segment} in this format, rounded to nearest even. */
    public void set(java.lang.foreign.MemorySegment segment, long index, float value) {
        requireElementwise();
        io.lanestep.kernel.Halves.set(segment, index, this, value);
    }

    private void requireElementwise() {
        if (this == Q8) {
            throw new UnsupportedOperationException("Q8 is stored per block of 256 (codes and an absmax), not per"
                    + " element; read its slot's codes and absmax as Format.Q8 describes");
        }
    }

    /**
     * Whether an 8-bit slot of state {@code key} takes bitsandbytes' signed map: every slot but
     * those never negative (second moments such as {@code exp_avg_sq}, sums of squares, Adamax's
     * {@code exp_inf}, Rprop's {@code step_size}; each optimizer's template declares its own), which
     * take the unsigned one, twice as fine. (bitsandbytes itself gives
     * its one-state optimizers the signed map whatever they hold: half its codes unused for
     * RMSprop and Adagrad.)
     */
    public static boolean q8Signed(String key) {
        return !Catalogue.UNSIGNED_SLOTS.contains(key);
    }

    /** Bytes of a slot of {@code length} elements in this format (Q8: codes, padding, absmax). */
    public long slotBytes(long length) {
        if (this != Q8) {
            return Math.multiplyExact(length, bytes);
        }
        return q8AbsmaxOffset(length) + 4 * Math.ceilDiv(length, 256);
    }

    /** Where a Q8 slot of {@code length} elements keeps its absmax floats: the codes rounded up to 64 bytes. */
    public static long q8AbsmaxOffset(long length) {
        return Math.ceilDiv(length, 64) * 64;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /**
     * The format of PyTorch dtype {@code name} ({@code float32}, {@code bfloat16}, {@code float16},
     * with or without the {@code torch.} prefix).
     *
     * @throws IllegalArgumentException for any other dtype
     */
    public static Format ofTorch(String name) {
        String bare = name.startsWith("torch.") ? name.substring(6) : name;
        for (Format f : values()) {
            if (f != Q8 && f.torchName().equals(bare)) {
                return f;
            }
        }
        throw new IllegalArgumentException("dtype '" + name + "' has no Lanestep format; use float32, bfloat16 or"
                + " float16");
    }

    /** The name PyTorch gives this dtype: {@code float32}, {@code bfloat16}, {@code float16}. */
    public String torchName() {
        return switch (this) {
            case FP32 -> "float32";
            case BF16 -> "bfloat16";
            case FP16 -> "float16";
            case Q8 -> "uint8 (blockwise dynamic)";
        };
    }
}
