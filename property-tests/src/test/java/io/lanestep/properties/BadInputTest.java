package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.AdEMAMix;
import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Group;
import io.lanestep.HeavyBallMomentum;
import io.lanestep.Lars;
import io.lanestep.NonFinite;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import net.jqwik.api.Example;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.function.Executable;

/** Every refused call names the bad argument and how to fix it, and leaves params and state untouched. */
@Tag("default-width")
class BadInputTest {
    private static final int N = 37;
    private static final Sgd SGD = new Sgd(0.1, 0.9, 0, 0.01, true, false);

    private final Engine engine = Engine.create();

    /** A block that has taken two steps, so its momentum buffer holds non-zero values. */
    private record Setup(Arena arena, MemorySegment params, MemorySegment grads, OptimizerState state) {
        static Setup of(Arena arena, Engine engine) {
            MemorySegment params = Floats.allocate(arena, N);
            MemorySegment grads = Floats.allocate(arena, N);
            for (int i = 0; i < N; i++) {
                params.setAtIndex(Floats.LAYOUT, i, i * 0.5f - 3);
                grads.setAtIndex(Floats.LAYOUT, i, 1.5f - i * 0.25f);
            }
            OptimizerState state = SGD.newState(N, arena);
            engine.step(SGD, state, params, grads);
            engine.step(SGD, state, params, grads);
            return new Setup(arena, params, grads, state);
        }

        float[] snapshot() {
            float[] p = Floats.toArray(params);
            float[] b = Floats.toArray(state.slot(Sgd.MOMENTUM_BUFFER));
            float[] all = new float[p.length + b.length + 1];
            System.arraycopy(p, 0, all, 0, p.length);
            System.arraycopy(b, 0, all, p.length, b.length);
            all[all.length - 1] = state.step();
            return all;
        }
    }

    private void refused(Setup s, Class<? extends RuntimeException> type, Executable call, String... words) {
        float[] before = s.snapshot();
        RuntimeException e = assertThrows(type, call);
        for (String word : words) {
            assertTrue(e.getMessage().contains(word), () -> "message lacks '" + word + "': " + e.getMessage());
        }
        assertArrayEquals(before, s.snapshot(), "a refused step changed params or state");
    }

    @Example
    void paramsOfAnotherLength() {
        try (Arena arena = Arena.ofConfined()) {
            Setup s = Setup.of(arena, engine);
            refused(s, IllegalArgumentException.class,
                    () -> engine.step(SGD, s.state, Floats.allocate(arena, N + 1), s.grads), "params", "floats");
            refused(s, IllegalArgumentException.class,
                    () -> engine.step(SGD, s.state, s.params, s.grads.asSlice(0, (N - 1) * 4L)), "grads", "slice");
        }
    }

    @Example
    void stateOfAnotherOptimizerOrLength() {
        try (Arena arena = Arena.ofConfined()) {
            Setup s = Setup.of(arena, engine);
            HeavyBallMomentum other = new HeavyBallMomentum(0.1, 0.9);
            refused(s, IllegalArgumentException.class, () -> engine.step(other, s.state, s.params, s.grads),
                    "state was created for Sgd", "newState");
            refused(s, IllegalArgumentException.class, () -> engine.step(Sgd.of(0.1), s.state, s.params, s.grads),
                    "state was created for", "newState");
            OptimizerState shorter = SGD.newState(N - 1, arena);
            refused(s, IllegalArgumentException.class, () -> engine.step(SGD, shorter, s.params, s.grads),
                    "params holds " + N * 4 + " bytes", "made for " + (N - 1) + " floats");
        }
    }

