package io.lanestep.properties;

import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Provide;

/** The providers most properties share: every optimizer, every lane width this CPU runs. */
interface OptimizerDomain {

    @Provide
    default Arbitrary<Optimizer> optimizers() {
        return Optimizers.all();
    }

    @Provide
    default Arbitrary<LaneWidth> widths() {
        return Optimizers.widths();
    }
}
