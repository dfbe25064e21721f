package io.lanestep.properties;

import io.lanestep.LaneWidth;
import io.lanestep.Muon;
import io.lanestep.Optimizer;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;

/** Every optimizer at every lane width equals the scalar reference bit for bit. */
@Tag("kernels")
class KernelEquivalenceProperties implements OptimizerDomain {

    @Property(tries = 400)
    void finiteInputsGiveTheReferenceBits(@ForAll("optimizers") Optimizer optimizer, @ForAll("widths") LaneWidth width,
                                          @ForAll("lengths") int n, @ForAll @IntRange(min = 1, max = 8) int steps,
                                          @ForAll("finite") Data data, @ForAll long seed,
                                          @ForAll Harness.Placement placement, @ForAll @IntRange(max = 17) int offset) {
        Harness.assertSameAsReference(optimizer, width, n, steps, data, seed, placement, offset);
    }

    @Property(tries = 150)
    void nonFiniteInputsGiveTheReferenceBits(@ForAll("optimizers") Optimizer optimizer,
                                             @ForAll("widths") LaneWidth width, @ForAll("lengths") int n,
                                             @ForAll @IntRange(min = 1, max = 4) int steps, @ForAll long seed,
                                             @ForAll Harness.Placement placement) {
        Harness.assertSameAsReference(optimizer, width, n, steps, Data.NONFINITE, seed, placement, 1);
    }

    /**
     * What a new optimizer is tested with until it has an arbitrary of its own
     * ({@link Optimizers#fromComponents}), held to the reference for every optimizer.
     */
    @Property(tries = 150)
    void configurationsFromComponentsGiveTheReferenceBits(@ForAll("fromComponents") Optimizer optimizer,
                                                         @ForAll("widths") LaneWidth width, @ForAll("lengths") int n,
                                                         @ForAll @IntRange(min = 1, max = 4) int steps,
                                                         @ForAll long seed, @ForAll Harness.Placement placement) {
        Harness.assertSameAsReference(optimizer, width, n, steps, Data.NORMAL, seed, placement, 0);
    }

    @Provide
    Arbitrary<Optimizer> fromComponents() {
        return Arbitraries.oneOf(Arrays.stream(Optimizer.class.getPermittedSubclasses())
                .filter(type -> type != Muon.class)
                .map(type -> Optimizers.fromComponents(type.asSubclass(Optimizer.class))).toList());
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Optimizers.lengths();
    }

    @Provide
    Arbitrary<Data> finite() {
        return Arbitraries.of(Data.NORMAL, Data.SPECIAL);
    }
}
