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
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's restore that wrote before it failed: every target is checked before any is written,
 * and each failure is a {@link CheckpointException} naming the state and the fix; a file whose
 * checksum matches but whose blocks do not end where the checksum starts is refused.
 */
class CheckpointTargetTest {
    private static final Adam ADAM = Adam.defaults();
    private static final int N = 37;

    /** Two stepped states in {@code first} and {@code second}, saved to a new file. */
    private static Path saved(Arena first, Arena second) throws Exception {
        List<OptimizerState> states = List.of(stepped(first, 3), stepped(second, 3));
        Path file = TempDirs.create("ckpt").resolve("two.ckpt");
        Checkpoint.save(file, ADAM, states);
        return file;
    }

    private static OptimizerState stepped(Arena arena, int steps) {
        OptimizerState state = ADAM.newState(N, arena);
        float[] p = new float[N];
        float[] g = new float[N];
        Arrays.fill(g, 0.25f);
        try (Engine engine = Engine.create(LaneWidth.SCALAR)) {
            for (int t = 0; t < steps; t++) {
                engine.step(ADAM, state, MemorySegment.ofArray(p), MemorySegment.ofArray(g));
            }
        }
        return state;
    }

    @Test
    void aClosedSecondTargetIsRefusedBeforeTheFirstIsWritten() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Path file = saved(arena, arena);
            OptimizerState first = ADAM.newState(N, arena);
            Arena doomed = Arena.ofShared();
            OptimizerState second = ADAM.newState(N, doomed);
            doomed.close();
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> Checkpoint.restore(file, ADAM, List.of(first, second)));
            assertTrue(e.getMessage().contains("states[1] slot exp_avg belongs to an arena that is already closed"),
                    e.getMessage());
            assertUntouched(first);
        }
    }

    @Test
    void aTargetConfinedToAnotherThreadIsRefusedBeforeTheFirstIsWritten() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (Arena arena = Arena.ofShared()) {
            Path file = saved(arena, arena);
            OptimizerState first = ADAM.newState(N, arena);
            Future<Arena> owner = other.submit(Arena::ofConfined);
            OptimizerState second = other.submit(() -> ADAM.newState(N, owner.get())).get();
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> Checkpoint.restore(file, ADAM, List.of(first, second)));
            assertTrue(e.getMessage().contains("states[1] slot exp_avg is confined to another thread"), e.getMessage());
            assertUntouched(first);
            other.submit(() -> {
                owner.get().close();
                return null;
            }).get();
        } finally {
            other.shutdown();
        }
    }

    @Test
    void aChecksumValidFileFourBytesShortIsRefused() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Path file = saved(arena, arena);
            byte[] bytes = Files.readAllBytes(file);
            // Drop the last float of the last slot and sign the rest again: only the layout can tell.
            byte[] shorter = Arrays.copyOf(bytes, bytes.length - 4);
            CRC32C crc = new CRC32C();
            crc.update(shorter, 0, shorter.length - 4);
            ByteBuffer.wrap(shorter).order(ByteOrder.LITTLE_ENDIAN).putInt(shorter.length - 4, (int) crc.getValue());
            Files.write(file, shorter);
            OptimizerState first = ADAM.newState(N, arena);
            OptimizerState second = ADAM.newState(N, arena);
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> Checkpoint.restore(file, ADAM, List.of(first, second)));
            assertTrue(e.getMessage().contains("blocks end at byte"), e.getMessage());
            assertUntouched(first);
            assertUntouched(second);
        }
    }

    @Test
    void aStateListedTwiceIsNamed() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            OptimizerState s = stepped(arena, 1);
            Path file = TempDirs.create("ckpt").resolve("twice.ckpt");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoint.save(file, ADAM, List.of(s, s)));
            assertEquals("states[1] is states[0] again; list each state once", e.getMessage());
        }
    }

    private static void assertUntouched(OptimizerState state) {
        assertEquals(0, state.step());
        for (String key : state.keys()) {
            assertArrayEquals(new float[N], Floats.toArray(state.slot(key)), key);
        }
    }
}
