package io.lanestep;

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
    FP16(2);

    private final int bytes;

    Format(int bytes) {
        this.bytes = bytes;
    }

    /** Element {@code index} of {@code segment}, stored in this format, as a float (exactly). */
    public float get(java.lang.foreign.MemorySegment segment, long index) {
        return io.lanestep.kernel.Halves.get(segment, index, this);
    }

    /** Stores {@code value} as element {@code index} of {@code segment} in this format, rounded to nearest even. */
    public void set(java.lang.foreign.MemorySegment segment, long index, float value) {
        io.lanestep.kernel.Halves.set(segment, index, this, value);
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
            if (f.torchName().equals(bare)) {
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
        };
    }
}
