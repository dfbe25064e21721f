package io.lanestep.reference.lowp;

/**
 * IEEE binary16 as a {@code short}, with {@link Float#floatToFloat16} semantics: round to nearest
 * even, overflow to infinity, subnormals kept, NaN stays NaN; from fp16 is exact. This is PyTorch's
 * {@code c10::Half} conversion for every non-NaN input (NaN payloads are not compared).
 */
public final class Fp16 {
    private Fp16() {
    }

    public static short fromFloat(float x) {
        return Float.floatToFloat16(x);
    }

    public static float toFloat(short h) {
        return Float.float16ToFloat(h);
    }
}
