package io.lanestep.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The flat parameter vector's tensors and where it is cut into contiguous shards. A cut inside a
 * tensor falls on a multiple of {@value #CHUNK} of its elements, so each shard's squared-gradient
 * sums are the whole model's chunk sums and the global norm comes out bit for bit; optimizers with
 * per-tensor statistics (LAMB, LARS) are cut at tensor ends only.
 */
public record ShardLayout(long[] tensors, long[] bounds) implements Serializable {
    /** The global norm's chunk ({@code io.lanestep.SquareSum}'s fold unit). */
    static final long CHUNK = 4096;

    /** One shard's piece of a tensor: its place in the model, its length and its tensor's. */
    record Piece(long offset, long length, long tensorLength) implements Serializable {
    }

    public ShardLayout {
        tensors = tensors.clone();
        bounds = bounds.clone();
    }

    /**
     * {@code shards} shards of about equal size.
     *
     * @throws IllegalArgumentException if a tensor length is not positive, or the tensors cannot be
     *                                  cut into that many non-empty shards under the rule above
     */
    public static ShardLayout of(long[] tensors, int shards, boolean wholeTensors) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be >= 1, got " + shards);
        }
        long[] starts = new long[tensors.length + 1];
        for (int t = 0; t < tensors.length; t++) {
            if (tensors[t] <= 0) {
                throw new IllegalArgumentException("tensors[" + t + "] must be > 0, got " + tensors[t]);
            }
            starts[t + 1] = starts[t] + tensors[t];
        }
        long total = starts[tensors.length];
        long[] bounds = new long[shards + 1];
        bounds[shards] = total;
        for (int s = 1; s < shards; s++) {
            bounds[s] = nearestCut(starts, Math.round((double) total * s / shards), wholeTensors);
            if (bounds[s] <= bounds[s - 1]) {
                bounds[s] = nextCut(starts, bounds[s - 1], wholeTensors);
            }
            if (bounds[s] >= total) {
                throw new IllegalArgumentException(shards + " shards cannot all be non-empty: cuts fall on tensor ends"
                        + (wholeTensors ? "" : " or multiples of " + CHUNK + " elements") + " of tensors "
                        + Arrays.toString(tensors) + "; use fewer shards");
            }
        }
        return new ShardLayout(tensors, bounds);
    }

    private static long nearestCut(long[] starts, long target, boolean wholeTensors) {
        int t = tensorAt(starts, target);
        long start = starts[t];
        long end = starts[t + 1];
        long best = target - start <= end - target ? start : end;
        if (!wholeTensors) {
            long down = start + (target - start) / CHUNK * CHUNK;
            for (long c : new long[] {down, Math.min(end, down + CHUNK)}) {
                if (Math.abs(c - target) < Math.abs(best - target)) {
                    best = c;
                }
            }
        }
        return best;
    }

    /** The first cut after {@code previous}. */
    private static long nextCut(long[] starts, long previous, boolean wholeTensors) {
        int t = tensorAt(starts, previous);
        long end = starts[t + 1];
        return wholeTensors ? end : Math.min(end, starts[t] + ((previous - starts[t]) / CHUNK + 1) * CHUNK);
    }

    /** The tensor holding element {@code x} ({@code x} below the total). */
    private static int tensorAt(long[] starts, long x) {
        int t = 0;
        while (starts[t + 1] <= x) {
            t++;
        }
        return t;
    }

    public int shards() {
        return bounds.length - 1;
    }

    public long total() {
        return bounds[bounds.length - 1];
    }

    long start(int shard) {
        return bounds[shard];
    }

    int length(int shard) {
        return Math.toIntExact(bounds[shard + 1] - bounds[shard]);
    }

    /** The tensors' pieces that {@code shard} holds, in order. */
    List<Piece> pieces(int shard) {
        List<Piece> out = new ArrayList<>();
        long start = 0;
        for (long n : tensors) {
            long from = Math.max(start, bounds[shard]);
            long to = Math.min(start + n, bounds[shard + 1]);
            if (from < to) {
                out.add(new Piece(from, to - from, n));
            }
            start += n;
        }
        return out;
    }
}
