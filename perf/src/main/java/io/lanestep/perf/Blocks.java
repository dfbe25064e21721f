package io.lanestep.perf;

import io.lanestep.Floats;
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

    static float[] toHeap(MemorySegment s) {
        return Floats.toArray(s);
    }
}
