package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Block;
import io.lanestep.Checkpoint;
import io.lanestep.CheckpointException;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.Group;
import io.lanestep.LaneWidth;
import io.lanestep.NonFinite;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Checkpoints through streams: the bytes a file would hold, restorable from a zip entry beside other
 * entries, and a cut or flipped stream refused with every target state untouched.
 */
class CheckpointStreamTest implements OptimizerDomain {

    @Property(tries = 60)
    void aStreamHoldsTheFilesBytesAndRestoresTheState(@ForAll("optimizers") Optimizer optimizer,
                                                      @ForAll("widths") LaneWidth width,
                                                      @ForAll @IntRange(min = 1, max = 300) int length,
                                                      @ForAll boolean sixteenBit,
                                                      @ForAll long seed) throws IOException {
        Formats formats = sixteenBit && Formats.supports(optimizer) ? new Formats(Format.BF16, Format.BF16,
                Formats.supportsLowPrecisionState(optimizer) ? Format.BF16 : Format.FP32, false) : Formats.FP32;
        try (Arena arena = Arena.ofConfined()) {
            OptimizerState state = stepped(optimizer, formats, width, length, seed, arena);
            Path file = TempDirs.create("stream").resolve("state.ckpt");
            Checkpoint.save(file, optimizer, List.of(state));
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            Checkpoint.save(stream, optimizer, List.of(state));
            assertArrayEquals(Files.readAllBytes(file), stream.toByteArray());

            OptimizerState restored = optimizer.newState(length, arena, formats);
            Checkpoint.restore(new ByteArrayInputStream(stream.toByteArray()), optimizer, List.of(restored));
            assertEquals(state.step(), restored.step(), "step");
            assertArrayEquals(bytes(state), bytes(restored), "slots and scalars");
        }
    }

