package io.lanestep.properties;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.reference.Reference;
import io.lanestep.reference.ReferenceState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Runs one optimizer through the engine and the reference on the same data and compares bits. */
final class Harness {
    private Harness() {
    }

    /** Where the engine's blocks live. */
    enum Placement {
        /** 64-byte-aligned off-heap blocks of exactly n floats. */
        ALIGNED,
        /** Slices at an element offset inside larger off-heap segments, so loads are not aligned. */
        OFFSET_SLICE,
        /** Heap segments over float[]. */
        HEAP
    }

    /**
     * Steps {@code steps} times with fresh gradients each step and fails with the first differing
     * element unless params and every state slot equal the reference bit for bit (NaNs alike).
     */
    static void assertSameAsReference(Optimizer optimizer, LaneWidth width, int n, int steps, Data data, long seed,
                                      Placement placement, int offset) {
        assertSameAsReference(optimizer, width, n, steps, data, null, seed, placement, offset);
    }

    /** As above, with each state slot first set to the magnitudes of {@code initialState} data (null: as new). */
    static void assertSameAsReference(Optimizer optimizer, LaneWidth width, int n, int steps, Data data,
                                      Data initialState, long seed, Placement placement, int offset) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] params = data.fill(n, random);
        float[] params0 = params.clone();
        ReferenceState reference = new ReferenceState(optimizer, n);
        Engine engine = Engine.create(width);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = place(arena, params, placement, offset);
            OptimizerState state = optimizer.newState(n, arena);
            for (String key : initialState == null ? List.<String>of() : optimizer.stateKeys()) {
                float[] values = initialState.fill(n, random);
                for (int i = 0; i < n; i++) {
                    values[i] = Math.abs(values[i]);
                }
                MemorySegment.copy(values, 0, state.slot(key), Floats.LAYOUT, 0, n);
                System.arraycopy(values, 0, reference.slot(key), 0, n);
            }
            for (int t = 0; t < steps; t++) {
                float[] grads = data.fill(n, random);
                MemorySegment g = place(arena, grads, placement, offset + 3);
                engine.step(optimizer, state, p, g);
                Reference.step(optimizer, params, grads, reference);
                String where = optimizer + " at " + width + ", n=" + n + ", " + data + " data, " + placement
                        + ", step " + (t + 1) + " of " + steps;
                compare(where, "params", Floats.toArray(p), params, params0);
                for (String key : optimizer.stateKeys()) {
                    compare(where, key, Floats.toArray(state.slot(key)), reference.slot(key), params0);
                }
            }
            for (String key : optimizer.scalarKeys()) {
                compare("scalar state", key, new float[] {state.scalar(key)}, new float[] {reference.scalar(key)},
                        params0);
            }
            if (state.step() != reference.step()) {
                throw new AssertionError("step counter " + state.step() + " != reference " + reference.step());
            }
        }
    }

    static MemorySegment place(Arena arena, float[] values, Placement placement, int offset) {
        return switch (placement) {
            case ALIGNED -> Floats.copyOf(arena, values);
            case HEAP -> MemorySegment.ofArray(values.clone());
            case OFFSET_SLICE -> {
                MemorySegment big = Floats.allocate(arena, values.length + offset + 5L);
                MemorySegment slice = big.asSlice((long) offset * Float.BYTES, (long) values.length * Float.BYTES);
                MemorySegment.copy(values, 0, slice, Floats.LAYOUT, 0, values.length);
                yield slice;
            }
        };
    }

    static void compare(String where, String what, float[] engine, float[] reference, float[] params0) {
        for (int i = 0; i < reference.length; i++) {
            if (Float.floatToIntBits(engine[i]) != Float.floatToIntBits(reference[i])) {
                throw new AssertionError(where + ": " + what + "[" + i + "] engine " + engine[i] + " ("
                        + Integer.toHexString(Float.floatToRawIntBits(engine[i])) + ") != reference " + reference[i]
                        + " (" + Integer.toHexString(Float.floatToRawIntBits(reference[i])) + "); initial param "
                        + params0[i] + "; first elements " + Arrays.toString(Arrays.copyOf(reference, 4)));
            }
        }
    }
}
