package io.lanestep.kernel;

import io.lanestep.SquareSum;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Two whole-tensor L2 norms for the trust-ratio optimizers (LARS, LAMB), independent of how the
 * block is split across threads or the tensor across shards: pass 0 sums squares per
 * {@link SquareSums#CHUNK}-float chunk into this scratch (ranges start on chunk boundaries), and
 * after every range has finished it, the chunk sums are added exactly ({@link SquareSum}), so a
 * piece of a tensor cut at a multiple of the chunk holds partial sums that add, in any order, to
 * the whole tensor's. Scratch, not state: never checkpointed.
 */
final class ChunkNorms {
    private final MemorySegment sums;
    private final long chunks;
    private final SquareSum[] totals = {new SquareSum(), new SquareSum()};
    /** Whether {@link #totals} hold this step's sums (possibly completed by other shards' since). */
    private boolean summed;

    ChunkNorms(long length, Arena arena) {
        chunks = (length + SquareSums.CHUNK - 1) / SquareSums.CHUNK;
        sums = Memory.loopView(arena.allocate(2 * chunks * Double.BYTES, 64));
    }

    /** Forgets the last step's totals; before pass 0. */
    void restart() {
        summed = false;
    }

    /** Records the two sums of the chunk that starts at element {@code chunkStart}. */
    void set(long chunkStart, double first, double second) {
        long chunk = chunkStart / SquareSums.CHUNK;
        sums.setAtIndex(ValueLayout.JAVA_DOUBLE, chunk, first);
        sums.setAtIndex(ValueLayout.JAVA_DOUBLE, chunks + chunk, second);
    }

    /**
     * The two columns' exact totals over this block, summed once per step after pass 0: a shard's
     * caller adds the other shards' partial totals into them before pass 1.
     */
    SquareSum[] totals() {
        if (!summed) {
            for (int which = 0; which < 2; which++) {
                totals[which].clear();
                for (long c = 0; c < chunks; c++) {
                    totals[which].add(sums.getAtIndex(ValueLayout.JAVA_DOUBLE, which * chunks + c));
                }
            }
            summed = true;
        }
        return totals;
    }

    /** The L2 norm of column {@code which} (0 or 1): the square root of its total, rounded once. */
    double norm(int which) {
        return totals()[which].norm();
    }
}
