package io.lanestep.djl;

import io.lanestep.CheckpointException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A parameter whose state a {@link LanestepOptimizer} saved: its name in the block and its shape.
 * The stream holds a header of these, then a Lanestep checkpoint with one group per parameter in
 * the same order:
 * <pre>
 * "LANESTEP-DJL" | version u32 = 1 | count u32 | per parameter: name (modified UTF-8, as
 *     DataOutput writes it), rank u32, dimensions u64... | the checkpoint
 * </pre>
 * (big-endian, as {@code DataOutputStream} writes).
 */
record SavedParameter(String name, long[] shape) {
    private static final byte[] MAGIC = "LANESTEP-DJL".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    /** Far beyond any model's parameter count or rank; bounds what a crafted header can make us allocate. */
    private static final int MAX_COUNT = 1 << 20;
    private static final int MAX_RANK = 64;

    static void write(OutputStream stream, List<SavedParameter> parameters) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(parameters.size());
        for (SavedParameter p : parameters) {
            out.writeUTF(p.name);
            out.writeInt(p.shape.length);
            for (long d : p.shape) {
                out.writeLong(d);
            }
        }
        out.flush();
    }

    /** Reads the header only, leaving the checkpoint in the stream. */
    static List<SavedParameter> read(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        try {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new CheckpointException("the stream is not a LanestepOptimizer state (no LANESTEP-DJL header);"
                        + " pass what LanestepOptimizer.save wrote");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new CheckpointException("the stream holds LanestepOptimizer state version " + version
                        + "; this Lanestep reads version " + VERSION);
            }
            int count = bounded(in.readInt(), MAX_COUNT, "parameter count");
            List<SavedParameter> parameters = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                long[] shape = new long[bounded(in.readInt(), MAX_RANK, "rank of " + name)];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = in.readLong();
                }
                parameters.add(new SavedParameter(name, shape));
            }
            return parameters;
        } catch (EOFException e) {
            throw new CheckpointException("the LanestepOptimizer state is truncated: the stream ends in its header");
        }
    }

    private static int bounded(int value, int max, String what) throws CheckpointException {
        if (value < 0 || value > max) {
            throw new CheckpointException("the LanestepOptimizer state is malformed: " + what + " " + value);
        }
        return value;
    }
}
