package io.lanestep;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** What {@link Engine#warmUp} steps: scratch blocks, with gradients that keep every state finite. */
final class Warmup {
    /** Floats per scratch block: 16 vectors of 512 bits, so most of the time is in the loops. */
    private static final int LENGTH = 256;
    /**
     * Steps per memory form. C2 compiles a method after about 10 000 invocations once its loop
     * is hot; 20 000 measured enough for every kernel at every width.
     */
    private static final int STEPS = 20_000;

    private Warmup() {
    }

    static void run(Engine engine, Optimizer optimizer) {
        float[] heapParams = new float[LENGTH];
        float[] heapGrads = new float[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            heapParams[i] = 1f + i / (float) LENGTH;
            heapGrads[i] = (i % 7 - 3) * 1e-3f;
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment params = Floats.copyOf(arena, heapParams);
            MemorySegment grads = Floats.copyOf(arena, heapGrads);
            step(engine, optimizer, optimizer.newState(LENGTH, arena), params, grads);
            step(engine, optimizer, optimizer.newState(LENGTH, arena), MemorySegment.ofArray(heapParams),
                    MemorySegment.ofArray(heapGrads));
        }
    }

    private static void step(Engine engine, Optimizer optimizer, OptimizerState state, MemorySegment params,
                             MemorySegment grads) {
        for (int i = 0; i < STEPS; i++) {
            engine.step(optimizer, state, params, grads);
        }
    }
}
