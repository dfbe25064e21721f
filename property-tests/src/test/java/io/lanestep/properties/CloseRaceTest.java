package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Lamb;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.Sgd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: {@code Engine.close()} racing a step on another thread hung a two-thread step with
 * half a block written, or left a multi-block or two-pass step half done. Now a close waits for
 * the step in progress: after any close, every block has taken exactly the steps the stepping
 * thread saw complete, bit for bit what an undisturbed engine computes for that many steps.
 */
class CloseRaceTest {
    private static final int LENGTH = 140_000;
    private static final int TRIES = 12;

    @Test
    void closingWhileOneBlockStepsOnTwoThreadsLeavesWholeSteps() throws Exception {
        race(new Sgd(0.01, 0.9, 0, 0, false, false), 1);
    }

    @Test
    void closingWhileATwoPassStepRunsLeavesWholeSteps() throws Exception {
        race(Lamb.defaults(), 1);
    }

    @Test
    void closingWhileSixBlocksStepLeavesWholeSteps() throws Exception {
        race(new Sgd(0.01, 0.9, 0, 0, false, false), 6);
    }

    private static void race(Optimizer optimizer, int blocks) throws Exception {
        SplittableRandom random = new SplittableRandom(16);
        for (int trial = 0; trial < TRIES; trial++) {
            try (Arena arena = Arena.ofShared()) {
                List<Block> model = model(optimizer, blocks, arena);
                Engine engine = Engine.create(LaneWidth.preferred(), 2);
                AtomicInteger done = new AtomicInteger();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread stepper = new Thread(() -> {
                    try {
                        while (true) {
                            engine.step(optimizer, model);
                            done.incrementAndGet();
                        }
                    } catch (IllegalStateException closed) {
                        // the engine closed between two steps: expected
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                stepper.start();
                TimeUnit.MICROSECONDS.sleep(random.nextInt(20_000));
                engine.close();
                stepper.join(TimeUnit.SECONDS.toMillis(30));
                assertTrue(!stepper.isAlive(), "the stepping thread hung after close (trial " + trial + ")");
                assertEquals(null, failure.get(), "trial " + trial);
                int steps = done.get();
                List<Block> expected = model(optimizer, blocks, arena);
                try (Engine undisturbed = Engine.create(LaneWidth.preferred())) {
                    for (int t = 0; t < steps; t++) {
                        undisturbed.step(optimizer, expected);
                    }
                }
                for (int b = 0; b < blocks; b++) {
                    assertEquals(steps, model.get(b).state().step(), "block " + b + ", trial " + trial);
                    assertArrayEquals(Floats.toArray(expected.get(b).params()), Floats.toArray(model.get(b).params()),
                            "block " + b + " after " + steps + " steps, trial " + trial);
                }
            }
        }
    }

    private static List<Block> model(Optimizer optimizer, int blocks, Arena arena) {
        List<Block> model = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            float[] p = new float[LENGTH];
            float[] g = new float[LENGTH];
            for (int i = 0; i < LENGTH; i++) {
                p[i] = 1 + (i % 97) / 97f;
                g[i] = ((i * 31 + b) % 17 - 8) / 64f;
            }
            model.add(new Block(optimizer.newState(LENGTH, arena), Floats.copyOf(arena, p), Floats.copyOf(arena, g)));
        }
        return model;
    }
}
