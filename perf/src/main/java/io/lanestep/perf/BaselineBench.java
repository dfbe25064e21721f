package io.lanestep.perf;

import io.lanestep.Floats;
import io.lanestep.Optimizer;
import io.lanestep.reference.Reference;
import io.lanestep.reference.ReferenceState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * What an engine step is compared with, on the same block: the scalar reference (the plain Java
 * loop over {@code float[]}, which C2 may auto-vectorize) and the roofline kernel that moves the
 * optimizer's bytes with trivial arithmetic. The plain loop over a {@code MemorySegment} is the
 * engine's own scalar kernel, measured by {@link OptimizerBench} at width SCALAR.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BaselineBench {
    @Param({"4096", "65536", "1048576", "16777216", "67108864"})
    public long size;

    @Param({"adam"})
    public String optimizer;

    /** Threads for the roofline; 0 means all available processors. The reference is single-threaded. */
    @Param({"1"})
    public int threads;

    private Arena arena;
    private Optimizer config;
    private MemorySegment params;
    private MemorySegment grads;
    private MemorySegment[] slots;
    private float[] heapParams;
    private float[] heapGrads;
    private ReferenceState referenceState;
    private ExecutorService pool;
    private int parts;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams benchmark) {
        arena = Arena.ofShared();
        config = Workloads.optimizer(optimizer);
        params = Blocks.params(arena, size);
        grads = Blocks.grads(arena, size);
        slots = new MemorySegment[config.stateKeys().size()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = Floats.allocate(arena, size);
        }
        parts = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        pool = Executors.newFixedThreadPool(parts);
        if (size <= Integer.MAX_VALUE / 2) {
            heapParams = Floats.toArray(params);
            heapGrads = Floats.toArray(grads);
            referenceState = new ReferenceState(config, (int) size);
        }
        if (benchmark.getBenchmark().endsWith("roofline")) {
            compileRoofline();
        } else {
            compileReference();
        }
    }

    /**
     * The roofline compiled on a small block first, as {@link Blocks#compile} does the engine's:
     * its vectors stay boxed for the first few hundred milliseconds (17.6 ns/element and 1 MB per
     * 64K step through a 100 ms warm-up, against 0.22).
     */
    private void compileRoofline() {
        int n = 1024;
        try (Arena small = Arena.ofShared()) {
            MemorySegment p = Blocks.params(small, n);
            MemorySegment g = Blocks.grads(small, n);
            MemorySegment[] s = new MemorySegment[slots.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = Floats.allocate(small, n);
            }
            Blocks.untilCompiled(() -> Roofline.run(p, g, s, 0, n));
        }
    }

    /** The reference's scalar loop compiled on a small block (it has no vectors to box, so a count of steps). */
    private void compileReference() {
        float[] p = new float[256];
        float[] g = new float[256];
        java.util.Arrays.fill(p, 1f);
        java.util.Arrays.fill(g, 1e-3f);
        ReferenceState state = new ReferenceState(config, p.length);
        for (int i = 0; i < 20_000; i++) {
            Reference.step(config, p, g, state);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdownNow();
        arena.close();
    }

    @Benchmark
    public void reference() {
        Reference.step(config, heapParams, heapGrads, referenceState);
    }

    @Benchmark
    public void roofline() throws Exception {
        // One thread calls the kernel directly: the lambda would be an allocation, and this is the allocation-free baseline.
        if (parts == 1) {
            Roofline.run(params, grads, slots, 0, size);
        } else {
            Ranges.run(pool, parts, size, (from, to) -> Roofline.run(params, grads, slots, from, to));
        }
    }
}
