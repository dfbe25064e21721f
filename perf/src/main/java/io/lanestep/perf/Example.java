package io.lanestep.perf;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * Trains a linear model on generated data with off-heap parameters and prints the loss falling:
 * the smallest end-to-end use of the engine.
 */
public final class Example {
    private static final int FEATURES = 256;
    private static final int BATCH = 32;

    private Example() {
    }

    public static void main(String[] args) {
        SplittableRandom random = new SplittableRandom(42);
        float[] truth = new float[FEATURES];
        for (int j = 0; j < FEATURES; j++) {
            truth[j] = (float) random.nextGaussian();
        }
        Engine engine = Engine.create();
        Sgd sgd = new Sgd(0.01, 0.9, 0, 1e-4, true, false);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Floats.allocate(arena, FEATURES);
            MemorySegment grad = Floats.allocate(arena, FEATURES);
            OptimizerState state = sgd.newState(FEATURES, arena);
            float[] x = new float[FEATURES];
            System.out.println("Lanestep example: linear regression, " + FEATURES + " weights, " + engine);
            for (int step = 1; step <= 300; step++) {
                grad.fill((byte) 0);
                double loss = 0;
                for (int b = 0; b < BATCH; b++) {
                    float error = -(float) (0.1 * random.nextGaussian());
                    for (int j = 0; j < FEATURES; j++) {
                        x[j] = (float) random.nextGaussian();
                        error += (w.getAtIndex(Floats.LAYOUT, j) - truth[j]) * x[j];
                    }
                    loss += 0.5 * error * error / BATCH;
                    for (int j = 0; j < FEATURES; j++) {
                        grad.setAtIndex(Floats.LAYOUT, j, grad.getAtIndex(Floats.LAYOUT, j) + error * x[j] / BATCH);
                    }
                }
                engine.step(sgd, state, w, grad);
                if (step == 1 || step % 50 == 0) {
                    System.out.printf("step %4d  batch loss %.6f%n", step, loss);
                }
            }
        }
    }
}
