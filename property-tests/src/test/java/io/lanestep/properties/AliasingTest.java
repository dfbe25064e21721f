package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adam;
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
 * Issue 16: grads aliasing params through a read-only view were accepted (the overlap check
 * compared {@code heapBase()}, which a read-only heap view hides) and gave width-dependent bits.
 * Every view of the params' own memory, read-only or not, shifted or not, heap or native, is now
 * refused before anything is written.
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
}
