package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adam;
import io.lanestep.Checkpoint;
import io.lanestep.CheckpointException;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.OptimizerState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints under concurrent hostile use: saves and restores that list shared states in opposite
 * orders all finish, and a file truncated or overwritten in place while it is being restored never
 * puts a byte the checksum did not pass into a state.
 */
class CheckpointRaceTest {
    private static final Adam ADAM = Adam.defaults();

    @Test
    void callsListingStatesInOppositeOrdersAllFinish() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            OptimizerState a = stepped(arena, 4096);
            OptimizerState b = stepped(arena, 4096);
            ByteArrayOutputStream saved = new ByteArrayOutputStream();
            Checkpoint.save(saved, ADAM, List.of(a, b));
            byte[] bytes = saved.toByteArray();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread forward = daemon(failure, () -> {
                for (int i = 0; i < 3000; i++) {
                    Checkpoint.save(new ByteArrayOutputStream(), ADAM, List.of(a, b));
                }
            });
            Thread backward = daemon(failure, () -> {
                for (int i = 0; i < 3000; i++) {
                    if (i % 2 == 0) {
                        Checkpoint.save(new ByteArrayOutputStream(), ADAM, List.of(b, a));
                    } else {
                        Checkpoint.restore(new ByteArrayInputStream(bytes), ADAM, List.of(b, a));
                    }
                }
            });
            forward.join(120_000);
            backward.join(120_000);
            assertFalse(forward.isAlive() || backward.isAlive(),
                    "two checkpoint calls listing the same states in opposite orders wait on each other forever");
            assertNull(failure.get());
        }
    }

    @Test
    void aFileChangedWhileRestoringNeverReachesAState() throws Exception {
        int n = 1 << 20;
        Path file = TempDirs.create("ckpt-race").resolve("adam.ckpt");
        try (Arena arena = Arena.ofShared()) {
            OptimizerState source = stepped(arena, n);
            Checkpoint.save(file, ADAM, List.of(source));
            byte[] original = Files.readAllBytes(file);
            // The vandal strikes within one restore's time, measured here: the restore first copies the
            // file, and on a fast disk a fixed window let every trial finish before the change.
            long start = System.nanoTime();
            Checkpoint.restore(file, ADAM, List.of(ADAM.newState(n, arena)));
            long restoreNanos = Math.max(1_000, System.nanoTime() - start);
            SplittableRandom random = new SplittableRandom(7);
            int restored = 0;
            int refused = 0;
            for (int trial = 0; trial < 40; trial++) {
                Files.write(file, original);
                OptimizerState target = ADAM.newState(n, arena);
                long delayNanos = random.nextLong(0, restoreNanos);
                boolean truncate = trial % 2 == 0;
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread vandal = daemon(failure, () -> {
                    Thread.sleep(delayNanos / 1_000_000, (int) (delayNanos % 1_000_000));
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        if (truncate) {
                            ch.truncate(original.length / 3);
                        } else {
                            ch.write(ByteBuffer.wrap(new byte[original.length / 2]), original.length / 4);
                        }
                    }
                });
                try {
                    Checkpoint.restore(file, ADAM, List.of(target));
                    restored++;
                    assertEquals(source.step(), target.step());
                    for (String key : ADAM.stateKeys()) {
                        assertArrayEquals(bytes(source.slot(key)), bytes(target.slot(key)),
                                "a restore that succeeded wrote other bytes than the checked ones: " + key);
                    }
                } catch (CheckpointException e) {
                    refused++;
                    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                    assertEquals(0, target.step(), "a refused restore wrote the step");
                    for (String key : ADAM.stateKeys()) {
                        assertArrayEquals(new byte[n * Float.BYTES], bytes(target.slot(key)),
                                "a refused restore wrote " + key);
                    }
                }
                vandal.join();
                assertNull(failure.get());
            }
            assertTrue(restored > 0 && refused > 0, "both outcomes occur: " + restored + " restored, " + refused
                    + " refused");
            try (var left = Files.list(file.getParent())) {
                assertEquals(List.of(file), left.toList(), "the restore's private copies are deleted");
            }
        }
    }

    private static OptimizerState stepped(Arena arena, int n) {
        OptimizerState s = ADAM.newState(n, arena);
        SplittableRandom random = new SplittableRandom(n);
        MemorySegment p = Floats.copyOf(arena, Data.NORMAL.fill(n, random));
        MemorySegment g = Floats.copyOf(arena, Data.NORMAL.fill(n, random));
        try (Engine engine = Engine.create()) {
            engine.step(ADAM, s, p, g);
            engine.step(ADAM, s, p, g);
        }
        return s;
    }

    private static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    interface Body {
        void run() throws Exception;
    }

    private static Thread daemon(AtomicReference<Throwable> failure, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }
}
