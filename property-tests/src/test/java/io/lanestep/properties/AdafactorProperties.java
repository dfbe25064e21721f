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
import io.lanestep.Group;
import io.lanestep.LaneWidth;
import io.lanestep.Numerics;
import io.lanestep.OptimizerState;
import io.lanestep.reference.AdafactorReference;
import io.lanestep.reference.ReferenceState;
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
 * native memory, on one and two threads (large matrices split across workers), and the factored
 * state checkpoints whole and refuses to be resharded.
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
