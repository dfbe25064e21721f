package io.lanestep.properties;

import static io.lanestep.properties.ShardedStepProperties.STEPS;
import static io.lanestep.properties.ShardedStepProperties.TENSORS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adafactor;
import io.lanestep.Adan;
import io.lanestep.Block;
import io.lanestep.Checkpoint;
import io.lanestep.Engine;
import io.lanestep.Formats;
import io.lanestep.Group;
import io.lanestep.Lamb;
import io.lanestep.LaneWidth;
import io.lanestep.Lars;
import io.lanestep.NonFinite;
import io.lanestep.NormExchange;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.SquareSum;
import io.lanestep.properties.ShardedStepProperties.Piece;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * ZeRO-1 with the trust-ratio optimizers: tensors cut into pieces across 1, 2, 3 or 7 ranks, each
 * rank a thread with its own engine whose {@link NormExchange} adds every rank's partial sums of
 * squares through an all-gather, give the same bits as the whole model stepped at once, at every
 * width and thread count. Parameters and gradients come in runs scaled far apart, so sums that
 * were not added exactly would round differently in the pieces than in the whole.
 */
class ShardedTrustRatioProperties {
    @Provide
    Arbitrary<Optimizer> trustRatio() {
        return Optimizers.all().filter(o -> o instanceof Lars || o instanceof Lamb);
    }

