package io.lanestep.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Two whole-block L2 norms for the trust-ratio optimizers (LARS, LAMB), independent of how the
 * block is split: pass 0 sums squares per {@link SquareSums#CHUNK}-float chunk into this scratch
 * (ranges start on chunk boundaries), and after every range has finished it, the norms add the
 * chunk sums in chunk order. Scratch, not state: never checkpointed.
 */
final class ChunkNorms {
    private final MemorySegment sums;
    private final long chunks;

    ChunkNorms(long length, Arena arena) {
        chunks = (length + SquareSums.CHUNK - 1) / SquareSums.CHUNK;
        sums = Memory.loopView(arena.allocate(2 * chunks * Double.BYTES, 64));
    }

    /** Records the two sums of the chunk that starts at element {@code chunkStart}. */
    void set(long chunkStart, double first, double second) {
        long chunk = chunkStart / SquareSums.CHUNK;
        sums.setAtIndex(ValueLayout.JAVA_DOUBLE, chunk, first);
        sums.setAtIndex(ValueLayout.JAVA_DOUBLE, chunks + chunk, second);
    }

    /** The L2 norm of column {@code which} (0 or 1), its chunk sums added in chunk order. */
    double norm(int which) {
        double sum = 0;
        for (long c = 0; c < chunks; c++) {
            sum += sums.getAtIndex(ValueLayout.JAVA_DOUBLE, which * chunks + c);
        }
        return Math.sqrt(sum);
    }
}
