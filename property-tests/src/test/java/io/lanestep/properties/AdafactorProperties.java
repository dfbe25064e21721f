package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adafactor;
import io.lanestep.Block;
import io.lanestep.Checkpoint;
import io.lanestep.CheckpointException;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.Group;
import io.lanestep.LaneWidth;
import io.lanestep.Numerics;
import io.lanestep.OptimizerState;
import io.lanestep.reference.AdafactorReference;
import io.lanestep.reference.ReferenceState;
import io.lanestep.reference.lowp.FormatReference;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Adafactor on matrices: the kernel equals its reference bit for bit at every width, in heap and
 * native memory and with 16-bit parameters, on one and two threads (large matrices split across
 * workers), and the factored state checkpoints whole and refuses to be resharded.
 */
class AdafactorProperties implements OptimizerDomain {

    @Provide
    Arbitrary<Adafactor> configs() {
        return Combinators.combine(Arbitraries.of(0.0, 1e-3, 0.02, 0.1), Arbitraries.of(-0.8, -0.5, 0.0),
                Arbitraries.of(Double.NaN, 0.0, 1e-30, 1e-3), Arbitraries.of(0.0, 1e-3), Arbitraries.of(1.0, 1.5),
                Arbitraries.of(0.0, 0.1), Arbitraries.of(true, false),
                Arbitraries.of(Numerics.TORCH_2_SINGLE, Numerics.TORCH_2_FOREACH)).as(Adafactor::new);
    }

