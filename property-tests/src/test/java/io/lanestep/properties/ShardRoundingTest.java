package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adam;
import io.lanestep.Checkpoint;
import io.lanestep.Checkpoint.Part;
import io.lanestep.Engine;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.LaneWidth;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Stochastic rounding keys each element's random bits by its place in the model: shards placed at
 * their offsets round exactly as the whole model does, and a run resharded through
 * {@code saveParts}/{@code restoreParts} into another split goes on with the same bits as the
 * uninterrupted whole, at every lane width.
 */
class ShardRoundingTest {
    private static final int N = 1000;
    private static final Adam ADAM = Adam.defaults().withLearningRate(1e-3);
    private static final Formats SR = Formats.stochasticRounding(Format.FP32, Format.FP32, 20261206);
    private static final int STEPS = 6;

    @Test
    void aReshardContinuesTheWholeModelsSequence() throws Exception {
        int[][] splits = {{1, 2}, {1, 3}, {1, 7}, {2, 1}, {3, 7}, {7, 2}};
        for (LaneWidth width : Optimizers.widths().allValues().orElseThrow().toList()) {
            for (int[] split : splits) {
                try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create(width)) {
                    SplittableRandom random = new SplittableRandom(3);
                    float[] p0 = Data.NORMAL.fill(N, random);
                    MemorySegment[] grads = new MemorySegment[STEPS];
                    for (int t = 0; t < STEPS; t++) {
                        grads[t] = SixteenBitKernelProperties.place(arena, Data.NORMAL.fill(N, random), Format.FP32, 0);
                    }
                    MemorySegment whole = SixteenBitKernelProperties.place(arena, p0, Format.BF16, 0);
                    OptimizerState wholeState = ADAM.newState(N, arena, SR);
                    for (MemorySegment g : grads) {
                        engine.step(ADAM, wholeState, whole, g);
                    }

                    MemorySegment sharded = SixteenBitKernelProperties.place(arena, p0, Format.BF16, 0);
                    List<Part> before = parts(arena, split[0]);
                    for (int t = 0; t < STEPS / 2; t++) {
                        step(engine, before, sharded, grads[t]);
                    }
                    Path dir = TempDirs.create("shard-rounding");
                    List<Path> files = new ArrayList<>();
                    for (int s = 0; s < before.size(); s++) {
                        files.add(dir.resolve("shard" + s));
                        Checkpoint.saveParts(files.getLast(), List.of(before.get(s)));
                    }
                    List<Part> after = new ArrayList<>();
                    for (Part p : parts(arena, split[1])) {
                        // Fresh states at offset 0: restoreParts places them.
                        after.add(new Part(p.offset(), ADAM.newState(p.state().length(), arena, SR)));
                    }
                    Checkpoint.restoreParts(files, after);
                    for (Part p : after) {
                        assertEquals(p.offset(), p.state().offset(), "restoreParts places each state at its part");
                    }
                    for (int t = STEPS / 2; t < STEPS; t++) {
                        step(engine, after, sharded, grads[t]);
                    }
                    assertArrayEquals(whole.toArray(ValueLayout.JAVA_BYTE), sharded.toArray(ValueLayout.JAVA_BYTE),
                            split[0] + " shards, then " + split[1] + ", at " + width + ": bf16 params");
                }
            }
        }
    }

    @Test
    void aShardNotPlacedAtItsOffsetIsRefusedBySaveParts() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            OptimizerState unplaced = ADAM.newState(500, arena, SR);
            Path file = TempDirs.create("shard-rounding").resolve("unplaced");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.saveParts(file, List.of(new Part(500, unplaced))));
            assertTrue(e.getMessage().contains("placeAt(offset)") && e.getMessage().contains("500"), e.getMessage());
            assertTrue(Files.notExists(file), "a refused save wrote the file");
            OptimizerState fp32 = ADAM.newState(500, arena);
            Checkpoint.saveParts(file, List.of(new Part(500, fp32)));
        }
    }

    /** {@code k} shards of the N elements, each state placed at its offset. */
    private static List<Part> parts(Arena arena, int k) {
        List<Part> parts = new ArrayList<>();
        for (int s = 0; s < k; s++) {
            long from = (long) N * s / k;
            long to = (long) N * (s + 1) / k;
            OptimizerState state = ADAM.newState(to - from, arena, SR);
            state.placeAt(from);
            parts.add(new Part(from, state));
        }
        return parts;
    }

    private static void step(Engine engine, List<Part> parts, MemorySegment params, MemorySegment grads) {
        for (Part p : parts) {
            long n = p.state().length();
            engine.step(ADAM, p.state(), params.asSlice(p.offset() * 2, n * 2),
                    grads.asSlice(p.offset() * Float.BYTES, n * Float.BYTES));
        }
    }
}
