package io.lanestep.properties;

import io.lanestep.Engine;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Prodigy's sums are summed window by window in pass 0, wherever the block is cut between threads:
 * blocks long enough to be split, of every length modulo the window (which moves where windows
 * start), give the reference's bits on any number of threads.
 */
class ProdigyProperties implements OptimizerDomain {

    @Property(tries = 25)
    void blocksSplitAcrossThreadsGiveTheReferenceBits(@ForAll("prodigy") Optimizer optimizer,
                                                      @ForAll("widths") LaneWidth width,
                                                      @ForAll @IntRange(min = 131_072, max = 300_000) int n,
                                                      @ForAll @IntRange(min = 1, max = 4) int threads,
                                                      @ForAll @IntRange(min = 1, max = 3) int steps,
                                                      @ForAll long seed, @ForAll Harness.Placement placement) {
        try (Engine engine = Engine.create(width, threads)) {
            Harness.assertSameAsReference(optimizer, engine, n, steps, Data.NORMAL, null, seed, placement, 5);
        }
    }

    @Provide
    Arbitrary<Optimizer> prodigy() {
        return Optimizers.prodigy();
    }
}
