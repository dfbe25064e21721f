package io.lanestep.perf.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One training run's measurements: per-step times, test accuracy per epoch, the loss curve. */
final class Run {
    final String stack;
    final String model;
    final long parameters;
    final String optimizer;
    final int threads;
    final List<Double> accuracy = new ArrayList<>();
    final List<Double> loss = new ArrayList<>();
    private final List<Long> forwardBackward = new ArrayList<>();
    private final List<Long> step = new ArrayList<>();

    Run(String stack, String model, long parameters, String optimizer, int threads) {
        this.stack = stack;
        this.model = model;
        this.parameters = parameters;
        this.optimizer = optimizer;
        this.threads = threads;
    }

    void time(long forwardBackwardNanos, long stepNanos) {
        forwardBackward.add(forwardBackwardNanos);
        step.add(stepNanos);
    }

    double medianForwardBackwardMs() {
        return median(forwardBackward);
    }

    double medianStepMs() {
        return median(step);
    }

    private static double median(List<Long> nanos) {
        // The first steps run cold (JIT, allocator): medians over the rest.
        long[] sorted = nanos.stream().skip(Math.min(20, nanos.size() / 2)).mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2] / 1e6;
    }
}