    @Property(tries = 40)
    void piecesStepAsTheWholeTensor(@ForAll("trustRatio") Optimizer optimizer,
                                    @ForAll(supplier = ShardedStepProperties.ShardCounts.class) int shards,
                                    @ForAll(supplier = ShardedStepProperties.Widths.class) LaneWidth width,
                                    @ForAll(supplier = ShardedStepProperties.Threads.class) int threads)
            throws Exception {
        int total = ShardedStepProperties.total();
        SplittableRandom random = new SplittableRandom(shards * 17L + threads);
        float[] p0 = ShardedStepProperties.spread(total, 20, random);
        List<float[]> grads = new ArrayList<>();
        for (int t = 0; t < STEPS; t++) {
            grads.add(ShardedStepProperties.spread(total, 25, random));
        }
        try (Arena arena = Arena.ofShared(); Engine engine = Engine.create(width, threads)) {
            List<Piece> whole = ShardedStepProperties.pieces(optimizer, Formats.FP32, arena, new long[] {0, total});
            MemorySegment wholeParams = arena.allocateFrom(ValueLayout.JAVA_FLOAT, p0);
            MemorySegment shardedParams = arena.allocateFrom(ValueLayout.JAVA_FLOAT, p0);
            List<MemorySegment> gradients = new ArrayList<>();
            for (float[] g : grads) {
                MemorySegment segment = arena.allocateFrom(ValueLayout.JAVA_FLOAT, g);
                gradients.add(segment);
                engine.step(ShardedStepProperties.groups(optimizer, whole, wholeParams, segment, Formats.FP32),
                        NonFinite.PROPAGATE);
            }

            long[] bounds = ShardedStepProperties.bounds(shards, total);
            AllGather collective = new AllGather(shards, optimizer instanceof Lars, shardedParams, gradients);
            ExecutorService ranks = Executors.newFixedThreadPool(shards);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int s = 0; s < shards; s++) {
                    List<Piece> pieces = ShardedStepProperties.pieces(optimizer, Formats.FP32, arena,
                            new long[] {bounds[s], bounds[s + 1]});
                    NormExchange exchange = collective.rank(s, pieces);
                    done.add(ranks.submit(() -> {
                        try (Engine own = Engine.create(width, threads)) {
                            for (MemorySegment g : gradients) {
                                own.step(ShardedStepProperties.groups(optimizer, pieces, shardedParams, g,
                                        Formats.FP32), NonFinite.PROPAGATE, 1f, Float.POSITIVE_INFINITY, exchange);
                            }
                        }
                        return null;
                    }));
                }
                awaitRanks(done);
            } finally {
                ranks.shutdownNow();
            }
            assertArrayEquals(wholeParams.toArray(ValueLayout.JAVA_FLOAT), shardedParams.toArray(ValueLayout.JAVA_FLOAT),
                    optimizer + ", " + shards + " shards, " + width + ", " + threads + " threads");
        }
    }

    /** Waits for every rank; rethrows a rank's assertion first, since the others then fail at the barrier. */
    private static void awaitRanks(List<Future<?>> ranks) throws Exception {
        Exception first = null;
        for (Future<?> f : ranks) {
            try {
                f.get(2, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                for (Throwable c = e; c != null; c = c.getCause()) {
                    if (c instanceof AssertionError assertion) {
                        throw assertion;
                    }
                }
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Example
    void aPieceWithoutAnExchangeIsRefusedAndNothingWritten() {
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create()) {
            OptimizerState piece = Lamb.defaults().newShardState(4096, 9000, arena, Formats.FP32);
            MemorySegment params = arena.allocateFrom(ValueLayout.JAVA_FLOAT, new float[4096]);
            params.fill((byte) 1);
            MemorySegment grads = arena.allocateFrom(ValueLayout.JAVA_FLOAT, new float[4096]);
            grads.fill((byte) 2);
            byte[] before = params.toArray(ValueLayout.JAVA_BYTE);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> engine.step(Lamb.defaults(), piece, params, grads));
            assertTrue(e.getMessage().contains("NormExchange"), e.getMessage());
            assertArrayEquals(before, params.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0, piece.step());
        }
    }

    /** The caution mask counts over the whole tensor, which no exchange carries: a piece is refused. */
    @Example
    void aPieceOfACautiousTensorIsRefusedAndNothingWritten() {
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create()) {
            Adan cautious = Adan.defaults().withCaution(true);
            OptimizerState piece = cautious.newShardState(4096, 9000, arena, Formats.FP32);
            MemorySegment params = arena.allocateFrom(ValueLayout.JAVA_FLOAT, new float[4096]);
            params.fill((byte) 1);
            MemorySegment grads = arena.allocateFrom(ValueLayout.JAVA_FLOAT, new float[4096]);
            grads.fill((byte) 2);
            byte[] before = params.toArray(ValueLayout.JAVA_BYTE);
            var e = assertThrows(IllegalArgumentException.class, () -> engine.step(cautious, piece, params, grads));
            assertTrue(e.getMessage().contains("counts or sums over the whole tensor (timm's caution mask"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> engine.step(List.of(new Group(cautious,
                    List.of(new Block(piece, params, grads)))), NonFinite.PROPAGATE, 1f, Float.POSITIVE_INFINITY,
                    (pieces, sums) -> { }));
            assertTrue(e.getMessage().contains("counts or sums over the whole tensor (timm's caution mask"), e.getMessage());
            assertArrayEquals(before, params.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0, piece.step());
        }
    }

    @Example
    void aFailedExchangeLeavesItsPiecesRefusingStepsAndSavesUntilRestored() throws Exception {
        Path dir = Files.createTempDirectory("lanestep-torn");
        Lars lars = new Lars(0.1, 0.9, 0, 0.02, 0);
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create()) {
            OptimizerState piece = lars.newShardState(4096, 9000, arena, Formats.FP32);
            MemorySegment params = arena.allocateFrom(ValueLayout.JAVA_FLOAT, new float[4096]);
            MemorySegment grads = arena.allocateFrom(ValueLayout.JAVA_FLOAT, new float[4096]);
            params.fill((byte) 1);
            grads.fill((byte) 2);
            Path saved = dir.resolve("before.lsck");
            Checkpoint.save(saved, lars, List.of(piece));
            List<Group> groups = List.of(new Group(lars, List.of(new Block(piece, params, grads))));
            var failed = assertThrows(IllegalStateException.class, () -> engine.step(groups, NonFinite.PROPAGATE, 1f,
                    Float.POSITIVE_INFINITY, (pieces, sums) -> {
                        throw new IllegalStateException("peer lost");
                    }));
            assertEquals("peer lost", failed.getCause().getMessage());
            var refused = assertThrows(IllegalStateException.class, () -> engine.step(groups, NonFinite.PROPAGATE, 1f,
                    Float.POSITIVE_INFINITY, (pieces, sums) -> { }));
            assertTrue(refused.getMessage().contains("restore it from the last checkpoint"), refused.getMessage());
            assertThrows(IllegalStateException.class,
                    () -> Checkpoint.save(dir.resolve("torn.lsck"), lars, List.of(piece)));
            Checkpoint.restore(saved, lars, List.of(piece));
            assertTrue(engine.step(groups, NonFinite.PROPAGATE, 1f, Float.POSITIVE_INFINITY, (pieces, sums) -> { }));
            assertEquals(1, piece.step());
        }
    }

    @Example
    void adafactorRefusesAPieceOfATensor() {
        try (Arena arena = Arena.ofConfined()) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Adafactor.defaults().newShardState(4096, 9000, arena, Formats.FP32));
            assertTrue(e.getMessage().contains("whole to one shard"), e.getMessage());
            assertEquals(9000, Adafactor.defaults().newShardState(9000, 9000, arena, Formats.FP32).length());
        }
    }

    /**
     * An all-gather over threads, as a collective library would run it across processes: each rank
     * posts its pieces' sums by tensor, waits for all, then adds every rank's sums of its tensors
     * in reverse rank order (exact sums make the order irrelevant). Between its two waits no rank
     * writes, so it also checks each tensor's total against the reference's sum of the whole
     * tensor's parameters and (LARS) gradients: the trust ratio rounds to float and would hide a
     * last-bit difference in the norms.
     */
    private static final class AllGather {
        private final CyclicBarrier barrier;
        private final long[][][] posted;
        private final boolean gradsSummed;
        private final MemorySegment params;
        private final List<MemorySegment> grads;
        private final int[] steps;

        AllGather(int ranks, boolean gradsSummed, MemorySegment params, List<MemorySegment> grads) {
            barrier = new CyclicBarrier(ranks);
            posted = new long[ranks][2 * TENSORS.length][];
            this.gradsSummed = gradsSummed;
            this.params = params;
            this.grads = grads;
            this.steps = new int[ranks];
        }

        /** The reference's whole-tensor sum of squares of {@code tensor} in {@code values}. */
        private static double wholeTensor(MemorySegment values, int tensor) {
            long start = 0;
            for (int t = 0; t < tensor; t++) {
                start += TENSORS[t];
            }
            float[] v = values.asSlice(start * Float.BYTES, (long) TENSORS[tensor] * Float.BYTES)
                    .toArray(ValueLayout.JAVA_FLOAT);
            return io.lanestep.reference.SquareSum.byChunks(v, 1f);
        }

        NormExchange rank(int rank, List<Piece> pieces) {
            return (blocks, sums) -> {
                try {
                    java.util.Arrays.fill(posted[rank], null);
                    for (int k = 0; k < blocks.size(); k++) {
                        int tensor = tensorOf(pieces, blocks.get(k));
                        for (int j = 0; j < 2; j++) {
                            posted[rank][2 * tensor + j] = sums.get(2 * k + j).toLongs();
                        }
                    }
                    barrier.await(1, TimeUnit.MINUTES);
                    for (int k = 0; k < blocks.size(); k++) {
                        int tensor = tensorOf(pieces, blocks.get(k));
                        for (int j = 0; j < 2; j++) {
                            SquareSum totalSum = new SquareSum();
                            for (int r = posted.length - 1; r >= 0; r--) {
                                long[] longs = posted[r][2 * tensor + j];
                                if (longs != null) {
                                    totalSum.add(SquareSum.fromLongs(longs));
                                }
                            }
                            sums.get(2 * k + j).clear();
                            sums.get(2 * k + j).add(totalSum);
                        }
                        assertEquals(wholeTensor(params, tensor), sums.get(2 * k).value(), 0.0, "params' squares");
                        if (gradsSummed) {
                            assertEquals(wholeTensor(grads.get(steps[rank]), tensor), sums.get(2 * k + 1).value(),
                                    0.0, "gradients' squares");
                        }
                    }
                    steps[rank]++;
                    barrier.await(1, TimeUnit.MINUTES);
                } catch (AssertionError e) {
                    barrier.reset();
                    throw e;
                } catch (Exception e) {
                    barrier.reset();
                    throw new IllegalStateException("the all-gather failed", e);
                }
            };
        }

        private static int tensorOf(List<Piece> pieces, Block block) {
            for (Piece p : pieces) {
                if (p.state() == block.state()) {
                    return p.tensor();
                }
            }
            throw new AssertionError("a block the rank does not hold");
        }
    }
}