    @Property(tries = 40)
    void aCutOrFlippedStreamIsRefusedAndWritesNothing(@ForAll("optimizers") Optimizer optimizer,
                                                      @ForAll @IntRange(min = 1, max = 200) int length,
                                                      @ForAll boolean cut,
                                                      @ForAll long seed) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            OptimizerState state = stepped(optimizer, Formats.FP32, LaneWidth.SCALAR, length, seed, arena);
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            Checkpoint.save(stream, optimizer, List.of(state));
            byte[] bytes = stream.toByteArray();
            SplittableRandom random = new SplittableRandom(seed);
            int at = random.nextInt(bytes.length);
            byte[] damaged = cut ? Arrays.copyOf(bytes, at) : bytes.clone();
            if (!cut) {
                damaged[at] ^= (byte) (1 << random.nextInt(8));
            }
            OptimizerState target = stepped(optimizer, Formats.FP32, LaneWidth.SCALAR, length, ~seed, arena);
            byte[] before = bytes(target);
            long stepBefore = target.step();
            assertThrows(CheckpointException.class, () -> Checkpoint.restore(new ByteArrayInputStream(damaged),
                    optimizer, List.of(target)));
            assertArrayEquals(before, bytes(target), "the target state was written");
            assertEquals(stepBefore, target.step(), "the step counter was written");
        }
    }

    @Property(tries = 20)
    void aModelsGroupsSitInAZipBesideTheWeights(@ForAll("optimizers") Optimizer first,
                                                @ForAll("optimizers") Optimizer second,
                                                @ForAll long seed) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            List<Group> groups = List.of(
                    new Group(first, List.of(block(first, 70, seed, arena), block(first, 5, seed + 1, arena))),
                    new Group(second, List.of(block(second, 33, seed + 2, arena))));
            try (Engine engine = Engine.create(LaneWidth.SCALAR, 1)) {
                engine.step(groups, NonFinite.PROPAGATE);
            }
            byte[] weights = new byte[1000];
            new SplittableRandom(seed).nextBytes(weights);
            ByteArrayOutputStream zip = new ByteArrayOutputStream();
            try (ZipOutputStream out = new ZipOutputStream(zip)) {
                out.putNextEntry(new ZipEntry("optimizer.ckpt"));
                Checkpoint.save(out, groups);
                out.closeEntry();
                out.putNextEntry(new ZipEntry("weights.bin"));
                out.write(weights);
                out.closeEntry();
            }

            List<Group> fresh = new ArrayList<>();
            for (Group g : groups) {
                List<Block> blocks = new ArrayList<>();
                for (Block b : g.blocks()) {
                    long n = b.state().length();
                    blocks.add(new Block(g.optimizer().newState(n, arena), b.params(), b.grads()));
                }
                fresh.add(new Group(g.optimizer(), blocks));
            }
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.toByteArray()))) {
                assertTrue(in.getNextEntry().getName().equals("optimizer.ckpt"));
                Checkpoint.restore(in, fresh);
                assertTrue(in.getNextEntry().getName().equals("weights.bin"));
                assertArrayEquals(weights, in.readAllBytes(), "the entry after the checkpoint");
            }
            for (int g = 0; g < groups.size(); g++) {
                for (int b = 0; b < groups.get(g).blocks().size(); b++) {
                    ModelCheckpointProperties.assertSameState("group " + g + " block " + b,
                            groups.get(g).blocks().get(b).state(), fresh.get(g).blocks().get(b).state());
                }
            }
        }
    }

    @Property(tries = 5)
    void theStreamIsLeftOpenAndReadToItsEnd(@ForAll("optimizers") Optimizer optimizer) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            OptimizerState state = stepped(optimizer, Formats.FP32, LaneWidth.SCALAR, 17, 3, arena);
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            Checkpoint.save(stream, optimizer, List.of(state));
            boolean[] closed = {false};
            InputStream in = new ByteArrayInputStream(stream.toByteArray()) {
                @Override
                public void close() {
                    closed[0] = true;
                }
            };
            Checkpoint.restore(in, optimizer, List.of(optimizer.newState(17, arena)));
            assertTrue(!closed[0], "the caller's stream was closed");
            assertTrue(in.read() == -1, "the stream was not read to its end");
        }
    }

    private static Block block(Optimizer optimizer, int length, long seed, Arena arena) {
        SplittableRandom random = new SplittableRandom(seed);
        return new Block(optimizer.newState(length, arena), Floats.copyOf(arena, Data.NORMAL.fill(length, random)),
                Floats.copyOf(arena, Data.NORMAL.fill(length, random)));
    }

    /** A state after two steps from random data, so that its slots and step are not the initial ones. */
    private static OptimizerState stepped(Optimizer optimizer, Formats formats, LaneWidth width, int length,
                                          long seed, Arena arena) {
        SplittableRandom random = new SplittableRandom(seed);
        OptimizerState state = optimizer.newState(length, arena, formats);
        MemorySegment params = arena.allocate((long) length * formats.params().bytes(), Floats.ALIGNMENT);
        MemorySegment grads = arena.allocate((long) length * formats.grads().bytes(), Floats.ALIGNMENT);
        for (int i = 0; i < length; i++) {
            formats.params().set(params, i, (float) random.nextGaussian());
        }
        try (Engine engine = Engine.create(width, 1)) {
            for (int t = 0; t < 2; t++) {
                for (int i = 0; i < length; i++) {
                    formats.grads().set(grads, i, (float) random.nextGaussian());
                }
                engine.step(optimizer, state, params, grads);
            }
        }
        return state;
    }

    /** Every slot's bytes and the scalar state's. */
    private static byte[] bytes(OptimizerState state) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (String key : state.keys()) {
            all.writeBytes(state.slot(key).toArray(ValueLayout.JAVA_BYTE));
        }
        for (String key : state.optimizer().scalarKeys()) {
            int bits = Float.floatToRawIntBits(state.scalar(key));
            all.writeBytes(new byte[] {(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)});
        }
        return all.toByteArray();
    }
}
