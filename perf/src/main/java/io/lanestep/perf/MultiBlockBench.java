package io.lanestep.perf;

import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import java.lang.foreign.Arena;
import java.util.ArrayList;
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

/** A model of many small blocks against one block of the same total size: the per-block overhead. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MultiBlockBench {
    @Param({"1000"})
    public int blocks;

    @Param({"1024"})
    public int blockSize;

    @Param({"adam"})
    public String optimizer;

    private Arena arena;
    private Engine engine;
    private Optimizer config;
    private List<Block> many;
    private List<Block> one;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        engine = Engine.create(LaneWidth.preferred());
        config = Workloads.optimizer(optimizer);
        many = blocks(blocks);
        long total = (long) blocks * blockSize;
        one = List.of(new Block(config.newState(total, arena), Blocks.params(arena, total), Blocks.grads(arena, total)));
        Blocks.compile(engine, config);
        // The list's own path (validation, claims, binding per block) compiled too: through a 100 ms
        // warm-up alone it measured 182 B and 1.25 ns/element per step against 57 B and 0.80.
        List<Block> few = blocks(16);
        Blocks.untilCompiled(() -> engine.step(config, few));
    }

    /** {@code count} separately allocated blocks of {@code blockSize}, each with its own state. */
    private List<Block> blocks(int count) {
        List<Block> list = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            list.add(new Block(config.newState(blockSize, arena), Blocks.params(arena, blockSize),
                    Blocks.grads(arena, blockSize)));
        }
        return list;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void manyBlocks() {
        long start = Plant.start();
        engine.step(config, many);
        Plant.finish(start);
    }

    @Benchmark
    public void oneBlock() {
        long start = Plant.start();
        engine.step(config, one);
        Plant.finish(start);
    }
}
