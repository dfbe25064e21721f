package io.lanestep.perf;

import io.lanestep.Engine;
import io.lanestep.Floats;
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
        try (Arena arena = Arena.ofShared()) {
            MemorySegment p = params(arena, 256);
            MemorySegment g = grads(arena, 256);
            OptimizerState state = optimizer.newState(256, arena);
            for (int i = 0; i < 20_000; i++) {
                engine.step(optimizer, state, p, g);
            }
        }
    }
}
