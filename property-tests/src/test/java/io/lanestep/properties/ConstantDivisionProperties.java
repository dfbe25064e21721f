package io.lanestep.properties;

import io.lanestep.Adam;
import io.lanestep.AdamW;
import io.lanestep.LaneWidth;
import io.lanestep.NAdam;
import io.lanestep.Optimizer;
import io.lanestep.RAdam;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Adam, AdamW, NAdam and RAdam divide by a per-step constant (a bias correction) through its
 * reciprocal and an FMA correction; the bits must still be those of a true division, as in the
 * reference. Betas of full double precision give divisors of any significand; state and gradients
 * of every binade reach both sides of the guard's bounds (2^-100, 2^96), zeros and non-finites.
 */
@Tag("kernels")
class ConstantDivisionProperties implements OptimizerDomain {

    @Property(tries = 250)
    void dividingByABiasCorrectionGivesTheReferenceBits(@ForAll("divisions") Optimizer optimizer,
                                                        @ForAll("widths") LaneWidth width,
                                                        @ForAll @IntRange(min = 1, max = 3000) int n,
                                                        @ForAll @IntRange(min = 1, max = 3) int steps,
                                                        @ForAll long seed) {
        Harness.assertSameAsReference(optimizer, width, n, steps, Data.WIDE, Data.WIDE, seed,
                Harness.Placement.ALIGNED, 0);
    }

    @Provide
    Arbitrary<Optimizer> divisions() {
        Arbitrary<Double> beta = Arbitraries.doubles().between(0, 0.9999999999).ofScale(17);
        // A quotient's last bit survives the following "+ eps" only where eps is 0 or tiny.
        Arbitrary<Double> eps = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(0.0, 1e-40)),
                Tuple.of(1, Optimizers.eps()));
        Arbitrary<Double> decay = Arbitraries.of(0.0, 0.01);
        return Arbitraries.oneOf(List.of(
                Combinators.combine(Optimizers.lr(), beta, beta, eps, decay, Arbitraries.of(true, false),
                        Arbitraries.of(true, false)).as(Adam::new),
                Combinators.combine(Optimizers.lr(), beta, beta, eps, decay, Arbitraries.of(true, false),
                        Arbitraries.of(true, false)).as(AdamW::new),
                Combinators.combine(Optimizers.lr(), beta, beta, eps, decay).as(
                        (lr, b1, b2, e, wd) -> new NAdam(lr, b1, b2, e, wd, 4e-3)),
                Combinators.combine(Optimizers.lr(), beta, beta, eps, decay).as(RAdam::new)));
    }
}
