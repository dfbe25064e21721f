package io.lanestep.perf;

import io.lanestep.Adam;
import io.lanestep.Engine;
import io.lanestep.Formats;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Bytes a single-threaded Adam step allocates, per format of {@link FormatsBench}, counted by the
 * JVM's allocation counter of the stepping thread. JMH's gc profiler cannot settle it for large
 * blocks: its own few KB per iteration, spread over the one or two steps a 64M-float iteration
 * holds, are thousands of bytes per step; the thread's counter sees only what the steps allocate.
 */
final class StepAllocation {
    /** Steps counted, after as many unmeasured ones (first-use allocations such as per-thread scratch). */
    private static final int STEPS = 4;

    private StepAllocation() {
    }

    /** Bytes per step of Adam with blocks of {@code size} elements stored as {@code format}. */
    static double bytesPerStep(String format, long size) {
        Formats formats = FormatsBench.formats(format);
        Optimizer adam = Adam.defaults();
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Engine engine = Engine.create(LaneWidth.preferred(), 1); Arena arena = Arena.ofShared()) {
            FormatsBench.compile(engine, adam, formats);
            MemorySegment params = FormatsBench.convert(arena, Blocks.params(arena, size), formats.params());
            MemorySegment grads = FormatsBench.convert(arena, Blocks.grads(arena, size), formats.grads());
            OptimizerState state = adam.newState(size, arena, formats);
            for (int i = 0; i < STEPS; i++) {
                engine.step(adam, state, params, grads);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < STEPS; i++) {
                engine.step(adam, state, params, grads);
            }
            return (double) (threads.getCurrentThreadAllocatedBytes() - before) / STEPS;
        }
    }
}