    @Provide
    Arbitrary<Integer> sides() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(1, 40)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(380, 420)));
    }

    @Property(tries = 150)
    void matrixKernelEqualsTheReference(@ForAll("configs") Adafactor adafactor, @ForAll("widths") LaneWidth width,
                                        @ForAll("sides") int rows, @ForAll("sides") int cols,
                                        @ForAll @IntRange(min = 1, max = 2) int threads,
                                        @ForAll boolean heap, @ForAll @IntRange(min = 1, max = 4) int steps,
                                        @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = rows * cols;
        float[] p = Data.NORMAL.fill(n, random);
        float[] expected = p.clone();
        ReferenceState reference = ReferenceState.matrix(adafactor, rows, cols);
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create(width, threads)) {
            float[] heapParams = p.clone();
            MemorySegment params = heap ? MemorySegment.ofArray(heapParams) : Floats.copyOf(arena, p);
            OptimizerState state = adafactor.newState(rows, cols, arena);
            for (int t = 0; t < steps; t++) {
                float[] g = (t % 2 == 0 ? Data.NORMAL : Data.SPECIAL).fill(n, random);
                AdafactorReference.step(adafactor, expected, g, reference, rows, cols);
                engine.step(adafactor, state, params, heap ? MemorySegment.ofArray(g) : Floats.copyOf(arena, g));
                String where = adafactor + " " + rows + "x" + cols + " at " + width + ", " + threads + " threads, step "
                        + (t + 1);
                assertArrayEquals(expected, Floats.toArray(params), where + " params");
                assertArrayEquals(reference.slot(Adafactor.ROW_VAR), Floats.toArray(state.slot(Adafactor.ROW_VAR)),
                        where + " row_var");
                assertArrayEquals(reference.slot(Adafactor.COL_VAR), Floats.toArray(state.slot(Adafactor.COL_VAR)),
                        where + " col_var");
            }
        }
    }

    /**
     * 16-bit parameters and gradients over float32 statistics: the float32 step on the widened
     * values, each parameter then stored as its format keeps it ({@link FormatReference#roundParams}).
     */
    @Property(tries = 100)
    void sixteenBitMatrixEqualsTheReference(@ForAll("configs") Adafactor adafactor, @ForAll("widths") LaneWidth width,
                                            @ForAll("sides") int rows, @ForAll("sides") int cols,
                                            @ForAll("halfParams") Formats formats,
                                            @ForAll @IntRange(min = 1, max = 2) int threads,
                                            @ForAll @IntRange(min = 1, max = 3) int steps, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = rows * cols;
        float[] expected = Data.NORMAL.fill(n, random);
        FormatReference.round(expected, formats.params());
        ReferenceState reference = ReferenceState.matrix(adafactor, rows, cols);
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create(width, threads)) {
            MemorySegment params = SixteenBitKernelProperties.place(arena, expected, formats.params(), 0);
            OptimizerState state = adafactor.newState(rows, cols, arena, formats);
            for (int t = 0; t < steps; t++) {
                float[] g = (t % 2 == 0 ? Data.NORMAL : Data.SPECIAL).fill(n, random);
                FormatReference.round(g, formats.grads());
                long before = reference.step();
                AdafactorReference.step(adafactor, expected, g, reference, rows, cols);
                FormatReference.roundParams(expected, formats, before);
                engine.step(adafactor, state, params, SixteenBitKernelProperties.place(arena, g, formats.grads(), 1));
                String where = adafactor + " " + rows + "x" + cols + " with " + formats + " at " + width + ", "
                        + threads + " threads, step " + (t + 1);
                SixteenBitKernelProperties.compareParams(where, formats, state, params, expected);
                assertArrayEquals(reference.slot(Adafactor.ROW_VAR), Floats.toArray(state.slot(Adafactor.ROW_VAR)),
                        where + " row_var");
                assertArrayEquals(reference.slot(Adafactor.COL_VAR), Floats.toArray(state.slot(Adafactor.COL_VAR)),
                        where + " col_var");
            }
        }
    }

    /** bf16 or fp16 params with float32 or matching gradients; master weights; bf16 stochastic rounding. */
    @Provide
    Arbitrary<Formats> halfParams() {
        return Combinators.combine(Arbitraries.of(Format.BF16, Format.FP16), Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 2), Arbitraries.longs()).as((h, wideGrads, mode, seed) -> {
                    Format grads = wideGrads ? Format.FP32 : h;
                    return switch (mode) {
                        case 0 -> new Formats(h, grads, Format.FP32);
                        case 1 -> new Formats(h, grads, Format.FP32, true);
                        default -> h == Format.BF16 ? Formats.stochasticRounding(grads, Format.FP32, seed)
                                : new Formats(h, grads, Format.FP32);
                    };
                });
    }

    /**
     * Every fp16 value as params and grads of a 16-element vector, one step each: the vector
     * reductions widen fp16 by arithmetic of their own, which must give {@code Float.float16ToFloat}'s
     * value (the parameters' RMS scales the step, the gradients fill the variance). A finite value
     * shows in the step's bits; an infinity or a NaN makes the step NaN whatever it widens to, so
     * those are left to {@link #sixteenBitMatrixEqualsTheReference}, where they meet finite values.
     */
    @Example
    void everyFp16ValueIsReadAsItsValue() {
        Adafactor adafactor = new Adafactor(1.0, -0.8, Double.NaN, 0.0, 1.0, 0.0, false, Numerics.TORCH_2_SINGLE);
        Formats formats = Formats.halfParams(Format.FP16);
        Engine engine = Engine.create();
        int n = 16;
        for (int bits = 0; bits < 1 << 16; bits++) {
            float[] values = new float[n];
            java.util.Arrays.fill(values, Float.float16ToFloat((short) bits));
            float[] expected = values.clone();
            ReferenceState reference = FormatReference.newState(adafactor, n, formats);
            FormatReference.step(adafactor, formats, expected, values.clone(), reference);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment params = SixteenBitKernelProperties.place(arena, values, Format.FP16, 0);
                OptimizerState state = adafactor.newState(n, arena, formats);
                engine.step(adafactor, state, params, SixteenBitKernelProperties.place(arena, values, Format.FP16, 0));
                SixteenBitKernelProperties.compareParams("fp16 " + Integer.toHexString(bits), formats, state, params,
                        expected);
            }
        }
    }

    @Example
    void sixteenBitStateIsRefusedNamingTheFix() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Adafactor.defaults().newState(4, 8, arena, new Formats(Format.BF16, Format.BF16, Format.BF16)));
            assertTrue(e.getMessage().contains("Adafactor keeps float32 state")
                    && e.getMessage().contains("Formats.halfParams(BF16)"), e.getMessage());
        }
    }

    @Example
    void factoredStateCheckpointsWholeAndIsNeverResharded() throws IOException {
        Adafactor adafactor = Adafactor.defaults();
        Path file = TempDirs.create("ckpt").resolve("adafactor.ckpt");
        try (Arena arena = Arena.ofConfined()) {
            OptimizerState matrix = adafactor.newState(3, 5, arena);
            MemorySegment p = Floats.copyOf(arena, Data.NORMAL.fill(15, new SplittableRandom(3)));
            MemorySegment g = Floats.copyOf(arena, Data.NORMAL.fill(15, new SplittableRandom(4)));
            Engine.create().step(adafactor, matrix, p, g);
            Checkpoint.save(file, List.of(new Group(adafactor, List.of(new Block(matrix, p, g)))));
            OptimizerState back = adafactor.newState(3, 5, arena);
            Checkpoint.restore(file, List.of(new Group(adafactor, List.of(new Block(back, p, g)))));
            ModelCheckpointProperties.assertSameState("matrix", matrix, back);
            OptimizerState transposed = adafactor.newState(5, 3, arena);
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.restore(file,
                    List.of(new Group(adafactor, List.of(new Block(transposed, p, g))))));
            assertTrue(e.getMessage().contains("a state of another shape"), e.getMessage());
            OptimizerState vector = adafactor.newState(15, arena);
            e = assertThrows(CheckpointException.class, () -> Checkpoint.restore(file,
                    List.of(new Group(adafactor, List.of(new Block(vector, p, g))))));
            assertTrue(e.getMessage().contains("has 2 slots, but the optimizer has 1"), e.getMessage());
            e = assertThrows(CheckpointException.class, () -> Checkpoint.restoreParts(List.of(file),
                    List.of(new Checkpoint.Part(0, adafactor.newState(3, 5, arena)))));
            assertTrue(e.getMessage().contains("factored state"), e.getMessage());
            assertEquals(0, transposed.step());
            assertEquals(0, vector.step());
        }
    }
}
