package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.NonFinite;
import io.lanestep.NonFiniteGradientException;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.reference.Reference;
import io.lanestep.reference.ReferenceState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Skip and throw leave a step with any non-finite gradient untouched; finite steps go on as usual. */
class NonFiniteProperties implements OptimizerDomain {

    /** Where the bad value goes: first, last, in the vector tail, in the middle. */
    enum Spot { FIRST, LAST, TAIL, MIDDLE }

    @Property(tries = 250)
    void aBadGradientAnywhereLeavesEveryBlockUntouched(@ForAll("optimizers") Optimizer optimizer,
                                                      @ForAll("widths") LaneWidth width,
                                                      @ForAll @IntRange(min = 1, max = 4) int blocks,
                                                      @ForAll @IntRange(min = 1, max = 3) int badBlock,
                                                      @ForAll @IntRange(min = 1, max = 100) int length,
                                                      @ForAll Spot spot, @ForAll("bad") float bad,
                                                      @ForAll boolean skip, @ForAll long seed) {
        int target = (badBlock - 1) % blocks;
        SplittableRandom random = new SplittableRandom(seed);
        Engine engine = Engine.create(width);
        try (Arena arena = Arena.ofConfined()) {
            List<Block> model = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                int n = length + b;
                OptimizerState state = optimizer.newState(n, arena);
                MemorySegment p = Floats.copyOf(arena, Data.NORMAL.fill(n, random));
                engine.step(optimizer, state, p, Floats.copyOf(arena, Data.NORMAL.fill(n, random)));
                model.add(new Block(state, p, Floats.copyOf(arena, Data.NORMAL.fill(n, random))));
            }
            long n = Floats.length(model.get(target).grads());
            long index = switch (spot) {
                case FIRST -> 0;
                case LAST -> n - 1;
                case TAIL -> n - 1 - (n % width.lanes()) / 2;
                case MIDDLE -> n / 2;
            };
            model.get(target).grads().setAtIndex(Floats.LAYOUT, index, bad);
            List<float[]> before = snapshot(model);
            if (skip) {
                assertFalse(engine.step(optimizer, model, NonFinite.SKIP), "the step was reported applied");
            } else {
                NonFiniteGradientException e = assertThrows(NonFiniteGradientException.class,
                        () -> engine.step(optimizer, model, NonFinite.THROW));
                assertEquals(target, e.block());
                assertEquals(index, e.index());
                assertTrue(e.getMessage().startsWith("blocks[" + target + "].grads[" + index + "] is "), e.getMessage());
            }
            List<float[]> after = snapshot(model);
            for (int k = 0; k < before.size(); k++) {
                Harness.compare(optimizer + " " + spot, "block data " + k, after.get(k), before.get(k), before.get(k));
            }
            for (Block b : model) {
                assertEquals(1, b.state().step(), "the step counter moved");
            }
        }
    }

    @Property(tries = 150)
    void finiteStepsUnderEveryPolicyMatchTheReference(@ForAll("optimizers") Optimizer optimizer,
                                                      @ForAll("widths") LaneWidth width,
                                                      @ForAll @IntRange(max = 80) int n, @ForAll NonFinite policy,
                                                      @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] params = Data.SPECIAL.fill(n, random);
        float[] grads = Data.SPECIAL.fill(n, random);
        ReferenceState reference = new ReferenceState(optimizer, n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = Floats.copyOf(arena, params);
            OptimizerState state = optimizer.newState(n, arena);
            assertTrue(Engine.create(width).step(optimizer, state, p, Floats.copyOf(arena, grads), policy));
            Reference.step(optimizer, params, grads, reference);
            Harness.compare(optimizer + " " + policy, "params", Floats.toArray(p), params, params);
        }
    }

    @Property(tries = 100)
    void propagateLetsNonFiniteValuesThroughLikeTheReference(@ForAll("optimizers") Optimizer optimizer,
                                                             @ForAll("widths") LaneWidth width,
                                                             @ForAll @IntRange(min = 1, max = 70) int n,
                                                             @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] params = Data.NORMAL.fill(n, random);
        float[] grads = Data.NONFINITE.fill(n, random);
        grads[random.nextInt(n)] = Float.NaN;
        ReferenceState reference = new ReferenceState(optimizer, n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = Floats.copyOf(arena, params);
            OptimizerState state = optimizer.newState(n, arena);
            assertTrue(Engine.create(width).step(optimizer, state, p, Floats.copyOf(arena, grads), NonFinite.PROPAGATE));
            Reference.step(optimizer, params, grads, reference);
            Harness.compare(optimizer + " propagate", "params", Floats.toArray(p), params, params);
        }
    }

    private static List<float[]> snapshot(List<Block> model) {
        List<float[]> all = new ArrayList<>();
        for (Block b : model) {
            all.add(Floats.toArray(b.params()));
            for (String key : b.state().keys()) {
                all.add(Floats.toArray(b.state().slot(key)));
            }
            float[] scalars = new float[b.state().optimizer().scalarKeys().size()];
            for (int k = 0; k < scalars.length; k++) {
                scalars[k] = b.state().scalar(b.state().optimizer().scalarKeys().get(k));
            }
            all.add(scalars);
        }
        return all;
    }

    @Provide
    Arbitrary<Float> bad() {
        return Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xff800001));
    }
}
