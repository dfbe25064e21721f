package io.lanestep.perf;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Benchmark data: parameters near 1 and small gradients, so no optimizer overflows over many steps. */
final class Blocks {
    private Blocks() {
    }

    static MemorySegment params(Arena arena, long n) {
        return fill(Floats.allocate(arena, n), 1f, 0.5f);
    }

    static MemorySegment grads(Arena arena, long n) {
        return fill(Floats.allocate(arena, n), 0f, 1e-3f);
    }

    private static MemorySegment fill(MemorySegment s, float base, float spread) {
        long n = Floats.length(s);
        int seed = 12345;
        for (long i = 0; i < n; i++) {
            seed = seed * 1_103_515_245 + 12_345;
            s.setAtIndex(Floats.LAYOUT, i, base + spread * ((seed >>> 8) / (float) (1 << 24) - 0.5f));
        }
        return s;
    }

    /**
     * Steps a small block until C2 has compiled the kernel, so that JMH's warm-up measures compiled
     * code even for blocks so large that a few steps fill a whole warm-up iteration. The boxed
     * fallback that runs before C2 is 100x slower than the compiled kernel. The arena is shared like
     * the benchmark's: a kernel compiled for confined segments and then fed shared ones falls into
     * a recompilation storm (README, performance notes).
     */
    static void compile(Engine engine, Optimizer optimizer) {
        compile(engine, optimizer, Formats.FP32);
    }

    /** {@link #compile(Engine, Optimizer)} for float32 params and grads with state in {@code formats}. */
    static void compile(Engine engine, Optimizer optimizer, Formats formats) {
        // 8-bit state needs 4096 elements (smaller blocks keep float32 state). Prodigy sums groups of
        // 8 windows of 32 elements: a block must hold several for that path to run (on 256 elements
        // it never did, and the measured block's first steps ran it boxed, 24-49 ns/element at 64K).
        int n = formats.state() == Format.Q8 ? 4096 : 1024;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment p = params(arena, n);
            MemorySegment g = grads(arena, n);
            // A zero gradient sends one vector down the side of data-dependent branches that the
            // others skip (FormatsBench.compile has the measured case).
            g.setAtIndex(Floats.LAYOUT, 0, 0f);
            OptimizerState state = optimizer.newState(n, arena, formats);
            // Every measured block starts at step 1, whose branches (Adan's last gradient, SGD's first
            // momentum, ...) the warm-up's own first step took in the interpreter, outside C2's profile.
            // Compiled as never taken, they trapped on the measured block's first step, and Adan's
            // recompilation left the first 64K iterations boxed (72.9 ns/element against 1.1).
            int[] steps = {0};
            untilCompiled(() -> {
                if (++steps[0] % FIRST_STEP_EVERY == 0) {
                    state.importStep(0);
                }
                engine.step(optimizer, state, p, g);
            });
        }
    }

    /**
     * Runs {@code step} (a step of a block small enough to run on this thread) 20 000 times, then
     * on until a round of {@value #ROUND} steps allocates under a byte per step, or two minutes
     * pass. Until C2 has compiled every method on the path, each vector operation allocates a box;
     * a count of steps alone left the largest kernels (fp16 copies) in boxed code for the first
     * measured iterations of a 2-core machine, at 400 KB and 2x the time per step.
     */
    static void untilCompiled(Runnable step) {
        for (int i = 0; i < 20_000; i++) {
            step.run();
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long deadline = System.nanoTime() + 120_000_000_000L;
        long allocated;
        do {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < ROUND; i++) {
                step.run();
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        } while (allocated >= ROUND && System.nanoTime() < deadline);
        if (allocated >= ROUND) {
            System.err.printf("warm-up: still %d bytes per step after two minutes; the figures include boxed code%n",
                    allocated / ROUND);
        }
    }

    private static final int ROUND = 1_000;

    /** How often the compiling block restarts at step 1, so that C2 profiles the first step's path. */
    private static final int FIRST_STEP_EVERY = 100;
}
