package io.lanestep.perf;

import io.lanestep.Engine;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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

/** One engine step of one block per invocation, per optimizer, lane width, block size and thread count. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OptimizerBench {
    /** A {@link LaneWidth} name or {@code PREFERRED}. */
    @Param({"SCALAR", "BITS_64", "BITS_128", "BITS_256", "BITS_512", "PREFERRED"})
    public String width;

    @Param({"4096", "65536", "1048576", "16777216", "67108864"})
    public long size;

    @Param({"adam"})
    public String optimizer;

    /**
     * How the state is stored: {@code fp32}, or {@code q8} (8-bit blockwise, {@code Format.Q8}; the
     * report measures fp32, {@code -p state=q8} gives an optimizer's 8-bit cost beside it).
     */
    @Param({"fp32"})
    public String state;

    /** Threads sharing one block's step; 0 means all available processors. */
    @Param({"1"})
    public int threads;

    private Arena arena;
    private Engine engine;
    private Optimizer config;
    private OptimizerState optimizerState;
    private MemorySegment params;
    private MemorySegment grads;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        LaneWidth lanes = width.equals("PREFERRED") ? LaneWidth.preferred() : LaneWidth.valueOf(width);
        engine = Engine.create(lanes, threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
        config = Workloads.optimizer(optimizer);
        params = Blocks.params(arena, size);
        grads = Blocks.grads(arena, size);
        Formats formats = switch (state) {
            case "fp32" -> Formats.FP32;
            case "q8" -> new Formats(Format.FP32, Format.FP32, Format.Q8);
            default -> throw new IllegalArgumentException("state " + state + "; use fp32 or q8");
        };
        optimizerState = config.newState(size, arena, formats);
        Blocks.compile(engine, config, formats);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        arena.close();
    }

    @Benchmark
    public void step() {
        long start = Plant.start();
        engine.step(config, optimizerState, params, grads);
        Plant.finish(start);
    }
}
