package io.lanestep;

import io.lanestep.Checkpoint.Target;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Writes a checkpoint (see {@link Checkpoint}) to a file atomically or to a stream, streaming the
 * slots: version 2 when every state is float32, version 3 otherwise.
 */
final class CheckpointSaver {
    private CheckpointSaver() {
    }

    /** Saves {@code targets} to {@code file} atomically; group {@code g} is described by {@code optimizers.get(g)}. */
    static void save(Path file, List<Optimizer> optimizers, List<Target> targets) throws IOException {
        holding(targets, () -> writeFile(file, optimizers, targets));
    }

    /** Saves {@code targets} to {@code stream}, which is flushed and left open. */
    static void save(OutputStream stream, List<Optimizer> optimizers, List<Target> targets) throws IOException {
        Objects.requireNonNull(stream, "stream");
        holding(targets, () -> {
            write(Channels.newChannel(stream), optimizers, targets);
            stream.flush();
        });
    }

    private interface Write {
        void run() throws IOException;
    }

    private static void holding(List<Target> targets, Write write) throws IOException {
        for (Target t : targets) {
            OptimizerState s = t.state();
            for (int k = 0; k < s.slotCount(); k++) {
                Checks.usable(t.name() + " slot " + s.keys().get(k), s.slot(k), false);
            }
            if (s.formats().masterWeights()) {
                Checks.usable(t.name() + " master weights", s.master(), false);
            }
        }
        Checkpoint.claim(targets);
        try {
            for (Target t : targets) {
                if (t.state().torn()) {
                    throw new IllegalStateException(t.name() + " was left half-stepped by a step whose norm exchange"
                            + " failed; restore it from the last checkpoint instead of saving it");
                }
            }
            write.run();
        } finally {
            Checkpoint.release(targets);
        }
    }

    private static void writeFile(Path file, List<Optimizer> optimizers, List<Target> targets) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                write(out, optimizers, targets);
                out.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically; save elsewhere", e);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void write(WritableByteChannel out, List<Optimizer> optimizers, List<Target> targets)
            throws IOException {
        // Float32 states keep version 2, byte for byte; any other format needs version 3's formats.
        boolean v3 = targets.stream().anyMatch(t -> !t.state().formats().equals(Formats.FP32));
        int version = v3 ? Checkpoint.VERSION : 2;
        List<byte[]> descriptors = new ArrayList<>();
        long size = CheckpointReader.MAGIC.length + 4 + 4 + 4 + 4;
        for (Optimizer o : optimizers) {
            byte[] d = Checkpoint.descriptor(o).getBytes(StandardCharsets.UTF_8);
            descriptors.add(d);
            size += 4 + d.length;
        }
        for (Target t : targets) {
            OptimizerState s = t.state();
            size += 4 + 8 + 8 + 8 + (v3 ? 4 + 8 : 0) + 4 + 4L * s.optimizer().scalarKeys().size() + 4;
            for (int k = 0; k < s.savedSlotCount(); k++) {
                size += 8 + s.savedSlot(k).byteSize();
            }
        }
        Sink sink = new Sink(out);
        ByteBuffer head = little(CheckpointReader.MAGIC.length + 8);
        sink.put(head.put(CheckpointReader.MAGIC).putInt(version).putInt(optimizers.size()).flip());
        for (byte[] d : descriptors) {
            sink.put(little(4 + d.length).putInt(d.length).put(d).flip());
        }
        sink.put(little(4).putInt(targets.size()).flip());
        ByteBuffer chunk = ByteBuffer.allocateDirect(CheckpointReader.CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (Target t : targets) {
            OptimizerState s = t.state();
            int scalars = s.optimizer().scalarKeys().size();
            ByteBuffer blockHead = little(4 + 8 + 8 + 8 + (v3 ? 12 : 0) + 4 + 4 * scalars + 4);
            blockHead.putInt(t.group()).putLong(t.offset()).putLong(s.length()).putLong(s.step());
            if (v3) {
                blockHead.putInt(s.formats().code()).putLong(s.formats().rounding().seed());
            }
            blockHead.putInt(scalars);
            for (int k = 0; k < scalars; k++) {
                blockHead.putFloat(s.scalar(k));
            }
            sink.put(blockHead.putInt(s.savedSlotCount()).flip());
            for (int k = 0; k < s.savedSlotCount(); k++) {
                sink.put(little(8).putLong(s.savedSlotLength(k)).flip());
                writeSegment(sink, s.savedSlot(k), s.savedSlotFormat(k), s.savedSlotLength(k), chunk);
            }
        }
        sink.putChecksum();
        if (sink.written != size) {
            throw new IOException("wrote " + sink.written + " bytes, expected " + size);
        }
    }

    private static ByteBuffer little(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Where the bytes go, with the checksum of every byte and their count. */
    private static final class Sink {
        private final WritableByteChannel out;
        private final CRC32C crc = new CRC32C();
        private long written;

        Sink(WritableByteChannel out) {
            this.out = out;
        }

        void put(ByteBuffer buffer) throws IOException {
            crc.update(buffer.duplicate());
            write(buffer);
        }

        void putChecksum() throws IOException {
            write(little(4).putInt((int) crc.getValue()).flip());
        }

        private void write(ByteBuffer buffer) throws IOException {
            written += buffer.remaining();
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        }
    }

    /** Writes a slot's elements little-endian in their format; a Q8 slot as its codes, padding and absmax floats. */
    private static void writeSegment(Sink sink, MemorySegment slot, Format format, long length, ByteBuffer chunk)
            throws IOException {
        if (format == Format.Q8) {
            long absAt = Format.q8AbsmaxOffset(length);
            writeSegment(sink, slot.asSlice(0, absAt), 1, chunk);
            writeSegment(sink, slot.asSlice(absAt), Float.BYTES, chunk);
            return;
        }
        writeSegment(sink, slot, format.bytes(), chunk);
    }

    private static void writeSegment(Sink sink, MemorySegment slot, int bytes, ByteBuffer chunk) throws IOException {
        MemorySegment chunkSegment = MemorySegment.ofBuffer(chunk.clear());
        long elements = slot.byteSize() / bytes;
        for (long done = 0; done < elements; ) {
            int n = (int) Math.min(elements - done, CheckpointReader.CHUNK / bytes);
            if (bytes == Float.BYTES) {
                MemorySegment.copy(slot, Floats.LAYOUT, done * bytes, chunkSegment, CheckpointReader.LITTLE, 0, n);
            } else if (bytes == 1) {
                MemorySegment.copy(slot, done, chunkSegment, 0, n);
            } else {
                MemorySegment.copy(slot, CheckpointReader.SHORT, done * bytes, chunkSegment,
                        CheckpointReader.LITTLE_SHORT, 0, n);
            }
            chunk.clear().limit(n * bytes);
            sink.put(chunk);
            done += n;
        }
    }
}
