package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adam;
import io.lanestep.AveragedMomentum;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.HeavyBallMomentum;
import io.lanestep.OptimizerState;
import io.lanestep.Schedule;
import io.lanestep.Sgd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.SplittableRandom;
import net.jqwik.api.Example;

/**
 * The lecture's claims (seed-math.md), checked on this engine with fixed seeds. Statistical checks
 * use 99.9% confidence intervals (3.3 standard errors); each prints what it measured ("CLAIM n:"),
 * the figures the README quotes.
 */
class SeedClaimsTest {
    private static final double Z = 3.3;

    private static void report(String line) {
        System.out.println(line);
    }

    /** Claim 1: two batch-1 steps at η ≈ one batch-2 step at 2η, the gap shrinking like η². */
    @Example
    void learningRateScalesWithBatchSizeUpToGradientDrift() {
        int n = 1000;
        SplittableRandom random = new SplittableRandom(1);
        double[] a = new double[n];
        float[] phi0 = new float[n];
        float[] x1 = new float[n];
        float[] x2 = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = 0.5 + 1.5 * random.nextDouble();
            phi0[i] = (float) random.nextGaussian();
            x1[i] = (float) random.nextGaussian();
            x2[i] = (float) random.nextGaussian();
        }
        double[] gap = new double[3];
        double eta = 0.2;
        for (int k = 0; k < 3; k++, eta /= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment two = Floats.copyOf(arena, phi0);
                MemorySegment one = Floats.copyOf(arena, phi0);
                Engine engine = Engine.create();
                Sgd small = Sgd.of(eta);
                OptimizerState s = small.newState(n, arena);
                engine.step(small, s, two, gradient(arena, a, two, x1, null));
                engine.step(small, s, two, gradient(arena, a, two, x2, null));
                Sgd doubled = Sgd.of(2 * eta);
                engine.step(doubled, doubled.newState(n, arena), one, gradient(arena, a, one, x1, x2));
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    double d = two.getAtIndex(Floats.LAYOUT, i) - one.getAtIndex(Floats.LAYOUT, i);
                    sum += d * d;
                }
                gap[k] = Math.sqrt(sum / n);
            }
        }
        double slope1 = Math.log(gap[0] / gap[1]) / Math.log(2);
        double slope2 = Math.log(gap[1] / gap[2]) / Math.log(2);
        report(String.format(Locale.ROOT, "CLAIM 1: gap %.3e, %.3e, %.3e at eta 0.2, 0.1, 0.05: order %.3f, %.3f",
                gap[0], gap[1], gap[2], slope1, slope2));
        assertTrue(Math.abs(slope1 - 2) < 0.05 && Math.abs(slope2 - 2) < 0.05, "gap does not shrink like eta^2");
    }

    /** The batch gradient of ½a(φ − x)² at the segment's values, averaged over one or two examples. */
    private static MemorySegment gradient(Arena arena, double[] a, MemorySegment phi, float[] x1, float[] x2) {
        MemorySegment g = Floats.allocate(arena, a.length);
        for (int i = 0; i < a.length; i++) {
            double p = phi.getAtIndex(Floats.LAYOUT, i);
            double v = x2 == null ? a[i] * (p - x1[i]) : a[i] * (p - (x1[i] + (double) x2[i]) / 2);
            g.setAtIndex(Floats.LAYOUT, i, (float) v);
        }
        return g;
    }

    /** Claim 2: standard momentum (η, μ) and non-standard (η/(1−μ), μ) follow the same trajectory. */
    @Example
    void bothMomentumParameterizationsGiveTheSameTrajectory() {
        double eta = 0.01;
        double mu = 0.9;
        try (Simulation standard = new Simulation(2000, 2, 7);
             Simulation averaged = new Simulation(2000, 2, 7)) {
            standard.run(3000, 1, t -> new HeavyBallMomentum(eta, mu));
            averaged.run(3000, 1, t -> new AveragedMomentum(eta / (1 - mu), mu));
            double[] a = standard.values();
            double[] b = averaged.values();
            double worst = 0;
            for (int i = 0; i < a.length; i++) {
                worst = Math.max(worst, Math.abs(a[i] - b[i]));
            }
            report(String.format(Locale.ROOT, "CLAIM 2: after 3000 steps the parameterizations differ by at most"
                    + " %.2e (values of order %.2f)", worst, Math.sqrt(Simulation.meanSquare(a))));
            assertTrue(worst < 1e-4, "trajectories drifted apart by " + worst);
        }
    }

    /** Claim 3: at fixed small η', μ = 0 and μ = 0.9 reach the same loss; at large η' they do not. */
    @Example
    void momentumDoesNothingAtSmallRateButMattersAtLargeRate() {
        double[] ratios = new double[2];
        double[] rates = {0.01, 1.0};
        for (int k = 0; k < 2; k++) {
            double rate = rates[k];
            long steps = rate < 0.1 ? 3000 : 600;
            try (Simulation plain = new Simulation(20_000, 0, 3);
                 Simulation heavy = new Simulation(20_000, 0, 4)) {
                plain.run(steps, 1, t -> new AveragedMomentum(rate, 0));
                heavy.run(steps, 1, t -> new AveragedMomentum(rate, 0.9));
                ratios[k] = heavy.meanLoss() / plain.meanLoss();
            }
        }
        // Each mean of β² over 20 000 runs has a relative standard error of sqrt(2/20 000) = 1%.
        double band = Z * Math.sqrt(2) * Math.sqrt(2.0 / 20_000);
        report(String.format(Locale.ROOT, "CLAIM 3: loss ratio mu=0.9 / mu=0 is %.3f at eta'=0.01 (agreement band"
                + " +-%.3f), %.3f at eta'=1.0", ratios[0], band, ratios[1]));
        assertTrue(Math.abs(ratios[0] - 1) < band + 0.01, "mu changed the loss at small eta'");
        assertTrue(ratios[1] < 0.75, "the claim should stop holding at large eta'");
    }

    /** Claim 4: the running average equals its closed form; Adam's bias correction removes the bias. */
    @Example
    void runningAveragesMatchTheClosedFormAndBiasCorrectionWorks() {
        int n = 100_000;
        double bigN = 10;
        SplittableRandom random = new SplittableRandom(9);
        try (Arena arena = Arena.ofConfined()) {
            AveragedMomentum average = new AveragedMomentum(0, 1 - 1 / bigN);
            OptimizerState state = average.newState(64, arena);
            MemorySegment params = Floats.allocate(arena, 64);
            double[][] xs = new double[40][64];
            double worst = 0;
            for (int t = 0; t < 40; t++) {
                for (int i = 0; i < 64; i++) {
                    xs[t][i] = (float) random.nextGaussian();
                }
                MemorySegment g = Floats.allocate(arena, 64);
                for (int i = 0; i < 64; i++) {
                    g.setAtIndex(Floats.LAYOUT, i, (float) xs[t][i]);
                }
                Engine.create().step(average, state, params, g);
                for (int i = 0; i < 64; i++) {
                    double closed = 0;
                    for (int s = 0; s <= t; s++) {
                        closed += Math.pow(1 - 1 / bigN, t - s) * xs[s][i] / bigN;
                    }
                    worst = Math.max(worst, Math.abs(closed - state.slot(AveragedMomentum.AVERAGE)
                            .getAtIndex(Floats.LAYOUT, i)));
                }
            }
            Adam adam = new Adam(0, 0.9, 0.999, 1e-8, 0, false, false);
            OptimizerState adamState = adam.newState(n, arena);
            MemorySegment p = Floats.allocate(arena, n);
            StringBuilder line = new StringBuilder();
            for (int t = 1; t <= 3; t++) {
                MemorySegment g = Floats.allocate(arena, n);
                for (int i = 0; i < n; i++) {
                    g.setAtIndex(Floats.LAYOUT, i, (float) (2 + random.nextGaussian()));
                }
                Engine.create().step(adam, adamState, p, g);
                double[] m = new double[n];
                for (int i = 0; i < n; i++) {
                    m[i] = adamState.slot(Adam.EXP_AVG).getAtIndex(Floats.LAYOUT, i);
                }
                double corrected = Simulation.mean(m) / (1 - Math.pow(0.9, t));
                double sd = Math.sqrt(Simulation.meanSquare(m) - Math.pow(Simulation.mean(m), 2)) / (1 - Math.pow(0.9, t));
                double halfWidth = Z * sd / Math.sqrt(n);
                line.append(String.format(Locale.ROOT, " t=%d: raw %.3f, corrected %.4f +- %.4f;", t,
                        Simulation.mean(m), corrected, halfWidth));
                assertTrue(Math.abs(corrected - 2) < halfWidth, "bias-corrected mean " + corrected + " is not 2");
                double predictedRaw = 2 * (1 - Math.pow(0.9, t));
                assertTrue(Math.abs(Simulation.mean(m) - predictedRaw) < halfWidth * (1 - Math.pow(0.9, t)),
                        "the uncorrected moment is not biased towards 0 by the factor 1 - beta1^t");
            }
            report(String.format(Locale.ROOT, "CLAIM 4: recursion vs closed form max |diff| %.2e over 40 steps;"
                    + " Adam first moment of N(2,1) data:%s", worst, line));
            assertTrue(worst < 1e-5, "running average differs from its closed form by " + worst);
        }
    }

    /** Claim 5: constant-rate SGD settles to the stationary variance η σ² / (B (2 − η)). */
    @Example
    void constantRateSgdSettlesToItsStationaryVariance() {
        double eta = 0.1;
        int batch = 4;
        try (Simulation sim = new Simulation(20_000, 0, 5)) {
            sim.run(400, batch, t -> Sgd.of(eta));
            double measured = Simulation.meanSquare(sim.values());
            double expected = eta / (batch * (2 - eta));
            double band = Z * Math.sqrt(2.0 / sim.runs);
            report(String.format(Locale.ROOT, "CLAIM 5: stationary variance %.5f, predicted %.5f (ratio %.3f, 99.9%%"
                    + " band +-%.3f)", measured, expected, measured / expected, band));
            assertTrue(Math.abs(measured / expected - 1) < band, "variance off the prediction");
        }
    }

    /** Claim 6: with η_t = η₀/(1 + t/τ) the iterate converges; with a constant rate it stalls. */
    @Example
    void inverseTimeScheduleConvergesWhereAConstantRateStalls() {
        Schedule inverse = Schedule.inverseTime(10);
        double[] decaying = new double[2];
        double[] constant = new double[2];
        try (Simulation sim = new Simulation(4000, 3, 6);
             Simulation flat = new Simulation(4000, 3, 6)) {
            sim.run(1000, 1, t -> inverse.at(Sgd.of(0.5), t));
            flat.run(1000, 1, t -> Sgd.of(0.05));
            decaying[0] = Simulation.meanSquare(sim.values());
            constant[0] = Simulation.meanSquare(flat.values());
            sim.run(9000, 1, t -> inverse.at(Sgd.of(0.5), t + 1000));
            flat.run(9000, 1, t -> Sgd.of(0.05));
            decaying[1] = Simulation.meanSquare(sim.values());
            constant[1] = Simulation.meanSquare(flat.values());
        }
        double band = Z * Math.sqrt(2.0 / 4000);
        report(String.format(Locale.ROOT, "CLAIM 6: mean squared error at t=1000 and 10000: inverse-time %.5f -> %.6f"
                        + " (x%.1f smaller); constant 0.05 %.5f -> %.5f (stationary %.5f)", decaying[0], decaying[1],
                decaying[0] / decaying[1], constant[0], constant[1], 0.05 / (2 - 0.05)));
        assertTrue(decaying[1] < decaying[0] / 4, "the inverse-time schedule did not keep converging");
        assertTrue(Math.abs(constant[1] / constant[0] - 1) < 2 * band, "the constant rate did not stall");
    }

    /** Claim 7: steps η/N repeated N·t times approach gradient flow as N grows; the loss never rises. */
    @Example
    void smallStepsApproachGradientFlowWithoutEverRaisingTheLoss() {
        double[] a = {0.5, 1, 2};
        double[] errors = new double[4];
        int[] ns = {1, 10, 100, 1000};
        for (int k = 0; k < ns.length; k++) {
            int n = ns[k];
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment phi = Floats.copyOf(arena, new float[] {1, 1, 1});
                MemorySegment g = Floats.allocate(arena, 3);
                Sgd sgd = Sgd.of(1.0 / n);
                OptimizerState state = sgd.newState(3, arena);
                double loss = Double.POSITIVE_INFINITY;
                for (int s = 0; s < n; s++) {
                    double now = 0;
                    for (int i = 0; i < 3; i++) {
                        double p = phi.getAtIndex(Floats.LAYOUT, i);
                        now += 0.5 * a[i] * p * p;
                        g.setAtIndex(Floats.LAYOUT, i, (float) (a[i] * p));
                    }
                    assertTrue(n < 10 || now <= loss, "the loss rose at N=" + n + ", step " + s);
                    loss = now;
                    Engine.create().step(sgd, state, phi, g);
                }
                for (int i = 0; i < 3; i++) {
                    errors[k] = Math.max(errors[k], Math.abs(phi.getAtIndex(Floats.LAYOUT, i) - Math.exp(-a[i])));
                }
            }
        }
        report(String.format(Locale.ROOT, "CLAIM 7: max error against exp(-a t) at t=1: N=1 %.3e, N=10 %.3e,"
                + " N=100 %.3e, N=1000 %.3e", errors[0], errors[1], errors[2], errors[3]));
        for (int k = 1; k < ns.length; k++) {
            assertTrue(errors[k] < errors[k - 1] / 5, "error did not shrink like 1/N at N=" + ns[k]);
        }
    }
}