    @Example
    void hyperparametersOutOfRange() {
        for (double lr : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sgd.of(lr));
            assertTrue(e.getMessage().startsWith("lr must be"), e.getMessage());
        }
        for (double mu : new double[] {-0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new HeavyBallMomentum(0.1, mu));
            assertTrue(e.getMessage().startsWith("momentum must lie in [0, 1]"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Sgd(0.1, 0.9, 0.5, 0, true, false));
        assertTrue(e.getMessage().contains("nesterov needs momentum > 0 and dampening == 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1, 0, 0, 0, true, false));
        e = assertThrows(IllegalArgumentException.class, () -> AdEMAMix.of(1e-3).withBeta3Warmup(-1));
        assertTrue(e.getMessage().startsWith("beta3Warmup must be >= 0, got -1; pass 0"), e.getMessage());
    }

    @Example
    void readOnlyParams() {
        try (Arena arena = Arena.ofConfined()) {
            Setup s = Setup.of(arena, engine);
            refused(s, IllegalArgumentException.class,
                    () -> engine.step(SGD, s.state, s.params.asReadOnly(), s.grads), "params is read-only");
            // Gradients are only read, so read-only gradients are fine.
            engine.step(SGD, s.state, s.params, s.grads.asReadOnly());
        }
    }

    @Example
    void closedArena() {
        try (Arena arena = Arena.ofConfined()) {
            Setup s = Setup.of(arena, engine);
            Arena gone = Arena.ofConfined();
            MemorySegment closedGrads = Floats.allocate(gone, N);
            gone.close();
            refused(s, IllegalStateException.class, () -> engine.step(SGD, s.state, s.params, closedGrads),
                    "grads belongs to an arena that is already closed");
        }
        Arena gone = Arena.ofConfined();
        OptimizerState orphan = SGD.newState(N, gone);
        gone.close();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = Floats.allocate(arena, N);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> engine.step(SGD, orphan, params, Floats.allocate(arena, N)));
            assertTrue(e.getMessage().contains("state slot momentum_buffer belongs to an arena that is already closed"),
                    e.getMessage());
            assertArrayEquals(new float[N], Floats.toArray(params));
        }
    }

    @Example
    void overlappingSegments() {
        try (Arena arena = Arena.ofConfined()) {
            Setup s = Setup.of(arena, engine);
            MemorySegment big = Floats.allocate(arena, 2 * N);
            refused(s, IllegalArgumentException.class,
                    () -> engine.step(SGD, s.state, s.params, s.params), "params and grads overlap");
            MemorySegment buffer = s.state.slot(Sgd.MOMENTUM_BUFFER);
            refused(s, IllegalArgumentException.class,
                    () -> engine.step(SGD, s.state, buffer, s.grads), "params and state slot momentum_buffer overlap");
            OptimizerState fresh = SGD.newState(N, arena);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> engine.step(SGD, fresh, big.asSlice(0, N * 4L), big.asSlice(N * 4L - 4, N * 4L)));
            assertTrue(e.getMessage().contains("overlap"), e.getMessage());
            float[] heap = new float[2 * N];
            MemorySegment heapSeg = MemorySegment.ofArray(heap);
            assertThrows(IllegalArgumentException.class,
                    () -> engine.step(SGD, fresh, heapSeg.asSlice(0, N * 4L), heapSeg.asSlice(8, N * 4L)));
            // Disjoint slices of one segment are fine.
            engine.step(SGD, fresh, big.asSlice(0, N * 4L), big.asSlice(N * 4L, N * 4L));
            assertEquals(1, fresh.step());
        }
    }

    @Example
    void otherThreadsConfinedSegments() throws ExecutionException, InterruptedException {
        try (Arena arena = Arena.ofConfined()) {
            Setup s = Setup.of(arena, engine);
            float[] before = s.snapshot();
            Throwable thrown = CompletableFuture.supplyAsync(() -> {
                try {
                    engine.step(SGD, s.state, s.params, s.grads);
                    return null;
                } catch (RuntimeException e) {
                    return e;
                }
            }).get();
            assertTrue(thrown instanceof IllegalStateException && thrown.getMessage().contains("another thread"),
                    String.valueOf(thrown));
            assertArrayEquals(before, s.snapshot());
        }
    }

    @Example
    void multiBlockStepValidatesEveryBlockFirst() {
        try (Arena arena = Arena.ofConfined()) {
            Setup first = Setup.of(arena, engine);
            Setup second = Setup.of(arena, engine);
            float[] before = first.snapshot();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> engine.step(SGD, List.of(
                    new Block(first.state, first.params, first.grads),
                    new Block(second.state, second.params, Floats.allocate(arena, 3)))));
            assertTrue(e.getMessage().startsWith("blocks[1].grads holds 12 bytes"), e.getMessage());
            assertArrayEquals(before, first.snapshot(), "block 0 was written before block 1 was refused");
            e = assertThrows(IllegalArgumentException.class, () -> engine.step(SGD, List.of(
                    new Block(first.state, first.params, first.grads),
                    new Block(first.state, second.params, second.grads))));
            assertTrue(e.getMessage().startsWith("blocks[1] has the state of an earlier block"), e.getMessage());
            assertArrayEquals(before, first.snapshot());
        }
    }

    @Example
    void clippingArgumentsOutOfRange() {
        try (Arena arena = Arena.ofConfined()) {
            Setup s = Setup.of(arena, engine);
            List<Group> model = List.of(new Group(SGD, List.of(new Block(s.state, s.params, s.grads))));
            for (float scale : new float[] {-1f, Float.NaN, Float.POSITIVE_INFINITY}) {
                refused(s, IllegalArgumentException.class, () -> engine.step(model, NonFinite.PROPAGATE, scale),
                        "gradScale", "clipCoefficient");
            }
            for (float clip : new float[] {-0.5f, Float.NaN, Float.NEGATIVE_INFINITY}) {
                refused(s, IllegalArgumentException.class, () -> engine.step(model, NonFinite.PROPAGATE, 1f, clip),
                        "clipValue", "POSITIVE_INFINITY");
            }
            OptimizerState lars = Lars.of(0.1).newState(N, arena);
            List<Group> larsModel = List.of(new Group(SGD, List.of(new Block(s.state, s.params, s.grads))),
                    new Group(Lars.of(0.1), List.of(new Block(lars, Floats.allocate(arena, N), s.grads))));
            refused(s, IllegalArgumentException.class, () -> engine.step(larsModel, NonFinite.PROPAGATE, 1f, 2f),
                    "groups[1] is LARS", "clip by norm");
        }
    }

    @Example
    void refusedStepsLeaveTheCounterAlone() {
        try (Arena arena = Arena.ofConfined()) {
            Setup s = Setup.of(arena, engine);
            Optimizer other = new HeavyBallMomentum(0.1, 0.5);
            assertThrows(IllegalArgumentException.class, () -> engine.step(other, s.state, s.params, s.grads));
            assertEquals(2, s.state.step());
        }
    }
}
