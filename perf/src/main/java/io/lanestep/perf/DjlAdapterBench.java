package io.lanestep.perf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.djl.LanestepOptimizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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

/**
 * What the DJL adapter costs per parameter: {@code parameters} small PyTorch tensors, each with the
 * gradient a backward pass gives it, stepped with Adam through {@code LanestepOptimizer.update} (what
 * DJL's parameter server calls once per parameter), against the same steps given to the engine
 * directly on the tensors' memory. The difference divided by {@code parameters} is the adapter's
 * overhead per parameter.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DjlAdapterBench {
    @Param({"100"})
    public int parameters;

    @Param({"adam"})
    public String optimizer;

    /** Floats per parameter: small, where the per-call cost shows. */
    static final String SIZE = "256";

    @Param({SIZE})
    public int size;

    private NDManager manager;
    private LanestepOptimizer adapter;
    private final List<NDArray> weights = new ArrayList<>();
    private final List<NDArray> grads = new ArrayList<>();
    private String[] ids;
    private Arena arena;
    private Engine engine;
    private Optimizer config;
    private List<List<Block>> direct;

    @Setup(Level.Trial)
    public void setUp() {
        manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
        config = Workloads.optimizer(optimizer);
        adapter = LanestepOptimizer.builder(config).optThreads(1).build();
        arena = Arena.ofShared();
        engine = Engine.create(LaneWidth.preferred(), 1);
        ids = new String[parameters];
        direct = new ArrayList<>();
        for (int i = 0; i < parameters; i++) {
            NDArray w = manager.randomNormal(new Shape(size));
            w.setRequiresGradient(true);
            NDArray g = manager.randomNormal(new Shape(size)).mul(1e-3f);
            // A backward pass gives the weight its gradient tensor, as in training: without one,
            // DJL's getGradient() makes a new zero tensor on every call.
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                collector.backward(w.mul(g).sum());
            }
            weights.add(w);
            grads.add(g);
            ids[i] = "p" + i;
            // The engine's own step over the same memory, as the adapter's would be without its calls.
            MemorySegment p = MemorySegment.ofBuffer(w.toByteBuffer(true));
            MemorySegment d = MemorySegment.ofBuffer(g.toByteBuffer(true));
            OptimizerState state = config.newState(size, arena);
            direct.add(List.of(new Block(state, p, d)));
        }
        Blocks.compile(engine, config);
        // The adapter's own path (DJL's calls) compiled too, before JMH's short warm-up.
        for (int i = 0; i < WARM_UP_STEPS; i++) {
            adapterUpdate();
        }
    }

    private static final int WARM_UP_STEPS = 200;

    @TearDown(Level.Trial)
    public void tearDown() {
        adapter.close();
        engine.close();
        arena.close();
        manager.close();
    }

    /** DJL's path: one {@code update} per parameter, each stepping it and zeroing its gradient. */
    @Benchmark
    public void adapterUpdate() {
        for (int i = 0; i < parameters; i++) {
            adapter.update(ids[i], weights.get(i), grads.get(i));
        }
    }

    /** The same steps given to the engine directly, one call per parameter. */
    @Benchmark
    public void engineStep() {
        for (int i = 0; i < parameters; i++) {
            engine.step(config, direct.get(i));
        }
    }
}
