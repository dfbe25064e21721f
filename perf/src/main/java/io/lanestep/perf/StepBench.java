package io.lanestep.perf;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.HeavyBallMomentum;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
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

/** One engine step per invocation, per optimizer, lane width and block size. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StepBench {
    @Param({"SCALAR", "BITS_64", "BITS_128", "BITS_256", "BITS_512"})
    public String width;

    @Param({"65536"})
    public int size;

    @Param({"sgd", "sgd_nesterov_wd", "heavy_ball"})
    public String optimizer;

    private Arena arena;
    private Engine engine;
    private Optimizer config;
    private OptimizerState state;
    private MemorySegment params;
    private MemorySegment grads;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        engine = Engine.create(LaneWidth.valueOf(width));
        config = switch (optimizer) {
            case "sgd" -> Sgd.of(1e-3);
            case "sgd_nesterov_wd" -> new Sgd(1e-3, 0.9, 0, 1e-4, true, false);
            case "heavy_ball" -> new HeavyBallMomentum(1e-3, 0.9);
            default -> throw new IllegalArgumentException("unknown optimizer " + optimizer);
        };
        SplittableRandom random = new SplittableRandom(1);
        params = Floats.allocate(arena, size);
        grads = Floats.allocate(arena, size);
        for (long i = 0; i < size; i++) {
            params.setAtIndex(Floats.LAYOUT, i, (float) random.nextGaussian());
            grads.setAtIndex(Floats.LAYOUT, i, (float) random.nextGaussian() * 1e-3f);
        }
        state = config.newState(size, arena);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void step() {
        engine.step(config, state, params, grads);
    }
}
