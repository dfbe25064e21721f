package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adam;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.OptimizerState;
import io.lanestep.ScheduleFree;
import io.lanestep.ScheduleFreeAdamW;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The evaluation view of Schedule-Free: the parameters before a step, a refusal for other input. */
class ScheduleFreeEvalTest {

    @Test
    void beforeTheFirstStepTheAverageIsTheParameters() {
        try (Arena arena = Arena.ofConfined()) {
            float[] values = {1.5f, -2f, 0f, 3e-5f};
            MemorySegment params = Floats.copyOf(arena, values);
            OptimizerState state = ScheduleFreeAdamW.defaults().newState(values.length, arena);
            MemorySegment out = Floats.allocate(arena, values.length);
            ScheduleFree.evalParams(state, params, out);
            assertArrayEquals(values, Floats.toArray(out));
        }
    }

    @Test
    void inPlaceEqualsIntoAnotherBuffer() {
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create(LaneWidth.preferred())) {
            float[] values = Data.NORMAL.fill(37, new java.util.SplittableRandom(3));
            MemorySegment params = Floats.copyOf(arena, values);
            OptimizerState state = ScheduleFreeAdamW.of(0.01).newState(values.length, arena);
            engine.step(ScheduleFreeAdamW.of(0.01), state, params, Floats.copyOf(arena, values));
            MemorySegment out = Floats.allocate(arena, values.length);
            ScheduleFree.evalParams(state, params, out);
            ScheduleFree.evalParams(state, params, params);
            assertArrayEquals(Floats.toArray(out), Floats.toArray(params));
        }
    }

    @Test
    void otherStatesAndSizesAreRefusedByName() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment four = Floats.allocate(arena, 4);
            OptimizerState adam = Adam.defaults().newState(4, arena);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ScheduleFree.evalParams(adam, four, four));
            assertTrue(e.getMessage().contains("ScheduleFreeAdamW or ScheduleFreeSgd"), e.getMessage());
            OptimizerState state = ScheduleFreeAdamW.defaults().newState(4, arena);
            e = assertThrows(IllegalArgumentException.class,
                    () -> ScheduleFree.evalParams(state, four, Floats.allocate(arena, 3)));
            assertTrue(e.getMessage().contains("4 floats"), e.getMessage());
        }
    }
}
