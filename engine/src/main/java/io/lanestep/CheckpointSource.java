package io.lanestep;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of one checkpoint being restored, read at any position: a file's channel, or a stream
 * kept in memory, since a restore reads everything twice (checked first, then copied into the
 * states) and a stream can be read once.
 */
sealed interface CheckpointSource extends AutoCloseable {
    /** How a message names the checkpoint: its path, or "the stream". */
    String name();

    long size() throws IOException;

    /** Reads into {@code into} from {@code position}; -1 at the end. */
    int read(ByteBuffer into, long position) throws IOException;

    @Override
    void close() throws IOException;

    record File(String name, FileChannel channel) implements CheckpointSource {
        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public int read(ByteBuffer into, long position) throws IOException {
            return channel.read(into, position);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A stream's bytes to its end, in chunks of {@link CheckpointReader#CHUNK} (a checkpoint may pass 2 GiB). */
    final class Memory implements CheckpointSource {
        private final List<byte[]> chunks = new ArrayList<>();
        private long size;

        Memory(InputStream in) throws IOException {
            while (true) {
                byte[] chunk = in.readNBytes(CheckpointReader.CHUNK);
                if (chunk.length == 0) {
                    return;
                }
                chunks.add(chunk);
                size += chunk.length;
                if (chunk.length < CheckpointReader.CHUNK) {
                    return;
                }
            }
        }

        @Override
        public String name() {
            return "the stream";
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public int read(ByteBuffer into, long position) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(into.remaining(), size - position);
            for (int done = 0; done < n; ) {
                long at = position + done;
                byte[] chunk = chunks.get((int) (at / CheckpointReader.CHUNK));
                int from = (int) (at % CheckpointReader.CHUNK);
                int m = Math.min(n - done, chunk.length - from);
                into.put(chunk, from, m);
                done += m;
            }
            return n;
        }

        @Override
        public void close() {
            chunks.clear();
        }
    }
}
