package io.lanestep.perf;

import io.lanestep.Adam;
import io.lanestep.Engine;
import io.lanestep.Floats;
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

/**
 * Adam on a state full of subnormals (the moments of coordinates whose gradient has been 0 for a
 * long time, as a dead ReLU's: the prototype saw 10 000 of them after 900 steps), with
 * zero gradients so it stays so: each iteration starts from a subnormal state, which keeps
 * decaying without reaching 0 within it. With {@code flush} the engine stores those values as 0
 * after the first step.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SubnormalStateBench {
    /** A subnormal float well above the smallest, so a few thousand decays of 0.999 leave it subnormal. */
    static final float SUBNORMAL = 1e-39f;

    @Param({"false", "true"})
    public boolean flush;

    @Param({"65536"})
    public long size;

    @Param({"adam"})
    public String optimizer;

    private Arena arena;
    private Engine engine;
    private Optimizer config;
    private MemorySegment params;
    private MemorySegment grads;
    private OptimizerState state;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        engine = Engine.create(LaneWidth.preferred(), 1, flush);
        config = Workloads.optimizer(optimizer);
        params = Blocks.params(arena, size);
        grads = Floats.allocate(arena, size);
        state = config.newState(size, arena);
        Blocks.compile(engine, config);
    }

    @Setup(Level.Iteration)
    public void subnormalState() {
        state.slot(Adam.EXP_AVG).fill((byte) 0);
        for (long i = 0; i < size; i++) {
            state.slot(Adam.EXP_AVG_SQ).setAtIndex(Floats.LAYOUT, i, SUBNORMAL);
            state.slot(Adam.EXP_AVG).setAtIndex(Floats.LAYOUT, i, SUBNORMAL);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        arena.close();
    }

    @Benchmark
    public void step() {
        engine.step(config, state, params, grads);
    }
}
