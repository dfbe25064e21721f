package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adafactor;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Lamb;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.Prodigy;
import io.lanestep.reference.Reference;
import io.lanestep.reference.ReferenceState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * An engine that flushes subnormal state leaves exactly the reference's state with every subnormal
 * value turned into a zero of its sign, and the reference's parameters: at every width, on data
 * full of subnormals. The flush must happen in many of the tries, or the property proves nothing.
 */
class FlushSubnormalProperties implements OptimizerDomain {
    private static final AtomicLong FLUSHED = new AtomicLong();

    @AfterContainer
    static void theFlushHappened() {
        assertTrue(FLUSHED.get() > 100, "only " + FLUSHED + " state values were flushed over all tries");
    }

    /** The optimizers whose state no later pass of the same step reads: the others are not flushed. */
    @Provide
    Arbitrary<Optimizer> flushable() {
        return Optimizers.all().filter(o -> !(o instanceof Lamb) && !(o instanceof Adafactor) && !(o instanceof Prodigy));
    }

    @Property(tries = 250)
    void flushedStepsEqualTheReferenceThenFlushed(@ForAll("flushable") Optimizer optimizer,
                                                  @ForAll("widths") LaneWidth width,
                                                  @ForAll @IntRange(min = 1, max = 70) int n,
                                                  @ForAll @IntRange(min = 1, max = 4) int steps,
                                                  @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] expected = Data.SPECIAL.fill(n, random);
        ReferenceState reference = new ReferenceState(optimizer, n);
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create(width, 1, true)) {
            MemorySegment params = Floats.copyOf(arena, expected);
            OptimizerState state = optimizer.newState(n, arena);
            for (int t = 0; t < steps; t++) {
                float[] g = Data.SPECIAL.fill(n, random);
                Reference.step(optimizer, expected, g, reference);
                FLUSHED.addAndGet(subnormals(reference, optimizer));
                reference.flushSubnormals();
                engine.step(optimizer, state, params, Floats.copyOf(arena, g));
                String where = optimizer + " at " + width + ", n=" + n + ", step " + (t + 1);
                assertArrayEquals(expected, Floats.toArray(params), where + " params");
                for (String key : optimizer.stateKeys()) {
                    float[] mine = Floats.toArray(state.slot(key));
                    assertArrayEquals(reference.slot(key), mine, where + " " + key);
                    for (float v : mine) {
                        assertTrue(v == 0 || !(Math.abs(v) < Float.MIN_NORMAL), where + " left " + v + " in " + key);
                    }
                }
                for (String key : optimizer.scalarKeys()) {
                    assertEquals(reference.scalar(key), state.scalar(key), where + " " + key);
                }
            }
        }
    }

    /**
     * The optimizers left out above step as an engine that does not flush: their state, read
     * again by a later pass of the same step, is left as it is (with it flushed, Prodigy's second
     * sum could be 0 / 0 where the unflushed one is not).
     */
    @Property(tries = 60)
    void stateAStepReadsAgainIsNotFlushed(@ForAll("notFlushed") Optimizer optimizer, @ForAll("widths") LaneWidth width,
                                           @ForAll @IntRange(min = 1, max = 70) int n,
                                           @ForAll @IntRange(min = 1, max = 4) int steps, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] p0 = Data.SPECIAL.fill(n, random);
        try (Arena arena = Arena.ofConfined(); Engine flushing = Engine.create(width, 1, true);
             Engine plain = Engine.create(width, 1, false)) {
            MemorySegment a = Floats.copyOf(arena, p0);
            MemorySegment b = Floats.copyOf(arena, p0);
            OptimizerState sa = optimizer.newState(n, arena);
            OptimizerState sb = optimizer.newState(n, arena);
            for (int t = 0; t < steps; t++) {
                MemorySegment g = Floats.copyOf(arena, Data.SPECIAL.fill(n, random));
                flushing.step(optimizer, sa, a, g);
                plain.step(optimizer, sb, b, g);
            }
            String where = optimizer + " at " + width + ", n=" + n;
            assertArrayEquals(Floats.toArray(b), Floats.toArray(a), where + " params");
            for (String key : optimizer.stateKeys()) {
                assertArrayEquals(Floats.toArray(sb.slot(key)), Floats.toArray(sa.slot(key)), where + " " + key);
            }
        }
    }

    @Provide
    Arbitrary<Optimizer> notFlushed() {
        return Arbitraries.oneOf(Optimizers.lamb(), Optimizers.prodigy());
    }

    private static long subnormals(ReferenceState state, Optimizer optimizer) {
        long count = 0;
        for (String key : optimizer.stateKeys()) {
            for (float v : state.slot(key)) {
                count += v != 0 && Math.abs(v) < Float.MIN_NORMAL ? 1 : 0;
            }
        }
        return count;
    }
}
