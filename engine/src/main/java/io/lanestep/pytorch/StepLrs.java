package io.lanestep.pytorch;

import java.util.Arrays;

/**
 * The multiplicative schedulers, each in torch's recursive form (the next rate from the current
 * one) with its closed form for SequentialLR's restarts: StepLR, MultiStepLR, ExponentialLR,
 * LinearLR, PolynomialLR, ConstantLR.
 */
final class StepLrs extends LrScheduler {
    enum Kind { STEP, MULTI_STEP, EXPONENTIAL, LINEAR, POLYNOMIAL, CONSTANT }

    private final Kind kind;
    private final double gamma;
    private final long stepSize;
    private final long[] milestones;
    private final double startFactor;
    private final double endFactor;
    private final long totalIters;
    private final double power;

    private StepLrs(Kind kind, String name, ParamGroup group, double gamma, long stepSize, long[] milestones,
                    double startFactor, double endFactor, long totalIters, double power) {
        super(name, group);
        this.kind = kind;
        this.gamma = gamma;
        this.stepSize = stepSize;
        this.milestones = milestones;
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        this.power = power;
        initialStep();
    }

    static StepLrs create(Kind kind, Kwargs k, ParamGroup group) {
        String name = k.className();
        return switch (kind) {
            case STEP -> {
                long stepSize = k.integer("step_size", 0, true);
                if (stepSize <= 0) {
                    // torch accepts it and fails with ZeroDivisionError at the first step
                    throw new IllegalArgumentException("step_size must be a positive integer, got " + stepSize);
                }
                yield new StepLrs(kind, name, group, k.number("gamma", 0.1), stepSize, null, 0, 0, 0, 0);
            }
            case MULTI_STEP -> new StepLrs(kind, name, group, k.number("gamma", 0.1), 0, k.integers("milestones"),
                    0, 0, 0, 0);
            case EXPONENTIAL -> new StepLrs(kind, name, group, k.number("gamma", Double.NaN), 0, null, 0, 0, 0, 0);
            case LINEAR -> {
                double start = k.number("start_factor", 1.0 / 3);
                double end = k.number("end_factor", 1.0);
                if (start > 1.0 || start <= 0) {
                    throw new IllegalArgumentException("Starting multiplicative factor expected to be greater than 0"
                            + " and less or equal to 1.");
                }
                if (end > 1.0 || end < 0) {
                    throw new IllegalArgumentException("Ending multiplicative factor expected to be between 0 and 1.");
                }
                yield new StepLrs(kind, name, group, 0, 0, null, start, end, k.integer("total_iters", 5, false), 0);
            }
            case POLYNOMIAL -> new StepLrs(kind, name, group, 0, 0, null, 0, 0, k.integer("total_iters", 5, false),
                    k.number("power", 1.0));
            case CONSTANT -> {
                double factor = k.number("factor", 1.0 / 3);
                if (factor > 1.0 || factor < 0) {
                    throw new IllegalArgumentException("Constant multiplicative factor expected to be between 0"
                            + " and 1.");
                }
                yield new StepLrs(kind, name, group, 0, 0, null, factor, 0, k.integer("total_iters", 5, false), 0);
            }
        };
    }

    @Override
    double nextLr() {
        double lr = group.lr;
        long e = lastEpoch;
        return switch (kind) {
            case STEP -> e == 0 || e % stepSize != 0 ? lr : lr * gamma;
            case MULTI_STEP -> {
                long k = Arrays.stream(milestones).filter(m -> m == e).count();
                yield k == 0 ? lr : lr * LibM.pow(gamma, k);
            }
            case EXPONENTIAL -> initial ? lr : lr * gamma;
            case LINEAR -> {
                if (e == 0) {
                    yield lr * startFactor;
                }
                if (e > totalIters) {
                    yield lr;
                }
                yield lr * (1.0 + (endFactor - startFactor)
                        / (totalIters * startFactor + (e - 1) * (endFactor - startFactor)));
            }
            case POLYNOMIAL -> {
                if (initial || e > totalIters) {
                    yield lr;
                }
                double decay = LibM.pow((1.0 - (double) e / totalIters) / (1.0 - (double) (e - 1) / totalIters), power);
                yield lr * decay;
            }
            case CONSTANT -> {
                if (e == 0) {
                    yield lr * startFactor;
                }
                yield e != totalIters ? lr : lr * (1.0 / startFactor);
            }
        };
    }

    @Override
    double closedFormAtZero() {
        double base = baseLr;
        return switch (kind) {
            case STEP, EXPONENTIAL -> base * LibM.pow(gamma, 0);
            case MULTI_STEP -> base * LibM.pow(gamma, Arrays.stream(milestones).filter(m -> m <= 0).count());
            case POLYNOMIAL -> base * LibM.pow(1.0 - 0.0 / totalIters, power);
            case LINEAR -> base * (startFactor + (endFactor - startFactor) * 0 / totalIters);
            case CONSTANT -> base * (startFactor + (totalIters <= 0 ? 1 : 0) * (1 - startFactor));
        };
    }
}
