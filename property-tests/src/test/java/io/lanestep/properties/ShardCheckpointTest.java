package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adam;
import io.lanestep.Block;
import io.lanestep.Checkpoint;
import io.lanestep.Checkpoint.Part;
import io.lanestep.CheckpointException;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Group;
import io.lanestep.NAdam;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Model and shard checkpoints that do not fit their targets are refused, naming why, with nothing written. */
class ShardCheckpointTest {
    private final Path dir = TempDirs.create("ckpt");
    private final Adam adam = Adam.defaults();

    /** An Adam state of {@code n} floats stepped {@code steps} times on gradients of 0.5. */
    private OptimizerState stepped(Arena arena, int n, int steps) {
        OptimizerState s = adam.newState(n, arena);
        MemorySegment p = Floats.allocate(arena, n);
        MemorySegment g = Floats.copyOf(arena, filled(n, 0.5f));
        for (int t = 0; t < steps; t++) {
            Engine.create().step(adam, s, p, g);
        }
        return s;
    }

    private static float[] filled(int n, float value) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, value);
        return a;
    }

    private Path shard(String name, long offset, OptimizerState state) throws IOException {
        Path file = dir.resolve(name);
        Checkpoint.saveParts(file, List.of(new Part(offset, state)));
        return file;
    }

    private static void refused(Executable restore, OptimizerState target, String reason) {
        CheckpointException e = assertThrows(CheckpointException.class, restore);
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertEquals(0, target.step(), "a refused restore changed the step");
        for (String key : target.keys()) {
            assertArrayEquals(new float[(int) target.length()], Floats.toArray(target.slot(key)), key);
        }
    }

    @Test
    void shardFilesThatDoNotMakeUpThePartAreRefusedNamingTheRangeOrTheFiles() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Path low = shard("low.ckpt", 0, stepped(arena, 10, 2));
            Path high = shard("high.ckpt", 20, stepped(arena, 10, 2));
            OptimizerState whole = adam.newState(30, arena);
            refused(() -> Checkpoint.restoreParts(List.of(low, high), List.of(new Part(0, whole))), whole,
                    "no saved block holds elements [10, 20) of parts[0] [0, 30)");
            refused(() -> Checkpoint.restoreParts(List.of(low), List.of(new Part(5, adam.newState(10, arena)))),
                    whole, "no saved block holds elements [10, 15)");
            Path shifted = shard("shifted.ckpt", 5, stepped(arena, 10, 2));
            refused(() -> Checkpoint.restoreParts(List.of(low, shifted), List.of(new Part(0, whole))), whole,
                    "overlap; restore from the shards of one save");
            Path later = shard("later.ckpt", 10, stepped(arena, 10, 3));
            OptimizerState twenty = adam.newState(20, arena);
            refused(() -> Checkpoint.restoreParts(List.of(low, later), List.of(new Part(0, twenty))), twenty,
                    "disagree on the step (2, 3)");
            Sgd momentum = new Sgd(0.1, 0.9, 0, 0, false, false);
            OptimizerState sgd = momentum.newState(10, arena);
            refused(() -> Checkpoint.restoreParts(List.of(low), List.of(new Part(0, sgd))), sgd,
                    "holds the state of io.lanestep.Adam");
            Path middle = shard("middle.ckpt", 10, stepped(arena, 10, 2));
            byte[] bytes = Files.readAllBytes(middle);
            bytes[bytes.length / 2] ^= 1;
            Files.write(middle, bytes);
            refused(() -> Checkpoint.restoreParts(List.of(low, middle), List.of(new Part(0, twenty))), twenty,
                    "checksum does not match");
            OptimizerState ten = adam.newState(10, arena);
            refused(() -> Checkpoint.restoreParts(List.of(low), List.of(new Part(0, ten), new Part(0, ten))), ten,
                    "parts[1] is parts[0] again");
            Checkpoint.restoreParts(List.of(high, low), List.of(new Part(0, ten)));
            assertEquals(2, ten.step());
        }
    }

    @Test
    void overlappingOrEmptyPartsAreRefusedBeforeAnythingIsWritten() {
        try (Arena arena = Arena.ofConfined()) {
            OptimizerState a = adam.newState(10, arena);
            OptimizerState b = adam.newState(10, arena);
            Path file = dir.resolve("overlap.ckpt");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.saveParts(file, List.of(new Part(0, a), new Part(9, b))));
            assertTrue(e.getMessage().contains("parts[0] [0, 10) and parts[1] [9, 19) overlap"), e.getMessage());
            assertFalse(Files.exists(file));
            e = assertThrows(IllegalArgumentException.class, () -> new Part(-1, a));
            assertTrue(e.getMessage().startsWith("offset must be >= 0, got -1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new Part(0, adam.newState(0, arena)));
            assertTrue(e.getMessage().contains("leave empty shards out"), e.getMessage());
            assertThrows(ArithmeticException.class, () -> new Part(Long.MAX_VALUE - 5, a));
        }
    }

    @Test
    void aModelRestoresOnlyIntoTheGroupsItWasSavedFrom() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Sgd momentum = new Sgd(0.1, 0.9, 0, 0, false, false);
            OptimizerState w = stepped(arena, 4, 1);
            OptimizerState bias = momentum.newState(2, arena);
            MemorySegment p = Floats.allocate(arena, 4);
            Path file = dir.resolve("model.ckpt");
            Checkpoint.save(file, List.of(new Group(adam, List.of(new Block(w, p, p))),
                    new Group(momentum, List.of(new Block(bias, p.asSlice(0, 8), p.asSlice(0, 8))))));
            OptimizerState w2 = adam.newState(4, arena);
            OptimizerState bias2 = momentum.newState(2, arena);
            refused(() -> Checkpoint.restore(file, List.of(new Group(adam, List.of(new Block(w2, p, p))))), w2,
                    "holds 2 groups, but 1 groups were given");
            OptimizerState w3 = adam.newState(2, arena);
            refused(() -> Checkpoint.restore(file, List.of(
                            new Group(adam, List.of(new Block(w2, p, p),
                                    new Block(w3, p.asSlice(0, 8), p.asSlice(0, 8)))),
                            new Group(momentum, List.of()))), w2,
                    "block 1 was saved in group 1, but groups[0].blocks[1] is in group 0");
            refused(() -> Checkpoint.restore(file, adam, List.of(w2, w3)), w2,
                    "block 1 holds the state of io.lanestep.Sgd");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.save(file, List.of(new Group(momentum, List.of(new Block(w, p, p))))));
            assertTrue(e.getMessage().startsWith("groups[0].blocks[0] holds a state made for Adam"), e.getMessage());
            Checkpoint.restore(file, List.of(new Group(adam, List.of(new Block(w2, p, p))),
                    new Group(momentum, List.of(new Block(bias2, p.asSlice(0, 8), p.asSlice(0, 8))))));
            ModelCheckpointProperties.assertSameState("weights", w, w2);
        }
    }

    /**
     * A version 1 file, written here byte by byte from the format the previous release documented
     * (not by the engine), restores into today's states.
     */
    @Test
    void aVersionOneCheckpointStillRestores() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            NAdam nadam = NAdam.defaults();
            String descriptor = "io.lanestep.NAdam " + nadam.stateKeys() + " " + nadam.scalarKeys() + "\nold config";
            byte[] d = descriptor.getBytes(StandardCharsets.UTF_8);
            float[][] slots = {{1, 2, 3}, {4, 5, 6}};
            ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
            b.put("LANESTEP".getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(d.length).put(d).putInt(1);
            b.putLong(3).putLong(7).putInt(1).putFloat(0.25f).putInt(2);
            for (float[] slot : slots) {
                for (float v : slot) {
                    b.putFloat(v);
                }
            }
            CRC32C crc = new CRC32C();
            crc.update(b.array(), 0, b.position());
            b.putInt((int) crc.getValue());
            Path file = dir.resolve("v1.ckpt");
            Files.write(file, java.util.Arrays.copyOf(b.array(), b.position()));
            OptimizerState s = nadam.newState(3, arena);
            Checkpoint.restore(file, nadam, List.of(s));
            assertEquals(7, s.step());
            assertEquals(0.25f, s.scalar(NAdam.MU_PRODUCT));
            for (int k = 0; k < 2; k++) {
                assertArrayEquals(slots[k], Floats.toArray(s.slot(nadam.stateKeys().get(k))));
            }
            OptimizerState part = nadam.newState(2, arena);
            Checkpoint.restoreParts(List.of(file), List.of(new Part(1, part)));
            assertArrayEquals(new float[] {5, 6}, Floats.toArray(part.slot(nadam.stateKeys().get(1))));
        }
    }
}
