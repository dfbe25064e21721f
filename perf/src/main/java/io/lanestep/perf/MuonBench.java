package io.lanestep.perf;

import io.lanestep.Engine;
import io.lanestep.LaneWidth;
import io.lanestep.Muon;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * A Muon step on one matrix (its five Newton-Schulz iterations are matrix products, 6·m²·k + 2·m³
 * flops each for an {@code m x k} update with {@code m <= k}), beside the core's float32 FMA peak:
 * a register-only loop of 8 independent vector FMA chains at the preferred width.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class MuonBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** FMAs per {@link #fmaPeak} call: 8 chains of this many steps, each {@code S.length()} lanes wide. */
    public static final int PEAK_STEPS = 1 << 20;
    /** The flops of one {@link #fmaPeak} call at the preferred width. */
    static final double PEAK_FLOPS = 2.0 * 8 * PEAK_STEPS * S.length();
    /** The report's workload name of this benchmark's rows. */
    static final String WORKLOAD = "muon";

    @Param({"1024x1024", "1024x4096"})
    public String shape;

    @Param({"FP32", "BF16"})
    public String precision;

    @Param({"1", "2"})
    public int threads;

    /** Newton-Schulz iterations: 5 is torch's; 0 leaves the rest of the step, so the difference is the products'. */
    @Param({"5"})
    public int nsSteps;

    private Arena arena;
    private Engine engine;
    private Muon muon;
    private OptimizerState state;
    private MemorySegment params;
    private MemorySegment grads;

    /** Rows and columns of a {@code ROWSxCOLS} shape. */
    static int[] dims(String shape) {
        String[] dims = shape.split("x");
        return new int[] {Integer.parseInt(dims[0]), Integer.parseInt(dims[1])};
    }

    /** Elements of a {@code ROWSxCOLS} shape. */
    static long elements(String shape) {
        int[] d = dims(shape);
        return (long) d[0] * d[1];
    }

    /**
     * The flops one Newton-Schulz iteration computes on {@code shape} ({@code m x k}, {@code m <= k}):
     * half of {@code X·Xᵀ} (the other half is mirrored), {@code A·A} and {@code B·X}:
     * {@code m²k + 2m³ + 2m²k}.
     */
    static double iterationFlops(String shape) {
        int[] d = dims(shape);
        double m = Math.min(d[0], d[1]);
        double k = Math.max(d[0], d[1]);
        return m * m * k + 2 * m * m * m + 2 * m * m * k;
    }

    @Setup(Level.Trial)
    public void setUp() {
        int[] d = dims(shape);
        int rows = d[0];
        int cols = d[1];
        arena = Arena.ofShared();
        engine = Engine.create(LaneWidth.preferred(), threads);
        Muon base = Muon.defaults().withLearningRate(0.02).withPrecision(Muon.Precision.valueOf(precision));
        muon = new Muon(base.lr(), base.weightDecay(), base.momentum(), base.nesterov(), base.a(), base.b(), base.c(),
                base.eps(), nsSteps, base.adjustLr(), base.precision());
        state = muon.newState(rows, cols, arena);
        params = Blocks.params(arena, (long) rows * cols);
        grads = Blocks.grads(arena, (long) rows * cols);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        arena.close();
    }

    @Benchmark
    public void step() {
        engine.step(muon, state, params, grads);
    }

    /** {@code 8 · PEAK_STEPS · S.length()} FMAs (twice as many flops) with no memory traffic. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public float fmaPeak() {
        FloatVector m = FloatVector.broadcast(S, 0.999999f);
        FloatVector c = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, 1f);
        FloatVector a1 = a0.add(c);
        FloatVector a2 = a1.add(c);
        FloatVector a3 = a2.add(c);
        FloatVector a4 = a3.add(c);
        FloatVector a5 = a4.add(c);
        FloatVector a6 = a5.add(c);
        FloatVector a7 = a6.add(c);
        for (int i = 0; i < PEAK_STEPS; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
