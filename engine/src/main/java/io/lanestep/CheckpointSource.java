package io.lanestep;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of one checkpoint being restored, read at any position: a file's channel (the file,
 * then the private copy its checksum pass wrote), or a stream kept in memory, since a restore
 * reads everything twice (checked first, then copied into the states) and a stream can be read once.
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
        /**
         * An empty file only this reader writes, beside the checkpoint (whose directory had room
         * for the save's temporary copy) or else in the temporary directory; deleted on close.
         */
        File privateCopy() throws IOException {
            Path dir = Path.of(name).toAbsolutePath().getParent();
            Path copy;
            try {
                copy = Files.createTempFile(dir, ".lanestep-restore-", ".tmp");
            } catch (IOException | SecurityException e) {
                copy = Files.createTempFile("lanestep-restore-", ".tmp");
            }
            return new File(name, FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE));
        }

        void write(ByteBuffer bytes, long position) throws IOException {
            for (long at = position; bytes.hasRemaining(); ) {
                at += channel.write(bytes, at);
            }
        }

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
