package io.lanestep.perf;

import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Group;
import io.lanestep.LaneWidth;
import io.lanestep.NonFinite;
import io.lanestep.Optimizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
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
 * What gradient clipping costs: the global-norm pass alone, a plain step, and a step clipped by
 * norm (the norm pass, then the scale applied inside the fused update) or by value.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ClippingBench {
    @Param({"SCALAR", "BITS_128", "BITS_256", "BITS_512"})
    public String width;

    @Param({"65536", "16777216"})
    public long size;

    @Param({"adam"})
    public String optimizer;

    private Arena arena;
    private Engine engine;
    private List<Group> model;
    private List<MemorySegment> grads;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        engine = Engine.create(LaneWidth.valueOf(width));
        Optimizer config = Workloads.optimizer(optimizer);
        MemorySegment g = Blocks.grads(arena, size);
        Block block = new Block(config.newState(size, arena), Blocks.params(arena, size), g);
        model = List.of(new Group(config, List.of(block)));
        grads = List.of(g);
        Blocks.compile(engine, config);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        arena.close();
    }

    @Benchmark
    public double norm() {
        return engine.globalNorm(grads);
    }

    @Benchmark
    public boolean step() {
        return engine.step(model, NonFinite.PROPAGATE);
    }

    @Benchmark
    public boolean clipByNorm() {
        return engine.step(model, NonFinite.PROPAGATE, (float) Engine.clipCoefficient(1.0, engine.globalNorm(grads)));
    }

    @Benchmark
    public boolean clipByValue() {
        return engine.step(model, NonFinite.PROPAGATE, 1f, 1e-3f);
    }
}
