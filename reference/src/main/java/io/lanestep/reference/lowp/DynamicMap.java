package io.lanestep.reference.lowp;

import java.util.Arrays;

/**
 * bitsandbytes' 8-bit "dynamic" code map ({@code create_dynamic_map(signed, 7, 8)}, Dettmers et
 * al., "8-bit optimizers via block-wise quantization", 2022), built by its published construction
 * in float32 as torch computes it: for exponent {@code i = 0..6}, the midpoints of
 * {@code linspace(0.1, 1, n_i)} scaled by {@code 10^(i-6)}, with {@code n_i = 2^i + 1} signed (both
 * signs) or {@code 2^(i+1) + 1} unsigned, then 0 and 1, sorted: 256 codes in [-1, 1] (signed, for
 * the first moment; no -1) or [0, 1] (unsigned, for the second).
 */
public final class DynamicMap {
    private static final float[] SIGNED = build(true);
    private static final float[] UNSIGNED = build(false);

    private DynamicMap() {
    }

    /** The 256 codes, ascending; a fresh copy. */
    public static float[] codes(boolean signed) {
        return (signed ? SIGNED : UNSIGNED).clone();
    }

    static float[] shared(boolean signed) {
        return signed ? SIGNED : UNSIGNED;
    }

    private static float[] build(boolean signed) {
        float[] data = new float[256];
        int n = 0;
        for (int i = 0; i < 7; i++) {
            int items = signed ? (1 << i) + 1 : (1 << (i + 1)) + 1;
            float[] bounds = linspace(0.1f, 1f, items);
            // torch multiplies a float32 tensor by a Python number in float32: 10^(i-6) rounded once.
            float scale = i == 6 ? 1f : (float) Math.pow(10, i - 6);
            for (int j = 0; j + 1 < items; j++) {
                float mean = (bounds[j] + bounds[j + 1]) / 2f;
                data[n++] = scale * mean;
                if (signed) {
                    data[n++] = -scale * mean;
                }
            }
        }
        data[n++] = 0f;
        data[n++] = 1f;
        if (n != 256) {
            throw new AssertionError(n + " codes");
        }
        Arrays.sort(data);
        return data;
    }

    /**
     * {@code torch.linspace(start, end, steps)} in float32 on the CPU: the step in float32, the first
     * half counted up from {@code start}, the second half down from {@code end}, each point one fused
     * multiply-add (torch's vectorized kernel; with two roundings 12 of linspace(0.1, 1, 65) differ).
     */
    static float[] linspace(float start, float end, int steps) {
        float[] out = new float[steps];
        float step = (end - start) / (steps - 1);
        int half = steps / 2;
        for (int i = 0; i < steps; i++) {
            out[i] = i < half ? Math.fma(step, i, start) : Math.fma(-step, steps - i - 1, end);
        }
        return out;
    }
}
