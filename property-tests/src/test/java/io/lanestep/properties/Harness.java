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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Runs one optimizer through the engine and the reference on the same data and compares bits. */
final class Harness {
    private Harness() {
    }

    /** Where the engine's blocks live: every kind of memory a JVM stack holds. */
    enum Placement {
        /** 64-byte-aligned blocks of exactly n floats in a confined arena. */
        ALIGNED,
        /** Slices at an element offset inside larger confined segments, so loads are not aligned. */
        OFFSET_SLICE,
        /** Heap segments over float[]. */
        HEAP,
        /** Heap segments over a slice of a larger float[], starting {@code offset} floats in. */
        HEAP_SLICE,
        /** A shared arena. */
        SHARED,
        /** An automatic arena. */
        AUTO,
        /** {@code MemorySegment.ofAddress(...).reinterpret(...)} views, as native stacks hand them over. */
        GLOBAL,
        /** Direct {@code ByteBuffer}s through {@code MemorySegment.ofBuffer}. */
        DIRECT
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
        assertSameAsReference(optimizer, Engine.create(width), n, steps, data, initialState, seed, placement, offset);
    }

    /** As above, stepped by {@code engine} (one splitting large blocks across threads, say). */
    static void assertSameAsReference(Optimizer optimizer, Engine engine, int n, int steps, Data data,
                                      Data initialState, long seed, Placement placement, int offset) {
        LaneWidth width = engine.laneWidth();
        SplittableRandom random = new SplittableRandom(seed);
        float[] params = data.fill(n, random);
        float[] params0 = params.clone();
        ReferenceState reference = new ReferenceState(optimizer, n);
        try (Arena arena = Arena.ofConfined(); Arena shared = Arena.ofShared()) {
            MemorySegment p = place(arena, shared, params, placement, offset);
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
                MemorySegment g = place(arena, shared, grads, placement, offset + 3);
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

    /**
     * A copy of {@code values} in {@code placement}; {@code confined} and {@code shared} are arenas
     * of those kinds that outlive the segment ({@code shared} also backs the global views).
     */
    static MemorySegment place(Arena confined, Arena shared, float[] values, Placement placement, int offset) {
        long bytes = (long) values.length * Float.BYTES;
        return switch (placement) {
            case ALIGNED -> Floats.copyOf(confined, values);
            case HEAP -> MemorySegment.ofArray(values.clone());
            case HEAP_SLICE -> {
                float[] big = new float[values.length + offset + 5];
                System.arraycopy(values, 0, big, offset, values.length);
                yield MemorySegment.ofArray(big).asSlice((long) offset * Float.BYTES, bytes);
            }
            case OFFSET_SLICE -> {
                MemorySegment big = Floats.allocate(confined, values.length + offset + 5L);
                MemorySegment slice = big.asSlice((long) offset * Float.BYTES, bytes);
                MemorySegment.copy(values, 0, slice, Floats.LAYOUT, 0, values.length);
                yield slice;
            }
            case SHARED -> Floats.copyOf(shared, values);
            case AUTO -> Floats.copyOf(Arena.ofAuto(), values);
            case GLOBAL -> {
                MemorySegment s = Floats.copyOf(shared, values);
                yield MemorySegment.ofAddress(s.address()).reinterpret(s.byteSize());
            }
            case DIRECT -> {
                MemorySegment s = MemorySegment.ofBuffer(ByteBuffer.allocateDirect((int) bytes)
                        .order(ByteOrder.nativeOrder()));
                MemorySegment.copy(values, 0, s, Floats.LAYOUT, 0, values.length);
                yield s;
            }
        };
    }

    /**
     * Steps one state {@code steps} times, each step with params and grads in the kinds the step's
     * entries of {@code paramKinds} and {@code gradKinds} name (params carried over from kind to
     * kind), and fails unless every step leaves params and state equal to the reference bit for bit.
     */
    static void assertSameAcrossKinds(Optimizer optimizer, LaneWidth width, int threads, int n, Data data, long seed,
                                      List<Placement> paramKinds, List<Placement> gradKinds) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] params = data.fill(n, random);
        float[] params0 = params.clone();
        ReferenceState reference = new ReferenceState(optimizer, n);
        try (Engine engine = Engine.create(width, threads); Arena arena = Arena.ofConfined();
             Arena shared = Arena.ofShared()) {
            OptimizerState state = optimizer.newState(n, arena);
            for (int t = 0; t < paramKinds.size(); t++) {
                float[] grads = data.fill(n, random);
                MemorySegment p = place(arena, shared, params, paramKinds.get(t), t + 1);
                MemorySegment g = place(arena, shared, grads, gradKinds.get(t), t + 2);
                engine.step(optimizer, state, p, g);
                float[] before = params.clone();
                Reference.step(optimizer, params, grads, reference);
                String where = optimizer + " at " + width + " on " + threads + " thread(s), n=" + n + ", step "
                        + (t + 1) + " with params " + paramKinds.get(t) + ", grads " + gradKinds.get(t);
                compare(where, "params", Floats.toArray(p), params, before);
                for (String key : optimizer.stateKeys()) {
                    compare(where, key, Floats.toArray(state.slot(key)), reference.slot(key), params0);
                }
            }
        }
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
