package io.lanestep.properties;

import io.lanestep.Engine;
import io.lanestep.LaneWidth;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The global gradient norm has one summation order: the same bits at every lane width, and within
 * the documented bound (a relative 256·2⁻²⁴ on the sum of squares) of the exact value.
 */
class GradientNormProperties {

    @Property(tries = 200)
    void everyWidthGivesTheSameNormWithinTheBoundOfTheExactOne(@ForAll @IntRange(max = 5) int blocks,
                                                               @ForAll @IntRange(max = 20_000) int longest,
                                                               @ForAll @IntRange(max = 3) int offset,
                                                               @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            List<MemorySegment> grads = new ArrayList<>();
            BigDecimal exact = BigDecimal.ZERO;
            for (int b = 0; b < blocks; b++) {
                int n = random.nextInt(longest + 1);
                float[] values = Data.NORMAL.fill(n, random);
                for (int i = 0; i < n; i++) {
                    values[i] *= (float) Math.pow(10, random.nextInt(-3, 4));
                    exact = exact.add(new BigDecimal(values[i]).pow(2));
                }
                grads.add(Harness.place(arena, arena, values, Harness.Placement.OFFSET_SLICE, offset));
            }
            double expected = Math.sqrt(exact.doubleValue());
            Double first = null;
            for (LaneWidth width : Optimizers.widths().allValues().orElseThrow().toList()) {
                double norm = Engine.create(width).globalNorm(grads);
                if (first == null) {
                    first = norm;
                } else if (Double.doubleToLongBits(norm) != Double.doubleToLongBits(first)) {
                    throw new AssertionError(width + " gives " + norm + ", another width " + first);
                }
                double sumBound = 256 * 0x1p-24 * expected * expected + 1e-300;
                if (!(Math.abs(norm * norm - expected * expected) <= sumBound)) {
                    throw new AssertionError("norm " + norm + " vs exact " + expected + ": squares differ by "
                            + Math.abs(norm * norm - expected * expected) + " > " + sumBound + " ("
                            + exact.round(MathContext.DECIMAL64) + ")");
                }
            }
        }
    }
}
