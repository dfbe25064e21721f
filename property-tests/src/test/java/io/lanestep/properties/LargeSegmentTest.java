package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.HeavyBallMomentum;
import io.lanestep.LaneWidth;
import io.lanestep.OptimizerState;
import io.lanestep.reference.Reference;
import io.lanestep.reference.ReferenceState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import net.jqwik.api.Example;

/** Blocks larger than 2^31 bytes are indexed with long offsets, at every width. */
class LargeSegmentTest {
    private static final long N = (1L << 29) + 137;
    private static final long[] WINDOWS = {0, (1L << 29) - 20, N - 40};
    private static final int WINDOW = 40;

    @Example
    void blocksBeyondTwoGigabytesStepLikeTheReference() {
        HeavyBallMomentum optimizer = new HeavyBallMomentum(0.1, 0.9);
        SplittableRandom random = new SplittableRandom(3);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = Floats.allocate(arena, N);
            MemorySegment grads = Floats.allocate(arena, N);
            float[][] refParams = new float[WINDOWS.length][];
            float[][] refGrads = new float[WINDOWS.length][];
            for (int w = 0; w < WINDOWS.length; w++) {
                refParams[w] = Data.NORMAL.fill(WINDOW, random);
                refGrads[w] = Data.NORMAL.fill(WINDOW, random);
                MemorySegment.copy(refParams[w], 0, params, Floats.LAYOUT, WINDOWS[w] * 4, WINDOW);
                MemorySegment.copy(refGrads[w], 0, grads, Floats.LAYOUT, WINDOWS[w] * 4, WINDOW);
            }
            OptimizerState state = optimizer.newState(N, arena);
            ReferenceState[] reference = new ReferenceState[WINDOWS.length];
            for (int w = 0; w < WINDOWS.length; w++) {
                reference[w] = new ReferenceState(optimizer, WINDOW);
            }
            LaneWidth[] widths = {LaneWidth.SCALAR, LaneWidth.preferred()};
            for (LaneWidth width : widths) {
                Engine.create(width).step(optimizer, state, params, grads);
                for (int w = 0; w < WINDOWS.length; w++) {
                    Reference.step(optimizer, refParams[w], refGrads[w], reference[w]);
                    float[] actual = new float[WINDOW];
                    MemorySegment.copy(params, Floats.LAYOUT, WINDOWS[w] * 4, actual, 0, WINDOW);
                    Harness.compare(width + " window at " + WINDOWS[w], "params", actual, refParams[w], refParams[w]);
                }
            }
            assertEquals(widths.length, state.step());
        }
    }
}
