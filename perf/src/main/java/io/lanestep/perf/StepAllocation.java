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
 *
 * <p>The report counts them in a JVM of their own, as JMH forks each benchmark: in the report's
 * JVM, after JMH's host and the other checks, C2 left both fp16 formats' loops boxed for the whole
 * two minutes {@link Blocks#untilCompiled} waits (24,960 and 74,880 bytes per warm-up step), while
 * a fresh JVM compiles them in about a second.
 */
final class StepAllocation {
    /** Steps counted, after as many unmeasured ones (first-use allocations such as per-thread scratch). */
    private static final int STEPS = 4;

    private StepAllocation() {
    }

    /** {@link #bytesPerStep} of each format, in order, counted by a new JVM on this class path. */
    static java.util.Map<String, Double> inFreshJvm(long size, java.util.List<String> formats) {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                ProcessHandle.current().info().command().orElse("java"), "--add-modules=jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), StepAllocation.class.getName(), Long.toString(size)));
        command.addAll(formats);
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            java.util.Map<String, Double> bytes = new java.util.LinkedHashMap<>();
            try (var lines = p.inputReader().lines()) {
                lines.map(line -> line.split(" ")).forEach(f -> bytes.put(f[0], Double.parseDouble(f[1])));
            }
            if (p.waitFor() != 0 || !bytes.keySet().equals(new java.util.LinkedHashSet<>(formats))) {
                throw new IllegalStateException("the allocation count of " + formats + " at " + size
                        + " failed (exit " + p.exitValue() + "); its errors are above");
            }
            return bytes;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Prints {@code format bytes} per line for {@code args}: a size, then formats. */
    public static void main(String[] args) {
        long size = Long.parseLong(args[0]);
        for (int i = 1; i < args.length; i++) {
            System.out.println(args[i] + " " + bytesPerStep(args[i], size));
        }
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
