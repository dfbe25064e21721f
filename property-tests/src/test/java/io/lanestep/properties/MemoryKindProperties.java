package io.lanestep.properties;

import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The same step over the same values gives the same bits whatever memory holds them: every kind,
 * mixed within a call (params of one kind, grads of another, state confined) and changing from
 * step to step on one state, on one thread and split across two.
 */
class MemoryKindProperties implements OptimizerDomain {

    @Property(tries = 200)
    void everyKindAndMixGivesTheReferenceBits(@ForAll("optimizers") Optimizer optimizer,
                                              @ForAll("widths") LaneWidth width, @ForAll("lengths") int n,
                                              @ForAll @IntRange(min = 1, max = 2) int threads,
                                              @ForAll("kinds") List<Harness.Placement> paramKinds,
                                              @ForAll("kinds") List<Harness.Placement> gradKinds,
                                              @ForAll long seed) {
        int steps = Math.min(paramKinds.size(), gradKinds.size());
        Harness.assertSameAcrossKinds(optimizer, width, threads, n, Data.SPECIAL, seed, paramKinds.subList(0, steps),
                gradKinds.subList(0, steps));
    }

    @Provide
    Arbitrary<List<Harness.Placement>> kinds() {
        return Arbitraries.of(Harness.Placement.class).list().ofMinSize(1).ofMaxSize(5);
    }

    /** Mostly short blocks (every tail), sometimes one large enough to split across threads. */
    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(0, 3 * 16 + 1)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(131_072, 140_000)));
    }
}
