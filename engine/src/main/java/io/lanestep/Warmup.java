package io.lanestep;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * What {@link Engine#warmUp} steps: scratch blocks whose gradients keep every state finite and
 * take both sides of the kernels' data-dependent branches, so that C2 does not compile a path
 * away that real data then needs (an uncommon trap there would send the first real steps back to
 * the interpreter): the first 16 gradients are 0 (a vector that divides: see Reciprocal), the
 * others are not.
 */
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
            heapGrads[i] = i < 16 ? 0f : (i % 7 - 3.5f) * 1e-3f;
        }
        // Both kinds of segment exist before anything compiles: loading the heap segment class
        // later would invalidate the native loops C2 compiled meanwhile (a class-hierarchy
        // dependency), and the first real steps would run interpreted again.
        MemorySegment heapP = MemorySegment.ofArray(heapParams);
        MemorySegment heapG = MemorySegment.ofArray(heapGrads);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment params = Floats.copyOf(arena, heapParams);
            MemorySegment grads = Floats.copyOf(arena, heapGrads);
            step(engine, optimizer, state(optimizer, arena), params, grads);
            step(engine, optimizer, state(optimizer, arena), heapP, heapG);
        }
    }

    /** A flat state, or for Muon a 16 x 16 matrix's. */
    private static OptimizerState state(Optimizer optimizer, Arena arena) {
        return optimizer instanceof Muon m ? m.newState(16, LENGTH / 16, arena) : optimizer.newState(LENGTH, arena);
    }

    private static void step(Engine engine, Optimizer optimizer, OptimizerState state, MemorySegment params,
                             MemorySegment grads) {
        for (int i = 0; i < STEPS; i++) {
            engine.step(optimizer, state, params, grads);
        }
    }
}
