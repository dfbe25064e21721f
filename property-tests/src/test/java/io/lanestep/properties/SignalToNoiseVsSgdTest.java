package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import io.lanestep.SignalToNoiseSgd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.SplittableRandom;
import net.jqwik.api.Example;

/**
 * Claim 8: the seed's own algorithm, untuned (its defaults), against SGD with the best of a grid
 * of constant rates, on two problems, fixed seeds.
 */
class SignalToNoiseVsSgdTest {
    private static final double[] GRID = {0.01, 0.03, 0.1, 0.3, 0.9};
    /** The stated factor: the untuned algorithm's final loss is within this of the best tuned SGD's. */
    static final double FACTOR = 1.5;

    /** Coordinates whose curvature spans 0.05..2 and whose noise spans 0.1..3, from β = 5. */
    private static double quadratic(Optimizer optimizer) {
        try (Simulation sim = new Simulation(3000, 5, 21)) {
            SplittableRandom shape = new SplittableRandom(22);
            for (int i = 0; i < sim.runs; i++) {
                sim.curvature[i] = Math.exp(Math.log(0.05) + shape.nextDouble() * Math.log(2 / 0.05));
                sim.noise[i] = Math.exp(Math.log(0.1) + shape.nextDouble() * Math.log(3 / 0.1));
            }
            sim.run(2000, 1, t -> optimizer);
            return sim.meanLoss();
        }
    }

    /** Logistic regression, 20 features, 2000 generated examples, batches of 10: the full-data log-loss. */
    private static double logistic(Optimizer optimizer) {
        int d = 20;
        int n = 2000;
        int batch = 10;
        SplittableRandom data = new SplittableRandom(31);
        double[] truth = new double[d];
        for (int j = 0; j < d; j++) {
            truth[j] = data.nextGaussian();
        }
        double[][] x = new double[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int j = 0; j < d; j++) {
                x[i][j] = data.nextGaussian();
                z += truth[j] * x[i][j];
            }
            y[i] = data.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
        }
        SplittableRandom order = new SplittableRandom(32);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = Floats.allocate(arena, d);
            MemorySegment g = Floats.allocate(arena, d);
            OptimizerState state = optimizer.newState(d, arena);
            Engine engine = Engine.create();
            for (int step = 0; step < 3000; step++) {
                double[] grad = new double[d];
                for (int b = 0; b < batch; b++) {
                    int i = order.nextInt(n);
                    double p = 1 / (1 + Math.exp(-dot(w, x[i])));
                    for (int j = 0; j < d; j++) {
                        grad[j] += (p - y[i]) * x[i][j] / batch;
                    }
                }
                for (int j = 0; j < d; j++) {
                    g.setAtIndex(Floats.LAYOUT, j, (float) grad[j]);
                }
                engine.step(optimizer, state, w, g);
            }
            double loss = 0;
            for (int i = 0; i < n; i++) {
                double z = dot(w, x[i]);
                loss += Math.log1p(Math.exp(-Math.abs(z))) + Math.max(0, z) - y[i] * z;
            }
            return loss / n;
        }
    }

    private static double dot(MemorySegment w, double[] x) {
        double z = 0;
        for (int j = 0; j < x.length; j++) {
            z += w.getAtIndex(Floats.LAYOUT, j) * x[j];
        }
        return z;
    }

    @Example
    void untunedSignalToNoiseSgdIsWithinAFactorOfTheBestTunedSgd() {
        double[] quadraticSgd = new double[GRID.length];
        double[] logisticSgd = new double[GRID.length];
        for (int k = 0; k < GRID.length; k++) {
            quadraticSgd[k] = quadratic(Sgd.of(GRID[k]));
            logisticSgd[k] = logistic(Sgd.of(GRID[k]));
        }
        double bestQuadratic = java.util.Arrays.stream(quadraticSgd).filter(Double::isFinite).min().orElseThrow();
        double bestLogistic = java.util.Arrays.stream(logisticSgd).filter(Double::isFinite).min().orElseThrow();
        double snrQuadratic = quadratic(SignalToNoiseSgd.defaults(1));
        double snrLogistic = logistic(SignalToNoiseSgd.defaults(10));
        System.out.println(String.format(Locale.ROOT, "CLAIM 8: noisy quadratic: signal-to-noise %.4g, best SGD %.4g"
                        + " (grid %s) -> ratio %.2f; logistic regression: signal-to-noise %.4f, best SGD %.4f (grid %s)"
                        + " -> ratio %.3f", snrQuadratic, bestQuadratic, java.util.Arrays.toString(quadraticSgd),
                snrQuadratic / bestQuadratic, snrLogistic, bestLogistic, java.util.Arrays.toString(logisticSgd),
                snrLogistic / bestLogistic));
        assertTrue(snrQuadratic <= FACTOR * bestQuadratic, "quadratic: not within " + FACTOR + "x of tuned SGD");
        assertTrue(snrLogistic <= FACTOR * bestLogistic, "logistic: not within " + FACTOR + "x of tuned SGD");
    }
}
