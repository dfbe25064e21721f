package io.lanestep.properties;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.OptimizerState;
import io.lanestep.SignalToNoiseSgd;
import io.lanestep.reference.SignalToNoiseReference;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;

/** The seed's signal-to-noise SGD: the decisions SignalToNoiseSgd documents, and its self-decaying rate. */
class SignalToNoiseProperties implements OptimizerDomain {

    @Property(tries = 200)
    void parametersDoNotMoveDuringWarmup(@ForAll("configs") SignalToNoiseSgd config, @ForAll("widths") LaneWidth width,
                                         @ForAll @IntRange(max = 70) int n, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] initial = Data.SPECIAL.fill(n, random);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = Floats.copyOf(arena, initial);
            MemorySegment grads = Floats.allocate(arena, n);
            OptimizerState state = config.newState(n, arena);
            Engine engine = Engine.create(width);
            for (long t = 1; t <= config.warmupSteps(); t++) {
                MemorySegment.copy(Data.NONFINITE.fill(n, random), 0, grads, Floats.LAYOUT, 0, n);
                engine.step(config, state, params, grads);
                float[] now = Floats.toArray(params);
                for (int i = 0; i < n; i++) {
                    if (Float.floatToRawIntBits(now[i]) != Float.floatToRawIntBits(initial[i])) {
                        throw new AssertionError("param " + i + " moved at warm-up step " + t + ": " + initial[i]
                                + " -> " + now[i]);
                    }
                }
            }
        }
    }

    @Property(tries = 2000)
    void averagingWeightStaysInItsIntervalAndVarianceIsNeverNegative(
            @ForAll("configs") SignalToNoiseSgd config, @ForAll("statistic") float mean, @ForAll("statistic") float g2) {
        // Any reachable pair has sqMean >= 0; rounding may leave it a little below mean².
        float sqMean = Math.abs(g2);
        float variance = SignalToNoiseReference.variance(mean, sqMean);
        float r = SignalToNoiseReference.averagingWeight(config, mean, sqMean);
        if (!(variance >= 0)) {
            throw new AssertionError("variance " + variance + " for mean " + mean + ", sqMean " + sqMean);
        }
        if (!(r >= 0 && r <= SignalToNoiseSgd.MAX_AVERAGING_WEIGHT)) {
            throw new AssertionError("averaging weight " + r + " for mean " + mean + ", sqMean " + sqMean);
        }
        for (long t = 1; t <= config.warmupSteps(); t++) {
            double w = config.warmupWeight(t);
            if (!(w > 0 && w <= 1)) {
                throw new AssertionError("warm-up weight " + w + " at step " + t);
            }
        }
    }

    @Property(tries = 300)
    void finiteInputsGiveFiniteOutputs(@ForAll("configs") SignalToNoiseSgd config, @ForAll("widths") LaneWidth width,
                                       @ForAll @IntRange(min = 1, max = 70) int n, @ForAll boolean constantGradient,
                                       @ForAll @FloatRange(min = -1e18f, max = 1e18f) float constant, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = Floats.copyOf(arena, Data.NORMAL.fill(n, random));
            MemorySegment grads = Floats.allocate(arena, n);
            OptimizerState state = config.newState(n, arena);
            Engine engine = Engine.create(width);
            for (int t = 0; t < config.warmupSteps() + 6; t++) {
                for (int i = 0; i < n; i++) {
                    float g = constantGradient ? constant : (float) (Data.SPECIAL.next(random) % 1e18);
                    grads.setAtIndex(Floats.LAYOUT, i, g);
                }
                engine.step(config, state, params, grads);
                for (MemorySegment s : new MemorySegment[] {params, state.slot(SignalToNoiseSgd.GRAD_MEAN),
                        state.slot(SignalToNoiseSgd.GRAD_SQ_MEAN)}) {
                    for (float v : Floats.toArray(s)) {
                        if (!Float.isFinite(v)) {
                            throw new AssertionError("non-finite output " + v + " at step " + (t + 1));
                        }
                    }
                }
            }
        }
    }

    /**
     * 2000 independent runs (one per coordinate) of the 1D example {@code loss = ½(β − y)²}, y ~
     * N(3, 1), batch 1, from β = 0. The mean per-coordinate rate at step 20 000 must lie below
     * that at step 200, and the mean distance to the optimum must shrink too, each with the
     * two means' 99.9% confidence intervals (3.3 standard errors) apart.
     */
    @Example
    void rateFallsTowardsZeroNearTheOptimum() {
        int runs = 2000;
        SignalToNoiseSgd config = SignalToNoiseSgd.defaults(1);
        SplittableRandom random = new SplittableRandom(2024);
        Engine engine = Engine.create();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment beta = Floats.allocate(arena, runs);
            MemorySegment grads = Floats.allocate(arena, runs);
            OptimizerState state = config.newState(runs, arena);
            double[][] early = null;
            for (int t = 1; t <= 20_000; t++) {
                for (int i = 0; i < runs; i++) {
                    double y = 3 + random.nextGaussian();
                    grads.setAtIndex(Floats.LAYOUT, i, (float) (beta.getAtIndex(Floats.LAYOUT, i) - y));
                }
                engine.step(config, state, beta, grads);
                if (t == 200) {
                    early = snapshot(config, state, beta);
                }
            }
            double[][] late = snapshot(config, state, beta);
            requireBelow("rate", late[0], early[0]);
            requireBelow("distance to the optimum", late[1], early[1]);
        }
    }

    /** Per run: the current learning rate and |β − 3|. */
    private static double[][] snapshot(SignalToNoiseSgd config, OptimizerState state, MemorySegment beta) {
        float[] mean = Floats.toArray(state.slot(SignalToNoiseSgd.GRAD_MEAN));
        float[] sq = Floats.toArray(state.slot(SignalToNoiseSgd.GRAD_SQ_MEAN));
        float[] b = Floats.toArray(beta);
        double[][] out = new double[2][b.length];
        for (int i = 0; i < b.length; i++) {
            out[0][i] = SignalToNoiseReference.rate(config, mean[i], sq[i]);
            out[1][i] = Math.abs(b[i] - 3);
        }
        return out;
    }

    private static void requireBelow(String what, double[] late, double[] early) {
        double lateHigh = mean(late) + 3.3 * stderr(late);
        double earlyLow = mean(early) - 3.3 * stderr(early);
        if (!(lateHigh < earlyLow)) {
            throw new AssertionError(what + " did not fall: late mean " + mean(late) + " (upper " + lateHigh
                    + "), early mean " + mean(early) + " (lower " + earlyLow + ")");
        }
    }

    private static double mean(double[] x) {
        return Arrays.stream(x).average().orElseThrow();
    }

    private static double stderr(double[] x) {
        double m = mean(x);
        double var = Arrays.stream(x).map(v -> (v - m) * (v - m)).sum() / (x.length - 1);
        return Math.sqrt(var / x.length);
    }

    @Provide
    Arbitrary<SignalToNoiseSgd> configs() {
        return Optimizers.signalToNoise().map(SignalToNoiseSgd.class::cast);
    }

    @Provide
    Arbitrary<Float> statistic() {
        return Arbitraries.oneOf(java.util.List.of(Arbitraries.floats().between(-1e18f, 1e18f),
                Arbitraries.of(0f, -0f, Float.MIN_VALUE, 1e-30f, 1e-19f, 3f, 1e18f)));
    }
}
