package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lanestep.Adafactor;
import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.Group;
import io.lanestep.Lamb;
import io.lanestep.LaneWidth;
import io.lanestep.Lars;
import io.lanestep.NonFinite;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.SquareSum;
import io.lanestep.kernel.Catalogue;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ArbitrarySupplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * ZeRO-1: a model's flat parameters cut into 1, 2, 3 or 7 shards, each shard stepped by its own
 * engine and states placed at their global offsets, with the global gradient norm for clipping
 * added up from each shard's {@link SquareSum} in another order, give the same norm and the same
 * bits as the whole model stepped at once: every elementwise optimizer, in float32, in bf16 with
 * stochastic rounding and with 8-bit moments, at every width and thread count. Tensors are cut at
 * multiples of 4096 of their elements (the norm's chunk) or at their ends; each piece's state is
 * made for its tensor ({@code newShardState}).
 */
class ShardedStepProperties {
    /** The model: three tensors laid end to end. */
    static final int[] TENSORS = {9000, 20000, 300};
    /** Where shards may start: tensor-relative multiples of 4096 and tensor boundaries. */
    private static final long[] CUTS = {4096, 8192, 9000, 13096, 17192, 21288, 25384, 29000};
    static final int STEPS = 3;

    @Provide
    Arbitrary<Optimizer> elementwise() {
        return Optimizers.all().filter(o -> !(o instanceof Lars || o instanceof Lamb || o instanceof Adafactor)
                && !Catalogue.countsWholeTensor(o));
    }

    @Provide
    Arbitrary<Formats> formats() {
        return Arbitraries.of(Formats.FP32, Formats.stochasticRounding(Format.FP32, Format.FP32, 11),
                new Formats(Format.FP32, Format.FP32, Format.Q8));
    }

    @Property(tries = 80)
    void shardsStepAsTheWholeModel(@ForAll("elementwise") Optimizer optimizer, @ForAll("formats") Formats formats,
                                   @ForAll(supplier = ShardCounts.class) int shards,
                                   @ForAll(supplier = Widths.class) LaneWidth width,
                                   @ForAll(supplier = Threads.class) int threads) {
        try (Arena arena = Arena.ofShared(); Engine engine = Engine.create(width, threads)) {
            int total = total();
            SplittableRandom random = new SplittableRandom(shards * 31L + threads);
            float[] p0 = Data.NORMAL.fill(total, random);
            List<float[]> grads = new ArrayList<>();
            for (int t = 0; t < STEPS; t++) {
                grads.add(spread(total, 25, random));
            }
            List<Piece> whole;
            try {
                whole = pieces(optimizer, formats, arena, new long[] {0, total});
            } catch (IllegalArgumentException refused) {
                return; // an optimizer without this format's loops: nothing to compare
            }
            List<List<Piece>> sharded = new ArrayList<>();
            long[] bounds = bounds(shards, total);
            for (int s = 0; s < shards; s++) {
                sharded.add(pieces(optimizer, formats, arena, new long[] {bounds[s], bounds[s + 1]}));
            }
            MemorySegment wholeParams = params(arena, p0, formats);
            MemorySegment shardedParams = params(arena, p0, formats);
            for (float[] g : grads) {
                MemorySegment gradients = arena.allocateFrom(ValueLayout.JAVA_FLOAT, g);
                double norm = engine.globalNorm(slices(whole, gradients, Float.BYTES));
                engine.step(groups(optimizer, whole, wholeParams, gradients, formats), NonFinite.PROPAGATE,
                        (float) Engine.clipCoefficient(1.0, norm));

                List<SquareSum> partial = new ArrayList<>();
                for (List<Piece> shard : sharded) {
                    SquareSum sum = new SquareSum();
                    engine.addSquares(slices(shard, gradients, Float.BYTES), sum);
                    partial.add(sum);
                }
                SquareSum reduced = new SquareSum();
                for (int s = shards - 1; s >= 0; s--) {
                    reduced.add(SquareSum.fromLongs(partial.get(s).toLongs()));
                }
                assertEquals(norm, reduced.norm(), 0.0, "the norm from " + shards + " shards");
                float coefficient = (float) Engine.clipCoefficient(1.0, reduced.norm());
                for (List<Piece> shard : sharded) {
                    engine.step(groups(optimizer, shard, shardedParams, gradients, formats), NonFinite.PROPAGATE,
                            coefficient);
                }
            }
            String what = optimizer + ", " + formats + ", " + shards + " shards, " + width + ", " + threads + " threads";
            // A NaN equals any NaN, as in every kernel property: vector and scalar code differ in its sign.
            float[] expected = new float[total];
            for (int i = 0; i < total; i++) {
                expected[i] = SixteenBitKernelProperties.read(wholeParams, formats.params(), i);
            }
            SixteenBitKernelProperties.compare(what, "params", shardedParams, formats.params(), expected);
        }
    }

    static int total() {
        int total = 0;
        for (int n : TENSORS) {
            total += n;
        }
        return total;
    }

    /**
     * Normal values, each run of 1000 scaled by its own 2^±{@code exponents}: chunk sums of squares
     * far apart, so adding them in any other grouping than exactly would round.
     */
    static float[] spread(int total, int exponents, SplittableRandom random) {
        float[] g = Data.NORMAL.fill(total, random);
        int exponent = 0;
        for (int i = 0; i < total; i++) {
            exponent = i % 1000 == 0 ? random.nextInt(-exponents, exponents + 1) : exponent;
            g[i] = Math.scalb(g[i], exponent);
        }
        return g;
    }

    /** The shard counts every sharding property runs: 1, 2, 3 and 7. */
    static final class ShardCounts implements ArbitrarySupplier<Integer> {
        @Override
        public Arbitrary<Integer> get() {
            return Arbitraries.of(1, 2, 3, 7);
        }
    }

    static final class Widths implements ArbitrarySupplier<LaneWidth> {
        @Override
        public Arbitrary<LaneWidth> get() {
            return Optimizers.widths();
        }
    }

    static final class Threads implements ArbitrarySupplier<Integer> {
        @Override
        public Arbitrary<Integer> get() {
            return Arbitraries.of(1, 2);
        }
    }

    /** One piece of tensor {@code tensor} held by a shard: its global offset and its state, placed there. */
    record Piece(int tensor, long offset, OptimizerState state) {
    }

    /** The pieces of the tensors that {@code [range[0], range[1])} covers, one state each. */
    static List<Piece> pieces(Optimizer optimizer, Formats formats, Arena arena, long[] range) {
        List<Piece> pieces = new ArrayList<>();
        long start = 0;
        for (int t = 0; t < TENSORS.length; t++) {
            int n = TENSORS[t];
            long from = Math.max(start, range[0]);
            long to = Math.min(start + n, range[1]);
            if (from < to) {
                OptimizerState state = optimizer.newShardState(to - from, n, arena, formats);
                state.placeAt(from);
                pieces.add(new Piece(t, from, state));
            }
            start += n;
        }
        return pieces;
    }

    /** {@code shards} ranges over {@code [0, total)}, cut at evenly spread entries of {@link #CUTS}. */
    static long[] bounds(int shards, long total) {
        long[] b = new long[shards + 1];
        for (int s = 1; s < shards; s++) {
            b[s] = CUTS[s * CUTS.length / shards];
        }
        b[shards] = total;
        return b;
    }

    static MemorySegment params(Arena arena, float[] p0, Formats formats) {
        return SixteenBitKernelProperties.place(arena, p0, formats.params(), 0);
    }

    static List<MemorySegment> slices(List<Piece> pieces, MemorySegment all, int bytes) {
        List<MemorySegment> out = new ArrayList<>();
        for (Piece p : pieces) {
            out.add(all.asSlice(p.offset() * bytes, p.state().length() * bytes));
        }
        return out;
    }

    static List<Group> groups(Optimizer optimizer, List<Piece> pieces, MemorySegment params,
                                      MemorySegment grads, Formats formats) {
        List<MemorySegment> p = slices(pieces, params, formats.params().bytes());
        List<MemorySegment> g = slices(pieces, grads, Float.BYTES);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            blocks.add(new Block(pieces.get(i).state(), p.get(i), g.get(i)));
        }
        return List.of(new Group(optimizer, blocks));
    }
}
