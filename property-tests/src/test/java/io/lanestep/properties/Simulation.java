package io.lanestep.properties;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

/**
 * Many independent runs of the seed's one-dimensional example at once, one coordinate each:
 * {@code loss = ½ a (β − y)²}, a batch of B examples y ~ N(0, σ²), so the batch gradient is
 * {@code ĝ = a(β − ȳ)} with {@code ȳ ~ N(0, σ²/B)}. Parameters live off-heap and are stepped by
 * the engine, as a user's would be.
 */
final class Simulation implements AutoCloseable {
    final int runs;
    final Arena arena = Arena.ofConfined();
    final MemorySegment beta;
    final MemorySegment grads;
    final double[] curvature;
    final double[] noise;
    final SplittableRandom random;
    final Engine engine = Engine.create();
    OptimizerState state;

    Simulation(int runs, double start, long seed) {
        this.runs = runs;
        this.beta = Floats.allocate(arena, runs);
        this.grads = Floats.allocate(arena, runs);
        this.curvature = new double[runs];
        this.noise = new double[runs];
        Arrays.fill(curvature, 1);
        Arrays.fill(noise, 1);
        this.random = new SplittableRandom(seed);
        for (int i = 0; i < runs; i++) {
            beta.setAtIndex(Floats.LAYOUT, i, (float) start);
        }
    }

    /** Steps {@code steps} times with batch {@code batch}, the configuration of step t from {@code config}. */
    void run(long steps, int batch, LongFunction<Optimizer> config) {
        for (long t = 1; t <= steps; t++) {
            for (int i = 0; i < runs; i++) {
                double mean = noise[i] * random.nextGaussian() / Math.sqrt(batch);
                grads.setAtIndex(Floats.LAYOUT, i, (float) (curvature[i] * (beta.getAtIndex(Floats.LAYOUT, i) - mean)));
            }
            Optimizer optimizer = config.apply(t);
            if (state == null) {
                state = optimizer.newState(runs, arena);
            }
            engine.step(optimizer, state, beta, grads);
        }
    }

    double[] values() {
        double[] v = new double[runs];
        for (int i = 0; i < runs; i++) {
            v[i] = beta.getAtIndex(Floats.LAYOUT, i);
        }
        return v;
    }

    /** Mean over runs of the expected loss ½ a β² (the optimum is 0). */
    double meanLoss() {
        double sum = 0;
        for (int i = 0; i < runs; i++) {
            double b = beta.getAtIndex(Floats.LAYOUT, i);
            sum += 0.5 * curvature[i] * b * b;
        }
        return sum / runs;
    }

    static double mean(double[] x) {
        return Arrays.stream(x).average().orElseThrow();
    }

    static double meanSquare(double[] x) {
        return Arrays.stream(x).map(v -> v * v).average().orElseThrow();
    }

    @Override
    public void close() {
        arena.close();
    }
}
