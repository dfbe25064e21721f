package io.lanestep.kernel;

import io.lanestep.Format;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Scalar reads and writes of an operand in any {@link Format}, for the tails of the 16-bit
 * loops and for whatever else touches state element by element. The vector loops convert the
 * same way, inline (see {@code KernelGenerator}); formats travel as their ordinals.
 */
public final class Halves {
    static final int FP32 = 0;
    static final int BF16 = 1;
    static final int FP16 = 2;
    static final int Q8 = 3;
    private static final ValueLayout.OfShort H = ValueLayout.JAVA_SHORT_UNALIGNED;

    static {
        if (Format.FP32.ordinal() != FP32 || Format.BF16.ordinal() != BF16 || Format.FP16.ordinal() != FP16
                || Format.Q8.ordinal() != Q8) {
            throw new ExceptionInInitializerError("Format's order changed; the loops read formats by ordinal");
        }
    }

    private Halves() {
    }

    /**
     * A fresh Q8 slot of {@code length} elements, each {@code value}: every block's absmax |value|
     * and its codes those of 0, or of ±1 (exactly value / absmax).
     */
    public static void fillQ8(MemorySegment slot, long length, boolean signed, float value) {
        DynamicCodes map = signed ? DynamicCodes.SIGNED : DynamicCodes.UNSIGNED;
        float absmax = Math.abs(value);
        slot.asSlice(0, length).fill((byte) (value == 0f ? map.zero : map.nearest(value / absmax)));
        for (long b0 = 0; b0 < length; b0 += Q8Scratch.BLOCK) {
            slot.set(Lanes.F, Q8Scratch.absmaxOffset(length, b0), absmax);
        }
    }

    /** Element {@code i} of {@code s} as a float, exactly. */
    public static float get(MemorySegment s, long i, Format format) {
        return get(s, i, format.ordinal());
    }

    /** Writes {@code value} as element {@code i} of {@code s}, rounded to nearest even. */
    public static void set(MemorySegment s, long i, Format format, float value) {
        set(s, i, format.ordinal(), value);
    }

    /** {@link #get}, argument order of the 16-bit loops' rewritten reads. */
    static float at(MemorySegment s, int format, long i) {
        return get(s, i, format);
    }

    /** {@link #set}, argument order of the 16-bit loops' rewritten writes. */
    static void put(MemorySegment s, int format, long i, float value) {
        set(s, i, format, value);
    }

    /**
     * A parameter write of a 16-bit loop: the float32 master first, when the block has one, then
     * the params, stochastically rounded when the block says so.
     */
    static void putParam(Kernel k, MemorySegment params, MemorySegment master, int format, long i, float value) {
        if (master.byteSize() != 0) {
            master.setAtIndex(Lanes.F, i, value);
        }
        if (k.stochastic) {
            params.setAtIndex(H, i, stochasticBf16(value, Philox.random16(k.seed, k.step, k.origin + i)));
        } else {
            set(params, i, format, value);
        }
    }

    /** The truncation of {@code x + random16 · 2^-16 ulp} to bf16; NaN gives {@code 0x7fc0}, infinities stay. */
    static short stochasticBf16(float x, int random16) {
        if (x != x) {
            return 0x7fc0;
        }
        int bits = Float.floatToRawIntBits(x);
        // An infinity's low half is zero, so the sum keeps its upper half.
        return (short) ((bits + random16) >>> 16);
    }

    static float get(MemorySegment s, long i, int format) {
        return switch (format) {
            case FP32 -> s.getAtIndex(Lanes.F, i);
            case BF16 -> Float.intBitsToFloat(s.getAtIndex(H, i) << 16);
            case FP16 -> Float.float16ToFloat(s.getAtIndex(H, i));
            default -> throw new IllegalArgumentException("format " + format + " is not stored per element");
        };
    }

    static void set(MemorySegment s, long i, int format, float value) {
        switch (format) {
            case FP32 -> s.setAtIndex(Lanes.F, i, value);
            case BF16 -> s.setAtIndex(H, i, bf16(value));
            case FP16 -> s.setAtIndex(H, i, fp16(value));
            default -> throw new IllegalArgumentException("format " + format + " is not stored per element");
        }
    }

    /** {@code x} rounded to {@code format} and widened back. */
    static float round(float x, int format) {
        return switch (format) {
            case FP32 -> x;
            case BF16 -> Float.intBitsToFloat(bf16(x) << 16);
            default -> Float.float16ToFloat(fp16(x));
        };
    }

    /** bf16 bits of {@code x}, round to nearest even; NaN gives {@code 0x7fc0}. */
    static short bf16(float x) {
        if (x != x) {
            return 0x7fc0;
        }
        int bits = Float.floatToRawIntBits(x);
        return (short) ((bits + 0x7fff + (bits >>> 16 & 1)) >>> 16);
    }

    /** fp16 bits of {@code x} as {@link Float#floatToFloat16}; NaN gives {@code 0x7e00} with its sign. */
    static short fp16(float x) {
        if (x != x) {
            return (short) (Float.floatToRawIntBits(x) >>> 16 & 0x8000 | 0x7e00);
        }
        return Float.floatToFloat16(x);
    }
}
