package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Checkpoint;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: a save taken while another thread stepped the state was a torn mid-step state with a
 * valid checksum. Save now holds the state as a step does, waiting for the step in progress: every
 * save during steps is a whole step's state, bit for bit what that many undisturbed steps give,
 * and the steps tried during a save are refused ({@link ConcurrentModificationException}).
 */
class SaveDuringStepTest {
    private static final Sgd SGD = new Sgd(0.01, 0.9, 0, 0, false, false);
    private static final int N = 300_000;

    @Test
    void everySaveDuringStepsIsAWholeStep() throws Exception {
        Path file = TempDirs.create("ckpt").resolve("live.ckpt");
        try (Arena arena = Arena.ofShared(); Engine engine = Engine.create(LaneWidth.preferred(), 2)) {
            MemorySegment params = Floats.allocate(arena, N);
            MemorySegment grads = grads(arena);
            OptimizerState live = SGD.newState(N, arena);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread stepper = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        try {
                            engine.step(SGD, live, params, grads);
                        } catch (ConcurrentModificationException saving) {
                            // a save holds the state: try again
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            stepper.start();
            long last = -1;
            for (int k = 0; k < 40; k++) {
                Checkpoint.save(file, SGD, List.of(live));
                OptimizerState back = SGD.newState(N, arena);
                Checkpoint.restore(file, SGD, List.of(back));
                assertArrayEquals(undisturbed(back.step()), Floats.toArray(back.slot(Sgd.MOMENTUM_BUFFER)),
                        "save " + k + " at step " + back.step() + " is not a whole step");
                assertTrue(back.step() >= last, "steps went backwards");
                last = back.step();
            }
            stop.set(true);
            stepper.join();
            assertEquals(null, failure.get());
            assertTrue(last > 0, "the stepping thread never stepped");
        }
    }

    private static MemorySegment grads(Arena arena) {
        MemorySegment g = Floats.allocate(arena, N);
        for (int i = 0; i < N; i++) {
            g.setAtIndex(Floats.LAYOUT, i, (i % 13 - 6) / 8f);
        }
        return g;
    }

    /**
     * The momentum buffer after {@code steps} undisturbed steps, by SGD's float formula (as the
     * reference computes it): 13 distinct gradients, so 13 scalar recurrences.
     */
    private static float[] undisturbed(long steps) {
        float[] byValue = new float[13];
        for (int v = 0; v < 13; v++) {
            float g = (v - 6) / 8f;
            float b = 0;
            for (long t = 0; t < steps; t++) {
                b = t == 0 ? g : Math.fma(g, 1f, b * (float) SGD.momentum());
            }
            byValue[v] = b;
        }
        float[] buffer = new float[N];
        for (int i = 0; i < N; i++) {
            buffer[i] = byValue[i % 13];
        }
        return buffer;
    }
}
