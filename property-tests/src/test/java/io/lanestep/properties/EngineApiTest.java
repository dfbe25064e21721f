package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.Tag;

/** The engine's public surface at the default width (each surefire execution forces another). */
@Tag("default-width")
class EngineApiTest {

    @Example
    void widthsBeyondTheHardwareAreRefusedAndTheRestRun() {
        int max = LaneWidth.maxSupportedBits();
        for (LaneWidth width : LaneWidth.values()) {
            if (width.bits() <= max) {
                assertEquals(width, Engine.create(width).laneWidth());
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engine.create(width));
                assertTrue(e.getMessage().contains("supports at most " + max + " bits"), e.getMessage());
            }
        }
        assertTrue(LaneWidth.preferred().bits() <= max);
    }

    @Example
    void defaultWidthComesFromTheSystemProperty() {
        String property = System.getProperty(LaneWidth.PROPERTY);
        LaneWidth expected = property == null ? LaneWidth.preferred() : LaneWidth.parse(property);
        assertEquals(expected, Engine.create().laneWidth());
        assertEquals(LaneWidth.BITS_128, LaneWidth.parse(" 128 "));
        assertEquals(LaneWidth.SCALAR, LaneWidth.parse("Scalar"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LaneWidth.parse("avx"));
        assertTrue(e.getMessage().contains("scalar, 64, 128, 256, 512, preferred"), e.getMessage());
    }

    @Example
    void multiBlockStepEqualsOneStepPerBlock() {
        Engine engine = Engine.create();
        Optimizer sgd = new Sgd(0.05, 0.9, 0.1, 0.001, false, false);
        SplittableRandom random = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined()) {
            List<Block> together = new ArrayList<>();
            List<Block> alone = new ArrayList<>();
            for (int b = 0; b < 60; b++) {
                int n = b % 7 == 0 ? 1000 + b : random.nextInt(0, 70);
                float[] params = Data.SPECIAL.fill(n, random);
                float[] grads = Data.SPECIAL.fill(n, random);
                together.add(new Block(sgd.newState(n, arena), Floats.copyOf(arena, params), Floats.copyOf(arena, grads)));
                alone.add(new Block(sgd.newState(n, arena), Floats.copyOf(arena, params), Floats.copyOf(arena, grads)));
            }
            for (int t = 0; t < 3; t++) {
                engine.step(sgd, together);
                for (Block b : alone) {
                    engine.step(sgd, b.state(), b.params(), b.grads());
                }
            }
            for (int b = 0; b < together.size(); b++) {
                assertArrayEquals(Floats.toArray(alone.get(b).params()), Floats.toArray(together.get(b).params()));
                OptimizerState s = together.get(b).state();
                assertEquals(3, s.step());
                assertArrayEquals(Floats.toArray(alone.get(b).state().slot(Sgd.MOMENTUM_BUFFER)),
                        Floats.toArray(s.slot(Sgd.MOMENTUM_BUFFER)));
            }
        }
    }

    @Example
    void allocatedSegmentsAreAlignedForTheWidestRegister() {
        try (Arena arena = Arena.ofConfined()) {
            for (int n : new int[] {1, 3, 17, 1000}) {
                MemorySegment s = Floats.allocate(arena, n);
                assertEquals(0, s.address() % Floats.ALIGNMENT);
                assertEquals(0, new Sgd(0.1, 0.5, 0, 0, false, false).newState(n, arena)
                        .slot(Sgd.MOMENTUM_BUFFER).address() % Floats.ALIGNMENT);
            }
        }
    }
}
