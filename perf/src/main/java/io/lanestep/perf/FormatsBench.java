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
    public void setUp() {
        arena = Arena.ofShared();
        formats = formats(format);
        parts = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        engine = Engine.create(LaneWidth.preferred(), parts);
        pool = Executors.newFixedThreadPool(parts);
        params = convert(Blocks.params(arena, size), formats.params());
        grads = convert(Blocks.grads(arena, size), formats.grads());
        adam = Adam.defaults();
        state = adam.newState(size, arena, formats);
        m = state.slot(Adam.EXP_AVG);
        v = state.slot(Adam.EXP_AVG_SQ);
        master = formats.masterWeights() ? state.master() : null;
        compile(engine, adam, formats);
    }

    /** {@code floats} in {@code format} (itself for FP32). */
    private MemorySegment convert(MemorySegment floats, Format format) {
        if (format == Format.FP32) {
            return floats;
        }
        MemorySegment s = arena.allocate(size * format.bytes(), 64);
        for (long i = 0; i < size; i++) {
            format.set(s, i, floats.getAtIndex(ValueLayout.JAVA_FLOAT, i));
        }
        return s;
    }

    /** As {@link Blocks#compile}, on a small block of the same formats. */
    private static void compile(Engine engine, Optimizer adam, Formats formats) {
        // 4096 elements: the smallest block that keeps 8-bit moments.
        try (Arena small = Arena.ofShared()) {
            MemorySegment p = small.allocate(4096L * formats.params().bytes(), 64);
            MemorySegment g = small.allocate(4096L * formats.grads().bytes(), 64);
            OptimizerState s = adam.newState(4096, small, formats);
            for (int i = 0; i < 2_000; i++) {
                engine.step(adam, s, p, g);
            }
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
        engine.step(adam, state, params, grads);
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
