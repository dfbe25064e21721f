package io.lanestep.perf;

import io.lanestep.Adam;
import io.lanestep.Engine;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * Adam at the preferred width on blocks stored in each format ({@link #FORMATS}), and the
 * {@link FormatRoofline} that moves the same bytes, per block size and thread count.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FormatsBench {
    /** The formats measured, by the names the report uses. */
    static final java.util.List<String> FORMATS = java.util.List.of("fp32", "bf16_fp32state", "bf16", "fp16_fp32state",
            "fp16", "bf16_master", "bf16_stochastic", "fp32_q8", "bf16_q8");

    @Param({"fp32", "bf16_fp32state", "bf16", "fp16_fp32state", "fp16", "bf16_master", "bf16_stochastic", "fp32_q8",
            "bf16_q8"})
    public String format;

    @Param({"65536", "1048576", "16777216", "67108864"})
    public long size;

    /** Threads; 0 means all available processors. */
    @Param({"1"})
    public int threads;

    private Arena arena;
    private Engine engine;
    private Formats formats;
    private Optimizer adam;
    private OptimizerState state;
    private MemorySegment params;
    private MemorySegment grads;
    private MemorySegment m;
    private MemorySegment v;
    private MemorySegment master;
    private ExecutorService pool;
    private int parts;

    static Formats formats(String name) {
        return switch (name) {
            case "fp32" -> Formats.FP32;
            case "bf16_fp32state" -> Formats.halfParams(Format.BF16);
            case "bf16" -> Formats.all(Format.BF16);
            case "fp16_fp32state" -> Formats.halfParams(Format.FP16);
            case "fp16" -> Formats.all(Format.FP16);
            case "bf16_master" -> Formats.masterWeights(Format.BF16, Format.BF16);
            case "bf16_stochastic" -> Formats.stochasticRounding(Format.BF16, Format.FP32, 42);
            case "fp32_q8" -> new Formats(Format.FP32, Format.FP32, Format.Q8);
            case "bf16_q8" -> new Formats(Format.BF16, Format.BF16, Format.Q8);
            default -> throw new IllegalArgumentException("unknown format " + name + "; use one of " + FORMATS);
        };
    }

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams benchmark) {
        arena = Arena.ofShared();
        formats = formats(format);
        parts = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        engine = Engine.create(LaneWidth.preferred(), parts);
        pool = Executors.newFixedThreadPool(parts);
        params = convert(arena, Blocks.params(arena, size), formats.params());
        grads = convert(arena, Blocks.grads(arena, size), formats.grads());
        adam = Adam.defaults();
        state = adam.newState(size, arena, formats);
        m = state.slot(Adam.EXP_AVG);
        v = state.slot(Adam.EXP_AVG_SQ);
        master = formats.masterWeights() ? state.master() : null;
        if (benchmark.getBenchmark().endsWith(".roofline")) {
            compileRoofline(formats);
        } else {
            compile(engine, adam, formats);
        }
    }

    /** The roofline kernel of {@code formats} compiled on a small block, as {@link #compile} the step's. */
    private static void compileRoofline(Formats formats) {
        int n = 4096;
        try (Arena small = Arena.ofShared()) {
            MemorySegment p = convert(small, Blocks.params(small, n), formats.params());
            MemorySegment g = convert(small, Blocks.grads(small, n), formats.grads());
            OptimizerState s = Adam.defaults().newState(n, small, formats);
            MemorySegment mst = formats.masterWeights() ? s.master() : null;
            Blocks.untilCompiled(() -> FormatRoofline.run(formats, n, p, mst, g, s.slot(Adam.EXP_AVG),
                    s.slot(Adam.EXP_AVG_SQ), 0, n));
        }
    }

    /** {@code floats} in {@code format} (itself for FP32). */
    static MemorySegment convert(Arena arena, MemorySegment floats, Format format) {
        if (format == Format.FP32) {
            return floats;
        }
        long n = floats.byteSize() / Float.BYTES;
        MemorySegment s = arena.allocate(n * format.bytes(), 64);
        for (long i = 0; i < n; i++) {
            format.set(s, i, floats.getAtIndex(ValueLayout.JAVA_FLOAT, i));
        }
        return s;
    }

    /**
     * As {@link Blocks#compile}, on a small block of the same formats, with data like the measured
     * block's and one exact zero gradient. The kernel branches on whether a whole vector's
     * {@code sqrt(v)} lies in its exact-reciprocal range; a zero {@code v} (a zero gradient, or a
     * moment under fp16's smallest subnormal) sends the vector the other way. Compiled on zeros only
     * or on none, C2 made the unseen side a trap, and the measured block's first steps ran boxed in
     * the interpreter (76 ms a step at 64K fp16, 400 KB allocated) while the kernel was compiled
     * again: the first measured iterations were averaged in.
     */
    static void compile(Engine engine, Optimizer adam, Formats formats) {
        // 4096 elements: the smallest block that keeps 8-bit moments.
        try (Arena small = Arena.ofShared()) {
            MemorySegment p = convert(small, Blocks.params(small, 4096), formats.params());
            MemorySegment g = convert(small, Blocks.grads(small, 4096), formats.grads());
            formats.grads().set(g, 0, 0f);
            OptimizerState s = adam.newState(4096, small, formats);
            Blocks.untilCompiled(() -> engine.step(adam, s, p, g));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdownNow();
        engine.close();
        arena.close();
    }

    @Benchmark
    public void step() {
        long start = Plant.start();
        engine.step(adam, state, params, grads);
        Plant.finish(start);
    }

    @Benchmark
    public void roofline() throws Exception {
        if (parts == 1) {
            FormatRoofline.run(formats, size, params, master, grads, m, v, 0, size);
        } else {
            Ranges.run(pool, parts, size, (from, to) -> FormatRoofline.run(formats, size, params, master, grads, m, v,
                    from, to));
        }
    }
}
