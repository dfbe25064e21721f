package io.lanestep.pytorch;

import io.lanestep.CheckpointException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A scheduler's {@link LrScheduler#stateDict()} as bytes, self-delimiting so that it can precede a
 * checkpoint in one stream:
 * <pre>
 * "LANESTEP-LR" | version u32 = 1 | payload length u32 | payload | CRC-32C u32 of the payload
 * </pre>
 * big-endian, the payload one value: a tag byte, then {@code S} a string (modified UTF-8, as
 * DataOutput writes it), {@code D} a double, {@code L} a long, {@code Z} a boolean, {@code A} a
 * list (count u32, values), {@code M} a map (count u32, then key string and value).
 */
final class SchedulerState {
    private static final byte[] MAGIC = "LANESTEP-LR".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    /** Far beyond any scheduler's state (a SequentialLR of many children is a few KiB). */
    private static final int MAX_BYTES = 1 << 24;
    private static final int MAX_DEPTH = 16;

    private SchedulerState() {
    }

    static void write(OutputStream stream, Map<String, Object> state) throws IOException {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        value(new DataOutputStream(payload), state);
        byte[] bytes = payload.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        DataOutputStream out = new DataOutputStream(stream);
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(bytes.length);
        out.write(bytes);
        out.writeInt((int) crc.getValue());
        out.flush();
    }

    private static void value(DataOutputStream out, Object v) throws IOException {
        switch (v) {
            case String s -> {
                out.writeByte('S');
                out.writeUTF(s);
            }
            case Double d -> {
                out.writeByte('D');
                out.writeDouble(d);
            }
            case Long l -> {
                out.writeByte('L');
                out.writeLong(l);
            }
            case Integer i -> {
                out.writeByte('L');
                out.writeLong(i);
            }
            case Boolean b -> {
                out.writeByte('Z');
                out.writeBoolean(b);
            }
            case List<?> list -> {
                out.writeByte('A');
                out.writeInt(list.size());
                for (Object e : list) {
                    value(out, e);
                }
            }
            case Map<?, ?> map -> {
                out.writeByte('M');
                out.writeInt(map.size());
                for (var e : map.entrySet()) {
                    out.writeUTF((String) e.getKey());
                    value(out, e.getValue());
                }
            }
            default -> throw new IllegalStateException("a state dict holds " + v.getClass().getName());
        }
    }

    /** Reads one saved state, exactly its bytes, verified before it is parsed. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> read(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] bytes;
        int crc;
        try {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new CheckpointException("the stream is not a Lanestep scheduler state (no LANESTEP-LR header);"
                        + " pass what LrScheduler.save wrote");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new CheckpointException("the stream holds scheduler state version " + version + "; this"
                        + " Lanestep reads version " + VERSION);
            }
            int length = in.readInt();
            if (length < 0 || length > MAX_BYTES) {
                throw new CheckpointException("the scheduler state is malformed: payload length " + length);
            }
            bytes = in.readNBytes(length);
            if (bytes.length < length) {
                throw new EOFException();
            }
            crc = in.readInt();
        } catch (EOFException e) {
            throw new CheckpointException("the scheduler state is truncated: the stream ends inside it");
        }
        CRC32C check = new CRC32C();
        check.update(bytes);
        if ((int) check.getValue() != crc) {
            throw new CheckpointException("the scheduler state is corrupted: its checksum does not match");
        }
        try {
            DataInputStream payload = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
            Object state = value(payload, bytes.length, 0);
            if (!(state instanceof Map<?, ?>) || payload.available() != 0) {
                throw new CheckpointException("the scheduler state is malformed although its checksum matches");
            }
            return (Map<String, Object>) state;
        } catch (EOFException | IllegalArgumentException e) {
            throw new CheckpointException("the scheduler state is malformed although its checksum matches: " + e);
        }
    }

    private static Object value(DataInputStream in, int bytes, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH);
        }
        int tag = in.readUnsignedByte();
        return switch (tag) {
            case 'S' -> in.readUTF();
            case 'D' -> in.readDouble();
            case 'L' -> in.readLong();
            case 'Z' -> in.readBoolean();
            case 'A' -> {
                int n = count(in, bytes);
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(value(in, bytes, depth + 1));
                }
                yield list;
            }
            case 'M' -> {
                int n = count(in, bytes);
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    map.put(in.readUTF(), value(in, bytes, depth + 1));
                }
                yield map;
            }
            default -> throw new IllegalArgumentException("unknown tag " + tag);
        };
    }

    /** A count no larger than the payload could hold, so that a crafted count cannot allocate much. */
    private static int count(DataInputStream in, int bytes) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > bytes) {
            throw new IllegalArgumentException("count " + n);
        }
        return n;
    }
}
