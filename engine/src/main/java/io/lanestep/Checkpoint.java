package io.lanestep;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
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
 * <p>Save and restore hold every state they touch as a step does: while one runs, a step of
 * those states on another thread is refused, and they are refused while a step runs
 * ({@link java.util.ConcurrentModificationException}), so a save is never a torn mid-step state.
 * Checkpoints are read whole, so one is limited to 2 GiB.
 */
public final class Checkpoint {
    /** The format version this class writes and reads. */
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "LANESTEP".getBytes(StandardCharsets.US_ASCII);

    private Checkpoint() {
    }

    /**
     * Writes {@code states}, all made by {@code optimizer}'s algorithm, to {@code file} atomically.
     *
     * @throws IllegalArgumentException if a state belongs to another optimizer
     * @throws IllegalStateException    if a state's memory is closed or confined to another thread
     * @throws java.util.ConcurrentModificationException if another thread is stepping, saving or
     *                                  restoring one of the states
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
            release(states, states.size());
        }
    }

    /** Claims every state as a step would, or none. */
    private static void claim(List<OptimizerState> states) {
        for (int i = 0; i < states.size(); i++) {
            if (!states.get(i).tryAcquire()) {
                release(states, i);
                for (int j = 0; j < i; j++) {
                    if (states.get(j) == states.get(i)) {
                        throw new IllegalArgumentException("states[" + i + "] is states[" + j + "] again; list each"
                                + " state once");
                    }
                }
                throw new java.util.ConcurrentModificationException("states[" + i + "] is being stepped, saved or"
                        + " restored by another thread; save or restore when its steps are done");
            }
        }
    }

    private static void release(List<OptimizerState> states, int count) {
        for (int i = 0; i < count; i++) {
            states.get(i).release();
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
                        writeSegment(out, s.slot(k), crc);
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
     * @throws java.util.ConcurrentModificationException if another thread is stepping, saving or
     *                             restoring one of the states
     */
    public static void restore(Path file, Optimizer optimizer, List<OptimizerState> states) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < MAGIC.length + 4 || !ByteBuffer.wrap(bytes, 0, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))) {
            throw new CheckpointException(file + " is not a Lanestep checkpoint (no LANESTEP header)");
        }
        int version = in.getInt(MAGIC.length);
        if (version != VERSION) {
            throw new CheckpointException(file + " has format version " + version + "; this Lanestep reads version "
                    + VERSION);
        }
        if (bytes.length < MAGIC.length + 16) {
            throw new CheckpointException(file + " is truncated: " + bytes.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if ((int) crc.getValue() != in.getInt(bytes.length - 4)) {
            throw new CheckpointException(file + " is corrupted or truncated: its checksum does not match");
        }
        claim(states);
        try {
            check(file, in, bytes, optimizer, states);
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException
                 | ArithmeticException e) {
            throw new CheckpointException(file + " is malformed although its checksum matches: " + e);
        } finally {
            release(states, states.size());
        }
    }

    private static void check(Path file, ByteBuffer in, byte[] bytes, Optimizer optimizer,
                              List<OptimizerState> states) throws CheckpointException {
        in.position(MAGIC.length + 4);
        int descriptorLength = in.getInt();
        String descriptor = new String(bytes, in.position(), descriptorLength, StandardCharsets.UTF_8);
        in.position(in.position() + descriptorLength);
        String expected = descriptor(optimizer);
        if (!kind(descriptor).equals(kind(expected))) {
            throw new CheckpointException(file + " holds the state of " + kind(descriptor) + ", not of "
                    + kind(expected));
        }
        int blocks = in.getInt();
        if (blocks != states.size()) {
            throw new CheckpointException(file + " holds " + blocks + " blocks, but " + states.size()
                    + " states were given");
        }
        int[] offsets = new int[blocks];
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
            long length = in.getLong();
            if (length != s.length()) {
                throw new CheckpointException(file + " block " + i + " has " + length + " floats, but states[" + i
                        + "] has " + s.length());
            }
            offsets[i] = in.position();
            in.position(in.position() + 8);
            int scalars = in.getInt();
            in.position(in.position() + 4 * scalars);
            int slots = in.getInt();
            if (scalars != s.optimizer().scalarKeys().size() || slots != s.slotCount()) {
                throw new CheckpointException(file + " block " + i + " has " + slots + " slots and " + scalars
                        + " scalars, but the optimizer has " + s.slotCount() + " and "
                        + s.optimizer().scalarKeys().size());
            }
            in.position(Math.toIntExact(in.position() + 4L * slots * length));
        }
        if (in.position() != bytes.length - 4) {
            throw new CheckpointException(file + " is malformed although its checksum matches: its blocks end at byte "
                    + in.position() + " but the checksum starts at " + (bytes.length - 4));
        }
        for (int i = 0; i < blocks; i++) {
            OptimizerState s = states.get(i);
            in.position(offsets[i]);
            s.setStep(in.getLong());
            int scalars = in.getInt();
            for (int k = 0; k < scalars; k++) {
                s.setScalar(k, in.getFloat());
            }
            in.getInt();
            for (int k = 0; k < s.slotCount(); k++) {
                long floats = s.length();
                MemorySegment.copy(MemorySegment.ofArray(bytes), Floats.LAYOUT.withOrder(ByteOrder.LITTLE_ENDIAN),
                        in.position(), s.slot(k), Floats.LAYOUT, 0, floats);
                in.position(Math.toIntExact(in.position() + 4 * floats));
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

    private static void writeSegment(FileChannel out, MemorySegment slot, CRC32C crc) throws IOException {
        ByteBuffer chunk = little(1 << 16);
        long floats = Floats.length(slot);
        for (long done = 0; done < floats; ) {
            int n = (int) Math.min(floats - done, chunk.capacity() / Float.BYTES);
            chunk.clear();
            for (int k = 0; k < n; k++) {
                chunk.putFloat(slot.getAtIndex(Floats.LAYOUT, done + k));
            }
            write(out, chunk.flip(), crc);
            done += n;
        }
    }
}
