package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adam;
import io.lanestep.Checkpoint;
import io.lanestep.CheckpointException;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.NAdam;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Checkpoints resume training bit for bit, and every damaged or mismatched file is refused untouched. */
class CheckpointProperties implements OptimizerDomain {

    @Property(tries = 120)
    void saveRestoreContinueEqualsAnUninterruptedRun(@ForAll("optimizers") Optimizer optimizer,
                                                     @ForAll("widths") LaneWidth before,
                                                     @ForAll("widths") LaneWidth after,
                                                     @ForAll @IntRange(min = 1, max = 3) int blocks,
                                                     @ForAll @IntRange(max = 70) int length,
                                                     @ForAll @IntRange(min = 1, max = 4) int stepsBefore,
                                                     @ForAll @IntRange(min = 1, max = 4) int stepsAfter,
                                                     @ForAll long seed) throws IOException {
        Path file = TempDirs.create("ckpt").resolve("optimizer.ckpt");
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(seed);
            List<float[]> params0 = new ArrayList<>();
            List<List<float[]>> grads = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                params0.add(Data.SPECIAL.fill(length + b, random));
                List<float[]> g = new ArrayList<>();
                for (int t = 0; t < stepsBefore + stepsAfter; t++) {
                    g.add(Data.SPECIAL.fill(length + b, random));
                }
                grads.add(g);
            }
            // Uninterrupted run at the preferred width.
            List<MemorySegment> straight = new ArrayList<>();
            List<OptimizerState> straightStates = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                straight.add(Floats.copyOf(arena, params0.get(b)));
                straightStates.add(optimizer.newState(length + b, arena));
                for (float[] g : grads.get(b)) {
                    Engine.create().step(optimizer, straightStates.get(b), straight.get(b), Floats.copyOf(arena, g));
                }
            }
            // Interrupted run: steps at one width, save, restore into fresh states, continue at another.
            List<MemorySegment> resumed = new ArrayList<>();
            List<OptimizerState> first = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                resumed.add(Floats.copyOf(arena, params0.get(b)));
                first.add(optimizer.newState(length + b, arena));
                for (int t = 0; t < stepsBefore; t++) {
                    Engine.create(before).step(optimizer, first.get(b), resumed.get(b),
                            Floats.copyOf(arena, grads.get(b).get(t)));
                }
            }
            Checkpoint.save(file, optimizer, first);
            List<OptimizerState> second = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                second.add(optimizer.newState(length + b, arena));
            }
            Checkpoint.restore(file, optimizer, second);
            for (int b = 0; b < blocks; b++) {
                for (int t = stepsBefore; t < stepsBefore + stepsAfter; t++) {
                    Engine.create(after).step(optimizer, second.get(b), resumed.get(b),
                            Floats.copyOf(arena, grads.get(b).get(t)));
                }
                String where = optimizer + " block " + b;
                Harness.compare(where, "params", Floats.toArray(resumed.get(b)), Floats.toArray(straight.get(b)),
                        params0.get(b));
                for (String key : optimizer.stateKeys()) {
                    Harness.compare(where, key, Floats.toArray(second.get(b).slot(key)),
                            Floats.toArray(straightStates.get(b).slot(key)), params0.get(b));
                }
                for (String key : optimizer.scalarKeys()) {
                    assertEquals(straightStates.get(b).scalar(key), second.get(b).scalar(key), key);
                }
                assertEquals(straightStates.get(b).step(), second.get(b).step());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A small checkpoint of two NAdam blocks (slots, scalar state, step counter). */
    private static byte[] smallCheckpoint(Path file, Arena arena, List<OptimizerState> states) throws IOException {
        NAdam nadam = NAdam.defaults();
        for (int b = 0; b < 2; b++) {
            OptimizerState s = nadam.newState(3 + b, arena);
            MemorySegment p = Floats.copyOf(arena, new float[3 + b]);
            MemorySegment g = Floats.copyOf(arena, new float[3 + b]);
            g.fill((byte) 0x3e);
            Engine.create().step(nadam, s, p, g);
            states.add(s);
        }
        Checkpoint.save(file, nadam, states);
        return Files.readAllBytes(file);
    }

    @Example
    void everySingleByteCorruptionAndEveryTruncationIsRefusedWithNothingChanged() throws IOException {
        Path dir = TempDirs.create("ckpt");
        Path file = dir.resolve("small.ckpt");
        try (Arena arena = Arena.ofConfined()) {
            List<OptimizerState> saved = new ArrayList<>();
            byte[] good = smallCheckpoint(file, arena, saved);
            List<OptimizerState> target = List.of(NAdam.defaults().newState(3, arena), NAdam.defaults().newState(4, arena));
            int corruptions = 0;
            for (int i = 0; i < good.length; i++) {
                for (int flip : new int[] {0x01, 0x80, 0xff}) {
                    byte[] bad = good.clone();
                    bad[i] ^= (byte) flip;
                    Files.write(file, bad);
                    assertThrows(CheckpointException.class, () -> Checkpoint.restore(file, NAdam.defaults(), target),
                            "byte " + i + " ^ " + flip + " went unnoticed");
                    corruptions++;
                }
            }
            for (int length = 0; length < good.length; length++) {
                Files.write(file, Arrays.copyOf(good, length));
                assertThrows(CheckpointException.class, () -> Checkpoint.restore(file, NAdam.defaults(), target),
                        "truncation to " + length + " bytes went unnoticed");
            }
            assertUntouched(target);
            assertEquals(3 * good.length, corruptions);
            Files.write(file, good);
            Checkpoint.restore(file, NAdam.defaults(), target);
            for (int b = 0; b < 2; b++) {
                assertEquals(saved.get(b).step(), target.get(b).step());
                assertEquals(saved.get(b).scalar(NAdam.MU_PRODUCT), target.get(b).scalar(NAdam.MU_PRODUCT));
                assertArrayEquals(Floats.toArray(saved.get(b).slot(Adam.EXP_AVG)),
                        Floats.toArray(target.get(b).slot(Adam.EXP_AVG)));
            }
        }
    }

    @Example
    void mismatchedOrOtherVersionCheckpointsAreRefusedSayingWhich() throws IOException {
        Path file = TempDirs.create("ckpt").resolve("small.ckpt");
        try (Arena arena = Arena.ofConfined()) {
            byte[] good = smallCheckpoint(file, arena, new ArrayList<>());
            List<OptimizerState> target = List.of(NAdam.defaults().newState(3, arena), NAdam.defaults().newState(4, arena));
            refused(file, Adam.defaults(), List.of(Adam.defaults().newState(3, arena), Adam.defaults().newState(4, arena)),
                    "holds the state of io.lanestep.NAdam");
            refused(file, NAdam.defaults(), List.of(target.get(0)), "holds 2 blocks, but 1 states were given");
            refused(file, NAdam.defaults(), List.of(target.get(0), NAdam.defaults().newState(5, arena)),
                    "block 1 has 4 floats, but states[1] has 5");
            byte[] otherVersion = good.clone();
            otherVersion[8] = 4;
            Files.write(file, otherVersion);
            refused(file, NAdam.defaults(), target, "has format version 4; this Lanestep reads versions 1 to 3");
            Files.write(file, "not a checkpoint".getBytes());
            refused(file, NAdam.defaults(), target, "is not a Lanestep checkpoint");
            assertUntouched(target);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.save(file, Sgd.of(0.1), target));
            assertTrue(e.getMessage().startsWith("states[0] was made for NAdam"), e.getMessage());
        }
    }

    private static void refused(Path file, Optimizer optimizer, List<OptimizerState> states, String reason) {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Checkpoint.restore(file, optimizer, states));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    private static void assertUntouched(List<OptimizerState> states) {
        for (OptimizerState s : states) {
            assertEquals(0, s.step());
            assertEquals(1f, s.scalar(NAdam.MU_PRODUCT));
            for (String key : s.keys()) {
                assertArrayEquals(new float[(int) s.length()], Floats.toArray(s.slot(key)));
            }
        }
    }
}
