package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adam;
import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Grads aliasing params through any view of the params' own memory (read-only or not, shifted or
 * not, heap or native) are refused before anything is written; so are blocks of one multi-block
 * step that share memory one of them writes, whose result would depend on the order they run.
 */
class AliasingTest {
    private static final int N = 64;

    @Test
    void gradsThatAreAViewOfTheParamsAreRefusedUntouched() {
        List<Function<MemorySegment, MemorySegment>> views = List.of(
                MemorySegment::asReadOnly,
                p -> p.asSlice(Float.BYTES, (N - 1) * Float.BYTES).asReadOnly(),
                p -> p.asSlice(0, (N - 1) * Float.BYTES));
        for (LaneWidth width : Optimizers.widths().allValues().orElseThrow().toList()) {
            try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create(width)) {
                for (boolean heap : new boolean[] {true, false}) {
                    for (Function<MemorySegment, MemorySegment> view : views) {
                        float[] values = new float[N + 1];
                        for (int i = 0; i < values.length; i++) {
                            values[i] = 1 + i;
                        }
                        MemorySegment whole = heap ? MemorySegment.ofArray(values) : Floats.copyOf(arena, values);
                        MemorySegment grads = view.apply(whole);
                        long n = Floats.length(grads);
                        MemorySegment params = whole.asSlice(0, n * Float.BYTES);
                        OptimizerState state = Adam.defaults().newState(n, arena);
                        float[] before = Floats.toArray(whole);
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                () -> engine.step(Adam.defaults(), state, params, grads),
                                () -> "accepted grads aliasing params: heap " + heap + ", " + grads + " at " + width);
                        assertTrue(e.getMessage().contains("overlap") || e.getMessage().contains("read-only heap"),
                                e.getMessage());
                        assertArrayEquals(before, Floats.toArray(whole));
                        assertArrayEquals(new float[(int) n], Floats.toArray(state.slot(Adam.EXP_AVG)));
                    }
                }
            }
        }
    }

    @Test
    void blocksOfOneStepThatShareWrittenMemoryAreRefusedUntouched() {
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create()) {
            for (boolean heap : new boolean[] {false, true}) {
                float[] a = new float[4 * N];
                for (int i = 0; i < a.length; i++) {
                    a[i] = 1 + i;
                }
                MemorySegment memory = heap ? MemorySegment.ofArray(a) : Floats.copyOf(arena, a);
                MemorySegment p0 = memory.asSlice(0, N * 4L);
                MemorySegment g0 = memory.asSlice(N * 4L, N * 4L);
                MemorySegment p1 = memory.asSlice(2 * N * 4L, N * 4L);
                MemorySegment g1 = memory.asSlice(3 * N * 4L, N * 4L);
                OptimizerState s0 = Adam.defaults().newState(N, arena);
                OptimizerState s1 = Adam.defaults().newState(N, arena);
                OptimizerState s2 = Adam.defaults().newState(N / 2, arena);
                List<List<Block>> shared = List.of(
                        List.of(new Block(s0, p0, g0), new Block(s1, p1, p0)),                 // grads are params
                        List.of(new Block(s1, p1, g1), new Block(s0, p0, g0),
                                new Block(s2, p1.asSlice(N * 2L), g1.asSlice(N * 2L))),        // params overlap
                        List.of(new Block(s0, p0, g0), new Block(s1, s0.slot(Adam.EXP_AVG), g1))); // params are state
                for (List<Block> blocks : shared) {
                    float[] before = Floats.toArray(memory);
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> engine.step(Adam.defaults(), blocks), () -> "accepted " + blocks);
                    assertTrue(e.getMessage().contains("overlap in memory") && e.getMessage().contains("blocks[")
                            && e.getMessage().contains("order the blocks run"), e.getMessage());
                    assertArrayEquals(before, Floats.toArray(memory));
                    for (Block b : blocks) {
                        assertEquals(0, b.state().step());
                    }
                }
                // Gradients two blocks only read may be shared.
                engine.step(Adam.defaults(), List.of(new Block(s0, p0, g1), new Block(s1, p1, g1)));
                assertEquals(1, s0.step());
            }
        }
    }
}
