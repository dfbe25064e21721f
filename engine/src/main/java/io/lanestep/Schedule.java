package io.lanestep;

import java.util.Objects;

/**
 * A learning-rate schedule: a factor on an optimizer's base learning rate, evaluated once per step
 * in scalar code ({@link #at}). Step {@code t} counts from 1, as optimizers count their steps.
 * Schedules compose by multiplication ({@link #times}), so a warm-up can front any decay.
 */
@FunctionalInterface
public interface Schedule {

    /** The factor on the base learning rate at step {@code t} (from 1). */
    double factor(long t);

    /**
     * The configuration to use at step {@code t}: {@code base} with its learning rate multiplied by
     * this schedule's factor. For the seed's signal-to-noise SGD the factor scales λ_η.
     */
    default Optimizer at(Optimizer base, long t) {
        double factor = factor(t);
        // The same configuration, without building and validating a copy of it every step.
        return factor == 1 ? base : base.withLearningRate(base.learningRate() * factor);
    }

    /** Both schedules at once: the product of their factors. */
    default Schedule times(Schedule other) {
        Objects.requireNonNull(other, "other");
        return t -> factor(t) * other.factor(t);
    }

    /**
     * This schedule started {@code steps} steps late: its first factor for steps 1 ... {@code steps},
     * then its own sequence from its step 1. Fronted by a warm-up of the same length, a decay then
     * starts where the warm-up ends: {@code linearWarmup(500).times(cosine.delayed(500))}.
     */
    default Schedule delayed(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps + "; pass the warm-up's length");
        }
        return t -> factor(Math.max(1, t - steps));
    }

    /** Factor 1 at every step. */
    static Schedule constant() {
        return t -> 1;
    }

    /** Multiplied by {@code gamma} every {@code every} steps (PyTorch's StepLR). */
    static Schedule step(long every, double gamma) {
        positive("every", every);
        Hyper.nonNegative("gamma", gamma);
        return t -> Math.pow(gamma, (t - 1) / every);
    }

    /** Multiplied by {@code gamma} every step (PyTorch's ExponentialLR). */
    static Schedule exponential(double gamma) {
        Hyper.nonNegative("gamma", gamma);
        return t -> Math.pow(gamma, t - 1);
    }

    /**
     * {@code 1/(1 + (t−1)/τ)}: goes to 0 while its sum diverges, so it meets the conditions of the
     * convergence theorem (seed §2); a constant rate does not.
     */
    static Schedule inverseTime(double tau) {
        Hyper.positive("tau", tau);
        return t -> 1 / (1 + (t - 1) / tau);
    }

    /**
     * Cosine annealing with warm restarts (SGDR; the "rate as temperature" of Huang et al. 2017):
     * from 1 down to {@code floor} over {@code period} steps, then again over a period
     * {@code growth} times longer, and so on.
     */
    static Schedule cosineRestarts(long period, double floor, double growth) {
        positive("period", period);
        Hyper.unitInterval("floor", floor);
        if (!(growth >= 1) || Double.isInfinite(growth)) {
            throw new IllegalArgumentException("growth must be finite and >= 1, got " + growth
                    + "; pass 1 for equal periods");
        }
        return t -> {
            double into = t - 1;
            double length = period;
            if (growth == 1) {
                // Exact for every t: a loop subtracting the period once per restart took O(t/period)
                // and never ended once t - 1 was past 2^53, where subtracting 1 changes nothing.
                into = into % length;
            } else {
                // The restart index in closed form, as PyTorch's CosineAnnealingWarmRestarts finds it,
                // then corrected by one period where rounding put it on the wrong side of a boundary.
                double n = Math.floor(Math.log(into / period * (growth - 1) + 1) / Math.log(growth));
                double start = period * (Math.pow(growth, n) - 1) / (growth - 1);
                length = period * Math.pow(growth, n);
                if (into < start) {
                    length /= growth;
                    start -= length;
                } else if (into - start >= length) {
                    start += length;
                    length *= growth;
                }
                into -= start;
            }
            return floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * into / length));
        };
    }

    /** Linear warm-up (Goyal et al. 2017): from {@code 1/steps} up to 1 over {@code steps} steps, then 1. */
    static Schedule linearWarmup(long steps) {
        positive("steps", steps);
        return t -> Math.min(1, (double) t / steps);
    }

    /**
     * Goyal et al.'s batch-size scaling as a schedule on the batch-1 rate η₁: the rate of a batch
     * of {@code batchSize} is {@code B·η₁} (seed §8), reached linearly from η₁ over
     * {@code warmupSteps} steps (0 for none).
     */
    static Schedule batchScaling(double batchSize, long warmupSteps) {
        Hyper.positive("batchSize", batchSize);
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
        }
        return t -> warmupSteps == 0 || t >= warmupSteps ? batchSize
                : 1 + (batchSize - 1) * (double) t / warmupSteps;
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }
}
