package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lanestep.Adafactor;
import io.lanestep.Block;
import io.lanestep.Checkpoint;
import io.lanestep.Checkpoint.Part;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Group;
import io.lanestep.Lamb;
import io.lanestep.LaneWidth;
import io.lanestep.Lars;
import io.lanestep.NonFinite;
import io.lanestep.Numerics;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.Prodigy;
import io.lanestep.ScheduleFreeAdamW;
import io.lanestep.ScheduleFreeSgd;
import io.lanestep.kernel.Catalogue;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * A whole model (groups of different algorithms) in one checkpoint, and sharded state saved as N
 * shards and restored as M: every restored state is the saved one, element for element.
 */
class ModelCheckpointProperties implements OptimizerDomain {

    @Property(tries = 60)
    void aModelOfMixedGroupsResumesBitForBit(@ForAll @Size(min = 1, max = 3)
                                             List<@net.jqwik.api.From("optimizers") Optimizer> optimizers,
                                            @ForAll("widths") LaneWidth width,
                                            @ForAll @IntRange(min = 1, max = 3) int steps,
                                            @ForAll long seed) throws IOException {
        Path file = TempDirs.create("ckpt").resolve("model.ckpt");
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            Model straight = new Model(optimizers, random.split(), arena);
            Model resumed = straight.fresh(arena);
            for (int t = 0; t < steps; t++) {
                straight.step(width, t);
                resumed.step(width, t);
            }
            Checkpoint.save(file, resumed.groups);
            Model fresh = resumed.fresh(arena);
            Checkpoint.restore(file, fresh.groups);
            for (int b = 0; b < straight.states.size(); b++) {
                assertSameState("block " + b, straight.states.get(b), fresh.states.get(b));
            }
            straight.step(width, steps);
            fresh.step(width, steps);
            for (int b = 0; b < straight.states.size(); b++) {
                assertSameState("block " + b + " after a resumed step", straight.states.get(b), fresh.states.get(b));
                assertArrayEquals(Floats.toArray(straight.params.get(b)), Floats.toArray(fresh.params.get(b)));
            }
        }
    }

    @Property(tries = 80)
    void nShardsSavedRestoreAsMShardsOfAnySplit(@ForAll("optimizers") Optimizer optimizer,
                                                @ForAll("widths") LaneWidth width,
                                                @ForAll @IntRange(min = 1, max = 300) int length,
                                                @ForAll @IntRange(min = 1, max = 5) int savedShards,
                                                @ForAll @IntRange(min = 1, max = 5) int restoredShards,
                                                @ForAll @IntRange(min = 1, max = 3) int steps,
                                                @ForAll long seed) throws IOException {
        // Prodigy's step size is its block's: blocks saved apart disagree on it, and restoring them as
        // parts of one tensor is refused (CheckpointException), as it should be.
        net.jqwik.api.Assume.that(!(optimizer instanceof Prodigy) || savedShards == 1);
        Path dir = TempDirs.create("ckpt");
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            float[] params0 = Data.SPECIAL.fill(length, random);
            List<float[]> grads = new ArrayList<>();
            for (int t = 0; t <= steps; t++) {
                grads.add(Data.SPECIAL.fill(length, random));
            }
            MemorySegment params = Floats.copyOf(arena, params0);
            long[] cuts = cuts(length, savedShards, random);
            List<OptimizerState> saved = shards(optimizer, cuts, arena);
            for (int t = 0; t < steps; t++) {
                stepShards(width, optimizer, saved, cuts, params, Floats.copyOf(arena, grads.get(t)));
            }
            List<Path> files = new ArrayList<>();
            for (int s = 0; s < saved.size(); s++) {
                files.add(dir.resolve("rank" + s + ".ckpt"));
                Checkpoint.saveParts(files.get(s), List.of(new Part(cuts[s], saved.get(s))));
            }
            long[] newCuts = cuts(length, restoredShards, random);
            List<OptimizerState> restored = shards(optimizer, newCuts, arena);
            List<Part> parts = new ArrayList<>();
            for (int s = 0; s < restored.size(); s++) {
                parts.add(new Part(newCuts[s], restored.get(s)));
            }
            java.util.Collections.shuffle(files, new java.util.Random(seed));
            Checkpoint.restoreParts(files, parts);
            for (String key : optimizer.stateKeys()) {
                float[] before = concat(saved, key);
                float[] after = concat(restored, key);
                assertArrayEquals(before, after, key);
            }
            for (int s = 0; s < restored.size(); s++) {
                assertEquals(saved.getFirst().step(), restored.get(s).step());
                for (String key : optimizer.scalarKeys()) {
                    assertEquals(saved.getFirst().scalar(key), restored.get(s).scalar(key), key);
                }
            }
            if (!(optimizer instanceof Lars) && !(optimizer instanceof Lamb) && !(optimizer instanceof Adafactor)
                    && !fused(optimizer) && !Catalogue.countsWholeTensor(optimizer)
                    && !(scheduleFree(optimizer) && hasOneElementBlock(cuts, newCuts))) {
                // Elementwise algorithms step the same whatever the split, so the resumed shards go on
                // as the saved ones would (LARS, LAMB and Adafactor use per-block norms, the caution mask
                // a per-block count, torch's fused kernels treat each tensor's last n mod 8 elements
                // apart and XLA simplifies Schedule-Free's one-element tensors: for them the split is part
                // of the meaning).
                MemorySegment other = Floats.copyOf(arena, Floats.toArray(params));
                stepShards(width, optimizer, saved, cuts, params, Floats.copyOf(arena, grads.get(steps)));
                stepShards(width, optimizer, restored, newCuts, other, Floats.copyOf(arena, grads.get(steps)));
                assertArrayEquals(Floats.toArray(params), Floats.toArray(other));
                for (String key : optimizer.stateKeys()) {
                    assertArrayEquals(concat(saved, key), concat(restored, key), key + " after a resumed step");
                }
            }
        }
    }

    private static boolean scheduleFree(Optimizer o) {
        return o instanceof ScheduleFreeAdamW || o instanceof ScheduleFreeSgd;
    }

    private static boolean hasOneElementBlock(long[]... cutLists) {
        for (long[] cuts : cutLists) {
            for (int s = 0; s + 1 < cuts.length; s++) {
                if (cuts[s + 1] - cuts[s] == 1) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean fused(Optimizer o) {
        return o.numerics() == Numerics.TORCH_2_FUSED;
    }

    /** {@code n} cut points from 0 to {@code length}, each shard at least one element. */
    static long[] cuts(int length, int n, SplittableRandom random) {
        int shards = Math.min(n, length);
        TreeSet<Long> inner = new TreeSet<>();
        while (inner.size() < shards - 1) {
            inner.add((long) random.nextInt(1, length));
        }
        long[] cuts = new long[shards + 1];
        int i = 1;
        for (long c : inner) {
            cuts[i++] = c;
        }
        cuts[shards] = length;
        return cuts;
    }

    static List<OptimizerState> shards(Optimizer optimizer, long[] cuts, Arena arena) {
        List<OptimizerState> states = new ArrayList<>();
        for (int s = 0; s + 1 < cuts.length; s++) {
            states.add(optimizer.newState(cuts[s + 1] - cuts[s], arena));
        }
        return states;
    }

    private static void stepShards(LaneWidth width, Optimizer optimizer, List<OptimizerState> states, long[] cuts,
                                   MemorySegment params, MemorySegment grads) {
        for (int s = 0; s < states.size(); s++) {
            long from = cuts[s] * Float.BYTES;
            long bytes = (cuts[s + 1] - cuts[s]) * Float.BYTES;
            Engine.create(width).step(optimizer, states.get(s), params.asSlice(from, bytes),
                    grads.asSlice(from, bytes));
        }
    }

    static float[] concat(List<OptimizerState> states, String key) {
        float[] all = new float[0];
        for (OptimizerState s : states) {
            float[] part = Floats.toArray(s.slot(key));
            int at = all.length;
            all = Arrays.copyOf(all, at + part.length);
            System.arraycopy(part, 0, all, at, part.length);
        }
        return all;
    }

    static void assertSameState(String where, OptimizerState expected, OptimizerState actual) {
        assertEquals(expected.step(), actual.step(), where + " step");
        for (String key : expected.keys()) {
            assertArrayEquals(Floats.toArray(expected.slot(key)), Floats.toArray(actual.slot(key)), where + " " + key);
        }
        for (String key : expected.optimizer().scalarKeys()) {
            assertEquals(expected.scalar(key), actual.scalar(key), where + " " + key);
        }
    }

    /** Groups of one to three blocks each, one group per optimizer, with a gradient per step and block. */
    private static final class Model {
        final List<Optimizer> optimizers;
        final List<MemorySegment> params = new ArrayList<>();
        final List<OptimizerState> states = new ArrayList<>();
        final List<List<MemorySegment>> grads = new ArrayList<>();
        final List<Integer> sizes = new ArrayList<>();
        List<Group> groups;

        Model(List<Optimizer> optimizers, SplittableRandom random, Arena arena) {
            this.optimizers = optimizers;
            for (Optimizer o : optimizers) {
                int blocks = random.nextInt(1, 4);
                sizes.add(blocks);
                for (int b = 0; b < blocks; b++) {
                    int n = random.nextInt(0, 40);
                    params.add(Floats.copyOf(arena, Data.SPECIAL.fill(n, random)));
                    states.add(o.newState(n, arena));
                    List<MemorySegment> g = new ArrayList<>();
                    for (int t = 0; t < 5; t++) {
                        g.add(Floats.copyOf(arena, Data.SPECIAL.fill(n, random)));
                    }
                    grads.add(g);
                }
            }
            groups = groups(0);
        }

        private Model(Model other, Arena arena) {
            optimizers = other.optimizers;
            sizes.addAll(other.sizes);
            grads.addAll(other.grads);
            for (int b = 0; b < other.params.size(); b++) {
                params.add(Floats.copyOf(arena, Floats.toArray(other.params.get(b))));
                OptimizerState s = other.states.get(b);
                states.add(s.optimizer().newState(s.length(), arena));
            }
            groups = groups(0);
        }

        /** The same parameters (copied) and gradients, with fresh, unstepped states. */
        Model fresh(Arena arena) {
            return new Model(this, arena);
        }

        List<Group> groups(int t) {
            List<Group> result = new ArrayList<>();
            int b = 0;
            for (int g = 0; g < optimizers.size(); g++) {
                List<Block> blocks = new ArrayList<>();
                for (int i = 0; i < sizes.get(g); i++, b++) {
                    blocks.add(new Block(states.get(b), params.get(b), grads.get(b).get(t)));
                }
                result.add(new Group(optimizers.get(g), blocks));
            }
            return result;
        }

        void step(LaneWidth width, int t) {
            Engine.create(width).step(groups(t), NonFinite.PROPAGATE);
        }
    }
}
