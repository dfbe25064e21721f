package io.lanestep.perf;

import io.lanestep.Engine;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
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
 * One step of one block held in one kind of memory ({@link MemoryKinds}), in the spirit of the
 * JDK's {@code MemorySegmentVectorAccess}: {@code alone} compiles the kernel on that kind only;
 * {@code polluted} first steps every kind in turn in the same JVM (the measured one last), as a
 * library linked into a stack that mixes them would, so a profile that any kind spoiled shows
 * up as a lasting slowdown.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MemoryKindsBench {
    /** Steps of a small block per kind when polluting: enough for C2 to compile each kind's path. */
    private static final int POLLUTE_STEPS = 20_000;

    @Param({"SHARED", "CONFINED", "AUTO", "GLOBAL", "DIRECT", "HEAP", "MIXED"})
    public String kind;

    @Param({"false", "true"})
    public boolean polluted;

    @Param({"BITS_512"})
    public String width;

    @Param({"65536", "1048576"})
    public long size;

    @Param({"adam"})
    public String optimizer;

    private Arena owner;
    private Engine engine;
    private Optimizer config;
    private MemoryKinds.Operands block;
    private OptimizerState state;

    @Setup(Level.Trial)
    public void setUp() {
        owner = Arena.ofShared();
        engine = Engine.create(width.equals("PREFERRED") ? LaneWidth.preferred() : LaneWidth.valueOf(width));
        config = Workloads.optimizer(optimizer);
        MemoryKinds measured = MemoryKinds.valueOf(kind);
        if (polluted) {
            for (MemoryKinds other : MemoryKinds.ALL) {
                if (other != measured) {
                    compile(other);
                }
            }
        }
        compile(measured);
        block = measured.make(size, owner);
        state = config.newState(size, block.stateArena());
    }

    /** Steps a small block of {@code kind} until its kernel path is compiled. */
    private void compile(MemoryKinds k) {
        MemoryKinds.Operands small = k.make(256, owner);
        OptimizerState s = config.newState(256, small.stateArena());
        for (int i = 0; i < POLLUTE_STEPS; i++) {
            engine.step(config, s, small.params(), small.grads());
        }
        if (small.stateArena() != owner && k != MemoryKinds.AUTO) {
            small.stateArena().close();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (block.stateArena() != owner && !MemoryKinds.valueOf(kind).equals(MemoryKinds.AUTO)) {
            block.stateArena().close();
        }
        owner.close();
    }

    @Benchmark
    public void step() {
        engine.step(config, state, block.params(), block.grads());
    }
}
