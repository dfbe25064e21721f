package io.lanestep;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Saves and restores everything needed to resume training: the optimizer's configuration, and per
 * block the step counter, the scalar state and every state slot. Independent of the lane width.
 *
 * <p>Format, version 1, little-endian:
 * <pre>
 * "LANESTEP" (8 bytes) | version u32 = 1 | descriptor length u32 | descriptor, UTF-8:
 *     the optimizer class name, its state keys and its configuration
 * block count u32 | per block: length u64, step u64, scalar count u32, scalars f32...,
 *     slot count u32, then each slot's length floats
 * CRC-32C u32 of every byte before it
 * </pre>
 *
 * <p>A save writes a temporary file next to the target, forces it to disk, renames it over the
 * target atomically and forces the directory: a crash at any point leaves the old checkpoint or
 * the new one, never a mix. A restore reads and checks the whole file (length, magic, version,
 * checksum, optimizer, block count, lengths, and that the blocks end where the checksum starts)
 * and every target state (its optimizer, and that its memory is open, accessible by this thread
 * and writable) before it writes anything into any of them.
 *
 * <p>Save and restore hold every state they touch as a step does: they wait for a step in
 * progress on another thread to end, and while they run, steps of those states are refused
 * ({@link java.util.ConcurrentModificationException}), so a save is never a torn mid-step state.
 * Save and restore stream the file in chunks of 1 MiB, whatever its size: a restore reads it
 * twice on one open channel, first through the checksum and the layout checks, then into the
 * states, so a flipped byte anywhere is refused before any state is written.
 */
public final class Checkpoint {
    /** The format version this class writes and reads. */
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "LANESTEP".getBytes(StandardCharsets.US_ASCII);
    /** Bytes read or written at a time: what a save or restore holds beyond the states. */
    private static final int CHUNK = 1 << 20;
    private static final ValueLayout.OfFloat LITTLE = Floats.LAYOUT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Checkpoint() {
    }

    /**
     * Writes {@code states}, all made by {@code optimizer}'s algorithm, to {@code file} atomically.
     *
     * @throws IllegalArgumentException if a state belongs to another optimizer
     * @throws IllegalStateException    if a state's memory is closed or confined to another thread
     * @throws IOException              if the file cannot be written; the old checkpoint is then intact
     */
    public static void save(Path file, Optimizer optimizer, List<OptimizerState> states) throws IOException {
        for (int i = 0; i < states.size(); i++) {
            OptimizerState s = states.get(i);
            if (!optimizer.accepts(s)) {
                throw new IllegalArgumentException("states[" + i + "] was made for " + s.optimizer()
                        + ", not " + optimizer + "; save each optimizer's states in their own checkpoint");
            }
            for (int k = 0; k < s.slotCount(); k++) {
                Checks.usable("states[" + i + "] slot " + s.keys().get(k), s.slot(k), false);
            }
        }
        claim(states);
        try {
            write(file, optimizer, states);
        } finally {
            release(states);
        }
    }

