package io.lanestep.properties;

import io.lanestep.Checkpoint;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * A separate JVM for {@link CheckpointCrashTest}: steps and saves a checkpoint over and over until
 * it is killed. With momentum 1 and gradients of 1, after k steps every buffer value is exactly k,
 * so a restored checkpoint is consistent exactly when every value equals its step counter.
 */
public final class CheckpointWriter {
    static final Sgd SGD = new Sgd(0.001, 1, 0, 0, false, false);
    static final int LENGTH = 4_000_000;

    private CheckpointWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = Floats.allocate(arena, LENGTH);
            MemorySegment grads = Floats.allocate(arena, LENGTH);
            for (long i = 0; i < LENGTH; i++) {
                grads.setAtIndex(Floats.LAYOUT, i, 1f);
            }
            OptimizerState a = SGD.newState(LENGTH, arena);
            OptimizerState b = SGD.newState(LENGTH / 3, arena);
            Engine engine = Engine.create();
            // Compiled kernels keep a cycle short and mostly saving, so that most kills land in a save
            // (a cold first step takes hundreds of milliseconds, longer than the test waits to kill).
            engine.warmUp(List.of(SGD));
            System.out.println("writing");
            System.out.flush();
            while (true) {
                engine.step(SGD, a, params, grads);
                engine.step(SGD, b, params.asSlice(0, LENGTH / 3 * 4L), grads.asSlice(0, LENGTH / 3 * 4L));
                Checkpoint.save(file, SGD, List.of(a, b));
                System.out.println("saved");
                System.out.flush();
            }
        }
    }
}
