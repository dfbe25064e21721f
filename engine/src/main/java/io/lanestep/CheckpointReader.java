package io.lanestep;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * One open checkpoint being restored: pass 1 ({@link #open}) reads every byte through the checksum
 * and parses the layout into {@link Entry entries}; pass 2 ({@link #copy}) reads slot ranges into
 * states. Pass 2 and the layout read only bytes pass 1 checked: a stream's bytes held in memory, or
 * a file's private copy written by pass 1 from the very bytes it checksummed, so neither an atomic
 * save replacing the file nor a write into it meanwhile reaches a state. Reads versions 1, 2 and 3
 * (see {@link Checkpoint}).
 */
final class CheckpointReader implements AutoCloseable {
    static final byte[] MAGIC = "LANESTEP".getBytes(StandardCharsets.US_ASCII);
    static final int CHUNK = 1 << 20;
    /** Most groups, blocks or scalars one file may hold: far beyond any model's tensor count. */
    static final int MAX_COUNT = 1 << 20;
    static final ValueLayout.OfFloat LITTLE = Floats.LAYOUT.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfShort LITTLE_SHORT = SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * One saved block: its group's kind (class and state keys) and where its slots are.
     *
     * @param offset      the block's first element in the model's flat parameter vector
     * @param formats     the saved state's formats (float32 before version 3); its slots are the
     *                    state slots in the state format, then the master weights in float32 if any
     * @param slotLengths each slot's elements: the block's length, except for factored state
     * @param slotAt      the file position of each slot's first element
     */
    record Entry(CheckpointReader file, int index, int group, String kind, long offset, long length, long step,
                 Formats formats, float[] scalars, long[] slotLengths, long[] slotAt) {
        /** The format of slot {@code k}. */
        Format slotFormat(int k) {
            return formats.masterWeights() && k == slots() - 1 ? Format.FP32 : formats.state();
        }

        int slots() {
            return slotLengths.length;
        }

        /** Whether every slot holds one float per element, so that a range of elements can be taken. */
        boolean elementwise() {
            for (long n : slotLengths) {
                if (n != length) {
                    return false;
                }
            }
            return true;
        }

        long end() {
            return offset + length;
        }

        String name() {
            return file.name() + " block " + index;
        }
    }

    private CheckpointSource in;
    private final long size;
    final List<Entry> entries = new ArrayList<>();
    int groups;
    private int version;

    private CheckpointReader(CheckpointSource in) throws IOException {
        this.in = in;
        this.size = in.size();
    }

    static CheckpointReader open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + " is not a regular file; pass the checkpoint's path");
        }
        return checked(new CheckpointSource.File(file.toString(), FileChannel.open(file, StandardOpenOption.READ)));
    }

    /** Reads {@code stream} to its end into memory and checks it; the stream is left open. */
    static CheckpointReader read(InputStream stream) throws IOException {
        return checked(new CheckpointSource.Memory(Objects.requireNonNull(stream, "stream")));
    }

    /** How messages name the checkpoint. */
    String name() {
        return in.name();
    }

    private static CheckpointReader checked(CheckpointSource source) throws IOException {
        CheckpointReader reader = null;
        try {
            reader = new CheckpointReader(source);
            reader.check();
            return reader;
        } catch (IOException | RuntimeException e) {
            source.close();
            if (reader != null) {
                reader.close();
            }
            throw e;
        }
    }

    private void check() throws IOException {
        String path = name();
        header();
        if (size < MAGIC.length + 16) {
            throw new CheckpointException(path + " is truncated: " + size + " bytes");
        }
        checksum();
        header();
        try {
            long end = version == 1 ? layoutV1() : layoutV2();
            if (end != size - 4) {
                throw new CheckpointException(path + " is malformed although its checksum matches: its blocks end at"
                        + " byte " + end + " but the checksum starts at " + (size - 4));
            }
        } catch (BufferUnderflowException | IllegalArgumentException | ArithmeticException e) {
            throw new CheckpointException(path + " is malformed although its checksum matches: " + e);
        }
    }

    /** The magic and the version; read again from the checked bytes once {@link #checksum} has passed. */
    private void header() throws IOException {
        String path = name();
        byte[] head = new byte[(int) Math.min(size, MAGIC.length + 4)];
        readFully(ByteBuffer.wrap(head), 0);
        if (head.length < MAGIC.length + 4 || !ByteBuffer.wrap(head, 0, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))) {
            throw new CheckpointException(path + " is not a Lanestep checkpoint (no LANESTEP header)");
        }
        version = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(MAGIC.length);
        if (version < 1 || version > Checkpoint.VERSION) {
            throw new CheckpointException(path + " has format version " + version + "; this Lanestep reads versions 1"
                    + " to " + Checkpoint.VERSION);
        }
    }

    /**
     * Checks the checksum over every byte; a file's bytes are written as read into a private copy,
     * which replaces the file as the source, so later reads see exactly the bytes checked.
     */
    private void checksum() throws IOException {
        String path = name();
        CRC32C crc = new CRC32C();
        CheckpointSource.File copy = in instanceof CheckpointSource.File file ? file.privateCopy() : null;
        try {
            ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(CHUNK, size));
            for (long at = 0; at < size; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), size - at));
                try {
                    readFully(chunk, at);
                } catch (BufferUnderflowException e) {
                    throw new CheckpointException(path + " ends before the " + size + " bytes it had when opened: it"
                            + " was truncated while being restored; restore again from a complete checkpoint");
                }
                chunk.flip();
                if (copy != null) {
                    copy.write(chunk.duplicate(), at);
                }
                int check = (int) Math.min(chunk.remaining(), Math.max(0, size - 4 - at));
                crc.update(chunk.duplicate().limit(check));
                at += chunk.remaining();
            }
            if (copy != null) {
                in.close();
                in = copy;
                copy = null;
            }
        } finally {
            if (copy != null) {
                copy.close();
            }
        }
        if ((int) crc.getValue() != readAt(size - 4, 4).getInt()) {
            throw new CheckpointException(path + " is corrupted or truncated: its checksum does not match");
        }
    }

    /** Version 1: one descriptor, then the blocks, which lie end to end from offset 0. */
    private long layoutV1() throws IOException {
        long at = MAGIC.length + 4;
        String descriptor = descriptorAt(at);
        at += 4 + descriptorBytes(at);
        groups = 1;
        int blocks = count(at, "block");
        at += 4;
        long offset = 0;
        for (int i = 0; i < blocks; i++) {
            ByteBuffer head = readAt(at, 8 + 8);
            long length = nonNegative(head.getLong(), "length");
            at = block(at + 16, i, 0, Checkpoint.kind(descriptor), offset, length, head.getLong(), Formats.FP32);
            offset = Math.addExact(offset, length);
        }
        return at;
    }

    /**
     * Versions 2 and 3: a descriptor per group, then per block its group, offset, length and step
     * (version 3: and its formats and rounding seed).
     */
    private long layoutV2() throws IOException {
        long at = MAGIC.length + 4;
        groups = count(at, "group");
        at += 4;
        List<String> kinds = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            kinds.add(Checkpoint.kind(descriptorAt(at)));
            at += 4 + descriptorBytes(at);
        }
        int blocks = count(at, "block");
        at += 4;
        for (int i = 0; i < blocks; i++) {
            ByteBuffer head = readAt(at, 4 + 8 + 8 + 8);
            int group = head.getInt();
            if (group < 0 || group >= groups) {
                throw new IllegalArgumentException("block " + i + " names group " + group + " of " + groups);
            }
            long offset = nonNegative(head.getLong(), "offset");
            long length = nonNegative(head.getLong(), "length");
            Math.addExact(offset, length);
            long step = head.getLong();
            at += 28;
            Formats formats = Formats.FP32;
            if (version >= 3) {
                ByteBuffer f = readAt(at, 12);
                int code = f.getInt();
                formats = Formats.decode(code, f.getLong());
                at += 12;
            }
            at = block(at, i, group, kinds.get(group), offset, length, step, formats);
        }
        return at;
    }

    /** Reads a block's scalars and slot count at {@code at}; returns where the next block starts. */
    private long block(long at, int index, int group, String kind, long offset, long length, long step,
                       Formats formats) throws IOException {
        int scalars = count(at, "scalar");
        ByteBuffer values = readAt(at + 4, 4 * scalars + 4);
        float[] s = new float[scalars];
        for (int k = 0; k < scalars; k++) {
            s[k] = values.getFloat();
        }
        int slots = values.getInt();
        if (slots < 0 || slots > 64) {
            throw new IllegalArgumentException("slot count " + slots);
        }
        long next = at + 4 + 4L * scalars + 4;
        long[] lengths = new long[slots];
        long[] starts = new long[slots];
        for (int k = 0; k < slots; k++) {
            if (version == 1) {
                lengths[k] = length;
            } else {
                lengths[k] = nonNegative(readAt(next, 8).getLong(), "slot length");
                next += 8;
            }
            starts[k] = next;
            Format format = formats.masterWeights() && k == slots - 1 ? Format.FP32 : formats.state();
            next = Math.addExact(next, format.slotBytes(lengths[k]));
        }
        entries.add(new Entry(this, index, group, kind, offset, length, nonNegative(step, "step"), formats, s,
                lengths, starts));
        return next;
    }

    /** Counts are bounded so that a crafted file cannot make the parse allocate more than a few MiB per count. */
    private int count(long at, String what) throws IOException {
        int n = readAt(at, 4).getInt();
        if (n < 0 || n > MAX_COUNT || n > size / 4) {
            throw new IllegalArgumentException(what + " count " + n);
        }
        return n;
    }

    private int descriptorBytes(long at) throws IOException {
        int n = readAt(at, 4).getInt();
        if (n < 0 || n > CHUNK || n > size) {
            throw new IllegalArgumentException("descriptor length " + n);
        }
        return n;
    }

    private String descriptorAt(long at) throws IOException {
        return StandardCharsets.UTF_8.decode(readAt(at + 4, descriptorBytes(at))).toString();
    }

    private static long nonNegative(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " " + value);
        }
        return value;
    }

    /**
     * Copies elements {@code [from, from + n)} of every slot of {@code entry} into {@code state}'s
     * saved slots at element {@code into} (a whole block: every slot's own length, when {@code n}
     * is -1). A slot saved in another format than the target's is converted (widened exactly,
     * narrowed to nearest even); saved master weights the target has no slot for are skipped.
     */
    static void copy(Entry entry, long from, long n, OptimizerState state, long into, ByteBuffer chunk)
            throws IOException {
        MemorySegment chunkSegment = MemorySegment.ofBuffer(chunk.clear());
        int slots = Math.min(entry.slots(), state.savedSlotCount());
        for (int k = 0; k < slots; k++) {
            Format saved = entry.slotFormat(k);
            Format target = state.savedSlotFormat(k);
            if (saved == Format.Q8) {
                // Whole blocks only, same format (Checkpoint checks both): the codes, then the absmax floats.
                long length = entry.slotLengths()[k];
                long absAt = Format.q8AbsmaxOffset(length);
                copyRaw(entry, entry.slotAt()[k], state.savedSlot(k).asSlice(0, absAt), 1, chunk);
                copyRaw(entry, entry.slotAt()[k] + absAt, state.savedSlot(k).asSlice(absAt), Float.BYTES, chunk);
                continue;
            }
            int bytes = saved.bytes();
            long at = entry.slotAt()[k] + bytes * from;
            MemorySegment slot = state.savedSlot(k);
            long count = n < 0 ? entry.slotLengths()[k] : n;
            for (long done = 0; done < count; ) {
                int m = (int) Math.min(count - done, chunk.capacity() / bytes);
                chunk.clear().limit(m * bytes);
                entry.file().readFully(chunk, at);
                long to = into + done;
                if (saved == target && bytes == Float.BYTES) {
                    MemorySegment.copy(chunkSegment, LITTLE, 0, slot, Floats.LAYOUT, to * bytes, m);
                } else if (saved == target) {
                    MemorySegment.copy(chunkSegment, LITTLE_SHORT, 0, slot, SHORT, to * bytes, m);
                } else {
                    for (int j = 0; j < m; j++) {
                        float value = bytes == Float.BYTES ? chunkSegment.getAtIndex(LITTLE, j)
                                : saved == Format.BF16 ? Float.intBitsToFloat(chunkSegment.getAtIndex(LITTLE_SHORT, j) << 16)
                                : Float.float16ToFloat(chunkSegment.getAtIndex(LITTLE_SHORT, j));
                        target.set(slot, to + j, value);
                    }
                }
                at += (long) m * bytes;
                done += m;
            }
        }
    }

    /** Reads {@code into}'s bytes from {@code at}: single bytes as they are, floats little-endian. */
    private static void copyRaw(Entry entry, long at, MemorySegment into, int bytes, ByteBuffer chunk)
            throws IOException {
        MemorySegment chunkSegment = MemorySegment.ofBuffer(chunk.clear());
        long count = into.byteSize() / bytes;
        for (long done = 0; done < count; ) {
            int m = (int) Math.min(count - done, chunk.capacity() / bytes);
            chunk.clear().limit(m * bytes);
            entry.file().readFully(chunk, at);
            if (bytes == 1) {
                MemorySegment.copy(chunkSegment, 0, into, done, m);
            } else {
                MemorySegment.copy(chunkSegment, LITTLE, 0, into, Floats.LAYOUT, done * bytes, m);
            }
            at += (long) m * bytes;
            done += m;
        }
    }

    /** {@code n} bytes at {@code position}, little-endian; a file that ends first is malformed. */
    private ByteBuffer readAt(long position, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        readFully(b, position);
        return b.flip();
    }

    private void readFully(ByteBuffer into, long position) throws IOException {
        long start = position - into.position();
        while (into.hasRemaining()) {
            if (in.read(into, start + into.position()) < 0) {
                throw new BufferUnderflowException();
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