    /**
     * Claims every state as a step would, waiting for steps in progress on other threads to end
     * (a step never waits, so this cannot deadlock); steps tried meanwhile are refused.
     */
    private static void claim(List<OptimizerState> states) {
        java.util.Set<OptimizerState> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = 0; i < states.size(); i++) {
            if (!seen.add(states.get(i))) {
                throw new IllegalArgumentException("states[" + i + "] is states[" + states.indexOf(states.get(i))
                        + "] again; list each state once");
            }
        }
        for (OptimizerState s : states) {
            while (!s.tryAcquire()) {
                Thread.yield();
            }
        }
    }

    private static void release(List<OptimizerState> states) {
        for (OptimizerState s : states) {
            s.release();
        }
    }

    private static void write(Path file, Optimizer optimizer, List<OptimizerState> states) throws IOException {
        byte[] descriptor = descriptor(optimizer).getBytes(StandardCharsets.UTF_8);
        long size = MAGIC.length + 4 + 4 + descriptor.length + 4L;
        for (OptimizerState s : states) {
            size += 8 + 8 + 4 + 4L * s.optimizer().scalarKeys().size() + 4 + 4L * s.slotCount() * s.length();
        }
        size += 4;
        Path dir = file.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                CRC32C crc = new CRC32C();
                ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer head = little(MAGIC.length + 12 + descriptor.length);
                head.put(MAGIC).putInt(VERSION).putInt(descriptor.length).put(descriptor).putInt(states.size());
                write(out, head.flip(), crc);
                for (OptimizerState s : states) {
                    List<String> scalars = s.optimizer().scalarKeys();
                    ByteBuffer blockHead = little(8 + 8 + 4 + 4 * scalars.size() + 4);
                    blockHead.putLong(s.length()).putLong(s.step()).putInt(scalars.size());
                    for (int k = 0; k < scalars.size(); k++) {
                        blockHead.putFloat(s.scalar(k));
                    }
                    blockHead.putInt(s.slotCount());
                    write(out, blockHead.flip(), crc);
                    for (int k = 0; k < s.slotCount(); k++) {
                        writeSegment(out, s.slot(k), crc, chunk);
                    }
                }
                write(out, little(4).putInt((int) crc.getValue()).flip(), null);
                if (out.size() != size) {
                    throw new IOException("wrote " + out.size() + " bytes, expected " + size);
                }
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

    /**
     * Restores {@code file} into {@code states}, which must have been made by {@code optimizer}'s
     * algorithm with the saved lengths. Nothing is written unless the whole file checks out.
     *
     * @throws CheckpointException naming what is wrong: truncated, corrupted, wrong version,
     *                             mismatched (another optimizer, another number or length of blocks), or
     *                             a target state whose memory is closed, confined to another thread or
     *                             read-only; no state is written then
     */
    public static void restore(Path file, Optimizer optimizer, List<OptimizerState> states) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + " is not a regular file; pass the checkpoint's path");
        }
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            byte[] head = new byte[(int) Math.min(size, MAGIC.length + 4)];
            readFully(in, ByteBuffer.wrap(head), 0);
            if (head.length < MAGIC.length + 4
                    || !ByteBuffer.wrap(head, 0, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))) {
                throw new CheckpointException(file + " is not a Lanestep checkpoint (no LANESTEP header)");
            }
            int version = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(MAGIC.length);
            if (version != VERSION) {
                throw new CheckpointException(file + " has format version " + version + "; this Lanestep reads"
                        + " version " + VERSION);
            }
            if (size < MAGIC.length + 16) {
                throw new CheckpointException(file + " is truncated: " + size + " bytes");
            }
            // Pass 1 reads every byte through the checksum and checks the layout and every target;
            // pass 2 copies the slots. Both use this one open channel, so an atomic save that
            // replaces the file meanwhile cannot mix two checkpoints.
            checksum(file, in, size);
            Layout layout;
            try {
                layout = layout(file, in, size, optimizer, states);
            } catch (java.nio.BufferUnderflowException | IllegalArgumentException | ArithmeticException e) {
                throw new CheckpointException(file + " is malformed although its checksum matches: " + e);
            }
            claim(states);
            try {
                copySlots(in, size, layout, states);
            } finally {
                release(states);
            }
        }
    }

    /** Where pass 2 finds each block's slots, and the block's step and scalars, read in pass 1. */
    private record Layout(long[] slotOffsets, long[] steps, float[][] scalars) {
    }

    private static void checksum(Path file, FileChannel in, long size) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(CHUNK, size));
        for (long at = 0; at < size - 4; ) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), size - 4 - at));
            readFully(in, chunk, at);
            at += chunk.flip().remaining();
            crc.update(chunk);
        }
        ByteBuffer stored = readAt(in, size - 4, 4);
        if ((int) crc.getValue() != stored.getInt()) {
            throw new CheckpointException(file + " is corrupted or truncated: its checksum does not match");
        }
    }

    private static Layout layout(Path file, FileChannel in, long size, Optimizer optimizer,
                                 List<OptimizerState> states) throws IOException {
        long at = MAGIC.length + 4;
        int descriptorLength = readAt(in, at, 4).getInt();
        if (descriptorLength < 0 || descriptorLength > size) {
            throw new IllegalArgumentException("descriptor length " + descriptorLength);
        }
        at += 4;
        String descriptor = StandardCharsets.UTF_8.decode(readAt(in, at, descriptorLength)).toString();
        at += descriptorLength;
        String expected = descriptor(optimizer);
        if (!kind(descriptor).equals(kind(expected))) {
            throw new CheckpointException(file + " holds the state of " + kind(descriptor) + ", not of "
                    + kind(expected));
        }
        int blocks = readAt(in, at, 4).getInt();
        at += 4;
        if (blocks != states.size()) {
            throw new CheckpointException(file + " holds " + blocks + " blocks, but " + states.size()
                    + " states were given");
        }
        Layout layout = new Layout(new long[blocks], new long[blocks], new float[blocks][]);
        for (int i = 0; i < blocks; i++) {
            OptimizerState s = states.get(i);
            if (!optimizer.accepts(s)) {
                throw new CheckpointException("states[" + i + "] was made for " + s.optimizer() + ", not " + optimizer);
            }
            for (int k = 0; k < s.slotCount(); k++) {
                try {
                    Checks.usable("states[" + i + "] slot " + s.keys().get(k), s.slot(k), true);
                } catch (IllegalStateException | IllegalArgumentException e) {
                    throw new CheckpointException("cannot restore " + file + ": " + e.getMessage());
                }
            }
            ByteBuffer blockHead = readAt(in, at, 8 + 8 + 4);
            long length = blockHead.getLong();
            if (length != s.length()) {
                throw new CheckpointException(file + " block " + i + " has " + length + " floats, but states[" + i
                        + "] has " + s.length());
            }
            layout.steps[i] = blockHead.getLong();
            int scalars = blockHead.getInt();
            int expectedScalars = s.optimizer().scalarKeys().size();
            if (scalars != expectedScalars) {
                throw new CheckpointException(file + " block " + i + " has " + scalars + " scalars, but the optimizer"
                        + " has " + expectedScalars);
            }
            at += 20;
            ByteBuffer values = readAt(in, at, 4 * scalars + 4);
            layout.scalars[i] = new float[scalars];
            for (int k = 0; k < scalars; k++) {
                layout.scalars[i][k] = values.getFloat();
            }
            int slots = values.getInt();
            if (slots != s.slotCount()) {
                throw new CheckpointException(file + " block " + i + " has " + slots + " slots, but the optimizer"
                        + " has " + s.slotCount());
            }
            at += 4L * scalars + 4;
            layout.slotOffsets[i] = at;
            at = Math.addExact(at, Math.multiplyExact(4L * slots, length));
        }
        if (at != size - 4) {
            throw new CheckpointException(file + " is malformed although its checksum matches: its blocks end at byte "
                    + at + " but the checksum starts at " + (size - 4));
        }
        return layout;
    }

    private static void copySlots(FileChannel in, long size, Layout layout, List<OptimizerState> states)
            throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(CHUNK, size)).order(ByteOrder.LITTLE_ENDIAN);
        MemorySegment chunkSegment = MemorySegment.ofBuffer(chunk);
        for (int i = 0; i < states.size(); i++) {
            OptimizerState s = states.get(i);
            s.setStep(layout.steps[i]);
            for (int k = 0; k < layout.scalars[i].length; k++) {
                s.setScalar(k, layout.scalars[i][k]);
            }
            long at = layout.slotOffsets[i];
            for (int k = 0; k < s.slotCount(); k++) {
                MemorySegment slot = s.slot(k);
                for (long done = 0; done < s.length(); ) {
                    int n = (int) Math.min(s.length() - done, chunk.capacity() / Float.BYTES);
                    chunk.clear().limit(n * Float.BYTES);
                    readFully(in, chunk, at);
                    MemorySegment.copy(chunkSegment, LITTLE, 0, slot, Floats.LAYOUT, done * Float.BYTES, n);
                    at += (long) n * Float.BYTES;
                    done += n;
                }
            }
        }
    }

    /** {@code n} bytes at {@code position}, little-endian; a file that ends first is malformed. */
    private static ByteBuffer readAt(FileChannel in, long position, int n) throws IOException {
        ByteBuffer b = little(n);
        readFully(in, b, position);
        return b.flip();
    }

    private static void readFully(FileChannel in, ByteBuffer into, long position) throws IOException {
        long start = position - into.position();
        while (into.hasRemaining()) {
            if (in.read(into, start + into.position()) < 0) {
                throw new java.nio.BufferUnderflowException();
            }
        }
    }

    /** Class name and state keys decide compatibility; the configuration is recorded for people. */
    private static String descriptor(Optimizer optimizer) {
        return optimizer.getClass().getName() + " " + optimizer.stateKeys() + " " + optimizer.scalarKeys() + "\n"
                + optimizer;
    }

    private static String kind(String descriptor) {
        int end = descriptor.indexOf('\n');
        return end < 0 ? descriptor : descriptor.substring(0, end);
    }

    private static ByteBuffer little(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void write(FileChannel out, ByteBuffer buffer, CRC32C crc) throws IOException {
        if (crc != null) {
            crc.update(buffer.duplicate());
        }
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private static void writeSegment(FileChannel out, MemorySegment slot, CRC32C crc, ByteBuffer chunk)
            throws IOException {
        MemorySegment chunkSegment = MemorySegment.ofBuffer(chunk.clear());
        long floats = Floats.length(slot);
        for (long done = 0; done < floats; ) {
            int n = (int) Math.min(floats - done, CHUNK / Float.BYTES);
            MemorySegment.copy(slot, Floats.LAYOUT, done * Float.BYTES, chunkSegment, LITTLE, 0, n);
            chunk.clear().limit(n * Float.BYTES);
            write(out, chunk, crc);
            done += n;
        }
    }
}
