package io.lanestep.spark;

import io.lanestep.Block;
import io.lanestep.Checkpoint;
import io.lanestep.Engine;
import io.lanestep.Group;
import io.lanestep.NonFinite;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.SquareSum;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** What the executors do to a shard: sum its gradient, step it, save and restore it. */
final class ShardWork {
    /** One per executor JVM: it holds no optimizer state, only the chosen width. */
    private static final Engine ENGINE = Engine.create();

    private ShardWork() {
    }

    /** Adds the partitions' slices in partition order, so the sum does not depend on shuffle order. */
    static Summed sum(ShardLayout layout, int shard, Iterable<Contribution> contributions, boolean squares) {
        List<Contribution> sorted = new ArrayList<>();
        contributions.forEach(sorted::add);
        sorted.sort(Comparator.comparingInt(Contribution::partition));
        float[] g = new float[layout.length(shard)];
        double loss = 0;
        for (Contribution c : sorted) {
            for (int i = 0; i < g.length; i++) {
                g[i] += c.gradient()[i];
            }
            loss += c.loss();
        }
        long[] longs = null;
        if (squares) {
            SquareSum sum = new SquareSum();
            List<MemorySegment> pieces = new ArrayList<>();
            for (ShardLayout.Piece p : layout.pieces(shard)) {
                pieces.add(slice(g, layout, shard, p));
            }
            ENGINE.addSquares(pieces, sum);
            longs = sum.toLongs();
        }
        return new Summed(g, loss, longs);
    }

    /** The next shard: {@code shard} stepped once with {@code summed}, scaled by {@code gradScale}. */
    static Shard step(Shard shard, Summed summed, ShardLayout layout, Optimizer optimizer,
                      io.lanestep.Formats formats, long expectedStep, float gradScale) {
        if (shard.step() != expectedStep) {
            throw new IllegalStateException("shard " + shard.index() + " has taken " + shard.step()
                    + " steps, the driver " + expectedStep + "; restart the run from a checkpoint");
        }
        try (Arena arena = Arena.ofConfined()) {
            List<OptimizerState> states = states(layout, shard.index(), optimizer, formats, arena);
            if (shard.state().length > 0) {
                Checkpoint.restore(new ByteArrayInputStream(shard.state()), optimizer, states);
            }
            float[] params = shard.params().clone();
            List<Block> blocks = new ArrayList<>();
            List<ShardLayout.Piece> pieces = layout.pieces(shard.index());
            for (int i = 0; i < pieces.size(); i++) {
                ShardLayout.Piece p = pieces.get(i);
                blocks.add(new Block(states.get(i), slice(params, layout, shard.index(), p),
                        slice(summed.gradient(), layout, shard.index(), p)));
            }
            ENGINE.step(List.of(new Group(optimizer, blocks)), NonFinite.PROPAGATE, gradScale);
            return new Shard(shard.index(), expectedStep + 1, params, save(optimizer, states));
        } catch (IOException e) {
            throw new UncheckedIOException("shard " + shard.index() + "'s state", e);
        }
    }

    /** Writes {@code shard}'s state with its pieces' global offsets to {@code file}. */
    static void saveParts(Shard shard, ShardLayout layout, Optimizer optimizer, io.lanestep.Formats formats,
                          Path file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            List<OptimizerState> states = states(layout, shard.index(), optimizer, formats, arena);
            Checkpoint.restore(new ByteArrayInputStream(shard.state()), optimizer, states);
            Checkpoint.saveParts(file, parts(states));
        }
    }

    /**
     * Shard {@code index} of {@code layout} with {@code params}, its state from its own file when
     * the save had the same split, else gathered from shard files of any split.
     */
    static Shard restoreParts(int index, float[] params, ShardLayout layout, Optimizer optimizer,
                              io.lanestep.Formats formats, List<Path> files) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            List<OptimizerState> states = states(layout, index, optimizer, formats, arena);
            Path own = ownFile(files, index, layout.shards());
            if (own != null) {
                Checkpoint.restore(own, optimizer, states);
            } else {
                Checkpoint.restoreParts(files, parts(states));
            }
            return new Shard(index, states.get(0).step(), params, save(optimizer, states));
        }
    }

    /** Shard {@code index}'s own file when the save had this many shards (8-bit state restores only so). */
    private static Path ownFile(List<Path> files, int index, int shards) {
        if (files.size() != shards) {
            return null;
        }
        return files.stream().filter(f -> f.getFileName().toString().equals(fileName(index, shards))).findFirst()
                .orElse(null);
    }

    /** Each state as a checkpoint part at its global offset. */
    private static List<Checkpoint.Part> parts(List<OptimizerState> states) {
        List<Checkpoint.Part> parts = new ArrayList<>();
        for (OptimizerState s : states) {
            parts.add(new Checkpoint.Part(s.offset(), s));
        }
        return parts;
    }

    static String fileName(int index, int shards) {
        return "shard-" + index + "-of-" + shards + ".lsck";
    }

    private static List<OptimizerState> states(ShardLayout layout, int shard, Optimizer optimizer,
                                               io.lanestep.Formats formats, Arena arena) {
        List<OptimizerState> states = new ArrayList<>();
        for (ShardLayout.Piece p : layout.pieces(shard)) {
            OptimizerState s = optimizer.newShardState(p.length(), p.tensorLength(), arena, formats);
            s.placeAt(p.offset());
            states.add(s);
        }
        return states;
    }

    private static byte[] save(Optimizer optimizer, List<OptimizerState> states) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Checkpoint.save(out, optimizer, states);
        return out.toByteArray();
    }

    private static MemorySegment slice(float[] shardArray, ShardLayout layout, int shard, ShardLayout.Piece p) {
        return MemorySegment.ofArray(shardArray).asSlice((p.offset() - layout.start(shard)) * Float.BYTES,
                p.length() * Float.BYTES);
    }
}
