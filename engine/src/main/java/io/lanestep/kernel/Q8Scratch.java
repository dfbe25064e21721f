package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A thread's room for one block of 8-bit moments ({@code Format.Q8}, see {@code AdamQ8.kernel}):
 * the block's moments, first as their code values, then as the new moments and their running
 * absmax, kept from the pass that steps the parameters to the pass that quantizes against the
 * absmax, so nothing is computed twice; and the table keys the vector loops compute. One per
 * thread, made on its first 8-bit step.
 *
 * <p>The table lookups are here, scalar, as {@link DynamicCodes#nearest} does them.
 */
final class Q8Scratch {
    static final int BLOCK = 256;
    private static final ValueLayout.OfByte CODE = ValueLayout.JAVA_BYTE;
    private static final ThreadLocal<Q8Scratch> OF_THREAD = ThreadLocal.withInitial(Q8Scratch::new);

    final float[] m = new float[BLOCK];
    final float[] v = new float[BLOCK];
    /** {@code DynamicCodes.key} of each normalized moment, from the vector loops. */
    final int[] keysM = new int[BLOCK];
    final int[] keysV = new int[BLOCK];
    /** Codes on their way in or out: the slot is read and written in bulk, the lookups run on arrays. */
    private final byte[] codes = new byte[BLOCK];
    float maxM;
    float maxV;

    private Q8Scratch() {
    }

    static Q8Scratch get() {
        return OF_THREAD.get();
    }

    /** Where the absmax pair of the block at element {@code b0} is, in a slot of {@code length} elements. */
    static long absmaxOffset(long length, long b0) {
        return io.lanestep.Format.q8AbsmaxOffset(length) + b0 / BLOCK * Float.BYTES;
    }

    /** Reads the code values (not yet times the absmax) of the block's {@code count} elements at {@code b0}. */
    void decode(MemorySegment expAvg, MemorySegment expAvgSq, long b0, int count) {
        decode(DynamicCodes.SIGNED, m, expAvg, b0, count);
        decode(DynamicCodes.UNSIGNED, v, expAvgSq, b0, count);
    }

    private void decode(DynamicCodes map, float[] values, MemorySegment slot, long b0, int count) {
        MemorySegment.copy(slot, CODE, b0, codes, 0, count);
        float[] table = map.values;
        for (int j = 0; j < count; j++) {
            values[j] = table[codes[j] & 0xff];
        }
    }

    /**
     * Writes the nearest codes of {@code moments[0..count)} divided by {@code divisor} into
     * {@code slot} at {@code b0}: the first {@code normalized} are divided already and have their
     * {@code keys}.
     */
    private void quantize(DynamicCodes map, float[] moments, int[] keys, float divisor, int normalized, int count,
                          MemorySegment slot, long b0) {
        // A finite absmax leaves no NaN to map to code 0 (an infinite one divides itself into NaN).
        int clean = Float.isFinite(divisor) ? normalized : 0;
        for (int j = 0; j < clean; j++) {
            codes[j] = (byte) map.nearest(keys[j], moments[j]);
        }
        for (int j = clean; j < normalized; j++) {
            codes[j] = (byte) map.nearest(moments[j]);
        }
        for (int j = normalized; j < count; j++) {
            codes[j] = (byte) map.nearest(moments[j] / divisor);
        }
        MemorySegment.copy(codes, 0, slot, CODE, b0, count);
    }

    /**
     * Quantizes the {@code count} new moments of the block at {@code b0} (the first
     * {@code normalized} divided and keyed already) and stores its absmax pair.
     */
    void finish(MemorySegment expAvg, MemorySegment expAvgSq, long length, long b0, int normalized, int count) {
        quantize(DynamicCodes.SIGNED, m, keysM, divisor(maxM), normalized, count, expAvg, b0);
        quantize(DynamicCodes.UNSIGNED, v, keysV, divisor(maxV), normalized, count, expAvgSq, b0);
        long at = absmaxOffset(length, b0);
        expAvg.set(Lanes.F, at, maxM);
        expAvgSq.set(Lanes.F, at, maxV);
    }

    /** A block of zeros divides by 1, not 0: its codes are then the code of 0 (of either sign). */
    static float divisor(float max) {
        return max == 0f ? 1f : max;
    }
}
