package io.lanestep.perf;

/**
 * One JMH result: which benchmark ran (an engine width, {@code reference}, {@code roofline},
 * {@code many_blocks} or {@code one_block}), on what, and how long one step took.
 *
 * @param kind           engine lane width name, or the baseline's name
 * @param optimizer      workload name
 * @param size           floats per block (total floats for the multi-block pair)
 * @param threads        threads sharing the step (resolved, never 0)
 * @param microsPerStep  JMH's average time per step
 * @param bytesPerStep   JMH gc profiler's allocation per step, or NaN
 */
record Measurement(String kind, String optimizer, long size, int threads, double microsPerStep,
                   double bytesPerStep) {

    double nsPerElement() {
        return microsPerStep * 1000 / size;
    }
}
