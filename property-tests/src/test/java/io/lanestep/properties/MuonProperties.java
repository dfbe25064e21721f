package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.Muon;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import io.lanestep.reference.MuonReference;
import io.lanestep.reference.ReferenceState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Muon's kernel (the momentum passes and the Newton-Schulz products) equals the scalar reference
 * bit for bit, in both precisions, at every lane width and with one or two threads, for matrices
 * of any shape and orientation, over several steps.
 */
class MuonProperties implements OptimizerDomain {

    @Provide
    Arbitrary<Muon> muons() {
        return net.jqwik.api.Combinators.combine(Arbitraries.of(1e-3, 0.02, 0.5), Arbitraries.of(0.0, 0.1),
                Arbitraries.of(0.0, 0.3, 0.95), Arbitraries.of(true, false), Arbitraries.of(0, 1, 5),
                Arbitraries.of(Muon.AdjustLr.values()), Arbitraries.of(Muon.Precision.values()))
                .as((lr, wd, momentum, nesterov, steps, adjust, precision) -> new Muon(lr, wd, momentum, nesterov,
                        3.4445, -4.7750, 2.0315, 1e-7, steps, adjust, precision));
    }

    @Property(tries = 120)
    void kernelEqualsReference(@ForAll("muons") Muon muon, @ForAll("widths") LaneWidth width,
                               @ForAll @IntRange(min = 1, max = 2) int threads,
                               @ForAll @IntRange(min = 1, max = 40) int rows, @ForAll @IntRange(min = 1, max = 40) int cols,
                               @ForAll @IntRange(min = 1, max = 3) int steps, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = rows * cols;
        float[] expected = Data.NORMAL.fill(n, random);
        ReferenceState reference = ReferenceState.muon(muon, rows, cols);
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create(width, threads)) {
            MemorySegment params = Floats.copyOf(arena, expected);
            OptimizerState state = muon.newState(rows, cols, arena);
            for (int t = 0; t < steps; t++) {
                // Mostly finite gradients: one NaN or infinity makes the whole update NaN.
                float[] g = (t == 2 ? Data.SPECIAL : Data.NORMAL).fill(n, random);
                MuonReference.step(muon, expected, g, reference);
                engine.step(muon, state, params, Floats.copyOf(arena, g));
                String where = muon + " " + rows + "x" + cols + " at " + width + " x" + threads + ", step " + (t + 1);
                assertArrayEquals(reference.slot(Sgd.MOMENTUM_BUFFER), Floats.toArray(state.slot(Sgd.MOMENTUM_BUFFER)),
                        where + " momentum_buffer");
                assertArrayEquals(expected, Floats.toArray(params), where + " params");
            }
        }
    }

    /**
     * Matrices of several of the products' 64-column panels and 4-row blocks, with remainders of
     * both, step to the reference's bits as the small ones do.
     */
    @Property(tries = 3)
    void largeMatricesEqualTheReference(@ForAll("muons") Muon muon, @ForAll("widths") LaneWidth width,
                                          @ForAll @IntRange(min = 129, max = 300) int rows,
                                          @ForAll @IntRange(min = 129, max = 300) int cols, @ForAll long seed) {
        kernelEqualsReference(muon, width, 1, rows, cols, 1, seed);
    }

    /** Warming Muon up (on a small matrix of its own) leaves a first real step as it would be. */
    @Property(tries = 3)
    void warmUpTakesMuon(@ForAll("muons") Muon muon, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] p0 = Data.NORMAL.fill(6 * 5, random);
        float[] g = Data.NORMAL.fill(6 * 5, random);
        try (Arena arena = Arena.ofConfined(); Engine warm = Engine.create(LaneWidth.preferred());
             Engine cold = Engine.create(LaneWidth.preferred())) {
            warm.warmUp(java.util.List.of(muon));
            MemorySegment a = Floats.copyOf(arena, p0);
            MemorySegment b = Floats.copyOf(arena, p0);
            warm.step(muon, muon.newState(6, 5, arena), a, Floats.copyOf(arena, g));
            cold.step(muon, muon.newState(6, 5, arena), b, Floats.copyOf(arena, g));
            assertArrayEquals(Floats.toArray(b), Floats.toArray(a));
        }
    }

    /** A checkpointed Muon state resumes as the one that went on: the same buffer, the same parameters. */
    @Property(tries = 20)
    void aRestoredStateStepsAsTheSavedOne(@ForAll("muons") Muon muon, @ForAll @IntRange(min = 1, max = 20) int rows,
                                          @ForAll @IntRange(min = 1, max = 20) int cols, @ForAll long seed)
            throws java.io.IOException {
        SplittableRandom random = new SplittableRandom(seed);
        int n = rows * cols;
        java.nio.file.Path file = TempDirs.create("muon").resolve("muon.ckpt");
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create(LaneWidth.preferred())) {
            MemorySegment params = Floats.copyOf(arena, Data.NORMAL.fill(n, random));
            OptimizerState state = muon.newState(rows, cols, arena);
            engine.step(muon, state, params, Floats.copyOf(arena, Data.NORMAL.fill(n, random)));
            io.lanestep.Checkpoint.save(file, muon, java.util.List.of(state));
            OptimizerState restored = muon.newState(rows, cols, arena);
            io.lanestep.Checkpoint.restore(file, muon, java.util.List.of(restored));
            MemorySegment other = Floats.copyOf(arena, Floats.toArray(params));
            float[] g = Data.NORMAL.fill(n, random);
            engine.step(muon, state, params, Floats.copyOf(arena, g));
            engine.step(muon, restored, other, Floats.copyOf(arena, g));
            assertArrayEquals(Floats.toArray(params), Floats.toArray(other));
            assertArrayEquals(Floats.toArray(state.slot(Sgd.MOMENTUM_BUFFER)),
                    Floats.toArray(restored.slot(Sgd.MOMENTUM_BUFFER)));
        }
    }

    /** Muon for a matrix and AdamW for a bias in one engine call step as each would alone. */
    @Property(tries = 10)
    void oneCallStepsMuonAndAdamWGroups(@ForAll("muons") Muon muon, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int rows = 12;
        int cols = 9;
        io.lanestep.AdamW adamW = io.lanestep.AdamW.defaults();
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create(LaneWidth.preferred(), 2)) {
            float[] w0 = Data.NORMAL.fill(rows * cols, random);
            float[] b0 = Data.NORMAL.fill(cols, random);
            float[] gw = Data.NORMAL.fill(rows * cols, random);
            float[] gb = Data.NORMAL.fill(cols, random);
            MemorySegment w = Floats.copyOf(arena, w0);
            MemorySegment b = Floats.copyOf(arena, b0);
            OptimizerState ws = muon.newState(rows, cols, arena);
            OptimizerState bs = adamW.newState(cols, arena);
            engine.step(java.util.List.of(
                    new io.lanestep.Group(muon, java.util.List.of(new io.lanestep.Block(ws, w, Floats.copyOf(arena, gw)))),
                    new io.lanestep.Group(adamW, java.util.List.of(new io.lanestep.Block(bs, b, Floats.copyOf(arena, gb))))),
                    io.lanestep.NonFinite.THROW);
            MemorySegment w1 = Floats.copyOf(arena, w0);
            MemorySegment b1 = Floats.copyOf(arena, b0);
            engine.step(muon, muon.newState(rows, cols, arena), w1, Floats.copyOf(arena, gw));
            engine.step(adamW, adamW.newState(cols, arena), b1, Floats.copyOf(arena, gb));
            assertArrayEquals(Floats.toArray(w1), Floats.toArray(w));
            assertArrayEquals(Floats.toArray(b1), Floats.toArray(b));
        }
    }

    /** A matrix large enough for the workers to split its products by rows steps as one thread does. */
    @Property(tries = 4)
    void twoThreadsGiveOneThreadsBits(@ForAll("muons") Muon muon, @ForAll("widths") LaneWidth width,
                                      @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int rows = 330;
        int cols = 401;
        float[] p0 = Data.NORMAL.fill(rows * cols, random);
        float[] g = Data.NORMAL.fill(rows * cols, random);
        try (Arena arena = Arena.ofConfined(); Engine one = Engine.create(width, 1); Engine two = Engine.create(width, 2)) {
            MemorySegment a = Floats.copyOf(arena, p0);
            MemorySegment b = Floats.copyOf(arena, p0);
            OptimizerState sa = muon.newState(rows, cols, arena);
            OptimizerState sb = muon.newState(rows, cols, arena);
            for (int t = 0; t < 2; t++) {
                one.step(muon, sa, a, Floats.copyOf(arena, g));
                two.step(muon, sb, b, Floats.copyOf(arena, g));
            }
            assertArrayEquals(Floats.toArray(a), Floats.toArray(b), muon + " at " + width);
        }
    }
}
