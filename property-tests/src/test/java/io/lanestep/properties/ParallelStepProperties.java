package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Splitting a block across threads changes no bit: results are independent of the thread count. */
class ParallelStepProperties implements OptimizerDomain {

    @Property(tries = 60)
    void anyThreadCountGivesTheSingleThreadBits(@ForAll("optimizers") Optimizer optimizer,
                                                @ForAll("widths") LaneWidth width,
                                                @ForAll @IntRange(min = 131_072, max = 400_000) int n,
                                                @ForAll @IntRange(min = 2, max = 5) int threads,
                                                @ForAll @IntRange(min = 1, max = 3) int steps,
                                                @ForAll boolean special, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        // Special data's huge values overflow LARS's and LAMB's block norms; normal data keeps them finite.
        Data data = special ? Data.SPECIAL : Data.NORMAL;
        float[] params = data.fill(n, random);
        try (Arena arena = Arena.ofShared();
             Engine parallel = Engine.create(width, threads)) {
            Engine single = Engine.create(width);
            MemorySegment p1 = Floats.copyOf(arena, params);
            MemorySegment pn = Floats.copyOf(arena, params);
            OptimizerState s1 = optimizer.newState(n, arena);
            OptimizerState sn = optimizer.newState(n, arena);
            for (int t = 0; t < steps; t++) {
                MemorySegment g = Floats.copyOf(arena, data.fill(n, random));
                single.step(optimizer, s1, p1, g);
                parallel.step(optimizer, sn, pn, g);
            }
            String where = optimizer + " at " + width + ", n=" + n + ", " + threads + " threads";
            Harness.compare(where, "params", Floats.toArray(pn), Floats.toArray(p1), params);
            for (String key : optimizer.stateKeys()) {
                Harness.compare(where, key, Floats.toArray(sn.slot(key)), Floats.toArray(s1.slot(key)), params);
            }
            for (String key : optimizer.scalarKeys()) {
                assertEquals(s1.scalar(key), sn.scalar(key), key);
            }
            assertEquals(s1.step(), sn.step());
        }
    }

    @Example
    void confinedBlocksAreSteppedByTheCallerAndClosedEnginesRefuse() {
        Optimizer sgd = new Sgd(0.1, 0.9, 0, 0, false, false);
        int n = 200_000;
        Engine parallel = Engine.create(LaneWidth.preferred(), 2);
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment p = Floats.allocate(confined, n);
            MemorySegment g = Floats.allocate(confined, n);
            g.fill((byte) 0x3f);
            OptimizerState state = sgd.newState(n, confined);
            parallel.step(sgd, state, p, g);
            assertEquals(1, state.step());
            parallel.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                try (Arena shared = Arena.ofShared()) {
                    MemorySegment sp = Floats.allocate(shared, n);
                    parallel.step(sgd, sgd.newState(n, shared), sp, Floats.allocate(shared, n));
                }
            });
            assertEquals("this engine was closed; create a new Engine to keep stepping", e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Engine.create(LaneWidth.SCALAR, 0));
    }
}
