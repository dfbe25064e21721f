package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.NAdam;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** {@link NAdam#muProduct(long)} is the scalar state that many steps leave, bit for bit. */
class NAdamMuProductTest implements OptimizerDomain {

    @Property(tries = 60)
    void theProductIsWhatTheStepsLeave(@ForAll @DoubleRange(min = 0, max = 0.99) double beta1,
                                       @ForAll @DoubleRange(min = 0, max = 0.1) double momentumDecay,
                                       @ForAll @IntRange(min = 0, max = 40) int steps,
                                       @ForAll("widths") LaneWidth width) {
        NAdam nadam = new NAdam(1e-3, beta1, 0.999, 1e-8, 0, momentumDecay);
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create(width, 1)) {
            OptimizerState state = nadam.newState(9, arena);
            MemorySegment params = Floats.allocate(arena, 9);
            MemorySegment grads = Floats.copyOf(arena, new float[] {1, -2, 3, 0.5f, -1, 2, 0, 4, -3});
            for (int t = 0; t < steps; t++) {
                engine.step(nadam, state, params, grads);
            }
            assertEquals(Float.floatToRawIntBits(state.scalar(NAdam.MU_PRODUCT)),
                    Float.floatToRawIntBits(nadam.muProduct(steps)), "after " + steps + " steps");
        }
    }
}
