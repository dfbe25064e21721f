package io.lanestep.perf;

import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Group;
import io.lanestep.LaneWidth;
import io.lanestep.NonFinite;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.WeightEma;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
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
 * Adam with a moving average of the weights, three ways in one run: the step alone (28 bytes
 * per element in float32), the step with the average written in its pass (36) and the step
 * followed by a pass of its own over params and average (40, what a training loop calling
 * torch's {@code AveragedModel} after the step does).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class WeightEmaBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final float WEIGHT = 1e-3f;

    @Param({"65536", "16777216"})
    public long size;

    private Arena arena;
    private Engine engine;
    private Optimizer adam;
    private OptimizerState state;
    private MemorySegment params;
    private MemorySegment grads;
    private MemorySegment ema;
    private List<Group> plain;
    private List<Group> averaged;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        engine = Engine.create(LaneWidth.preferred());
        adam = Workloads.optimizer("adam");
        state = adam.newState(size, arena);
        params = Blocks.params(arena, size);
        grads = Blocks.grads(arena, size);
        ema = Blocks.params(arena, size);
        Block block = new Block(state, params, grads);
        plain = List.of(new Group(adam, List.of(block)));
        averaged = List.of(new Group(adam, List.of(block.withEma(ema))).withEma(WeightEma.of(1 - WEIGHT)));
        Blocks.compile(engine, adam);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void step() {
        engine.step(plain, NonFinite.PROPAGATE);
    }

    @Benchmark
    public void stepWithFusedEma() {
        engine.step(averaged, NonFinite.PROPAGATE);
    }

    @Benchmark
    public void stepThenEmaPass() {
        engine.step(plain, NonFinite.PROPAGATE);
        // torch's lerp with a weight below 0.5: fma(w, p - e, e), the engine's arithmetic, in a pass of its own.
        FloatVector w = FloatVector.broadcast(S, WEIGHT);
        long end = S.loopBound(size);
        for (long i = 0; i < end; i += S.length()) {
            long o = i * Float.BYTES;
            FloatVector e = FloatVector.fromMemorySegment(S, ema, o, ORDER);
            FloatVector p = FloatVector.fromMemorySegment(S, params, o, ORDER);
            w.fma(p.sub(e), e).intoMemorySegment(ema, o, ORDER);
        }
    }
}
