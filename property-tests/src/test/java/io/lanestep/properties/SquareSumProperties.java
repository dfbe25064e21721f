package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Engine;
import io.lanestep.SquareSum;
import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link SquareSum} is exact: the sum of the squares of any floats, added in any grouping and
 * order, then rounded once, equals the exact sum rounded once (BigDecimal), and NaN and infinity
 * win as in floating point.
 */
class SquareSumProperties {
    @Provide
    Arbitrary<List<Float>> floats() {
        Arbitrary<Float> wide = Arbitraries.floats().between(-1e19f, 1e19f)
                .edgeCases(c -> c.add(Float.MIN_VALUE).add(-Float.MIN_NORMAL).add(0f).add(-0f));
        Arbitrary<Float> scaled = Arbitraries.integers().between(-149, 62)
                .flatMap(e -> Arbitraries.floats().between(1, 2).map(m -> Math.scalb(m, e)));
        return Arbitraries.oneOf(wide, scaled).list().ofMinSize(1).ofMaxSize(300);
    }

    @Property(tries = 300)
    void anyGroupingRoundsOnceToTheExactSum(@ForAll("floats") List<Float> values, @ForAll long seed) {
        float[] a = new float[values.size()];
        BigDecimal exact = BigDecimal.ZERO;
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
            exact = exact.add(new BigDecimal((double) a[i] * a[i]));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < a.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int parts = 1 + (int) Math.floorMod(seed, 7);
        List<SquareSum> partial = new ArrayList<>();
        try (Engine engine = Engine.create()) {
            for (int p = 0; p < parts; p++) {
                SquareSum s = new SquareSum();
                for (int k = p; k < order.size(); k += parts) {
                    // One element per segment: each is its own chunk, so the engine adds its square exactly.
                    engine.addSquares(List.of(MemorySegment.ofArray(new float[] {a[order.get(k)]})), s);
                }
                partial.add(SquareSum.fromLongs(s.toLongs()));
            }
        }
        SquareSum total = new SquareSum();
        for (SquareSum s : partial.reversed()) {
            total.add(s);
        }
        assertEquals(exact.doubleValue(), total.value(), 0.0, values.toString());
    }

    @Example
    void nanAndInfinityWinAndBadLongsAreRefused() {
        SquareSum s = new SquareSum();
        try (Engine engine = Engine.create()) {
            float[] huge = new float[16];
            java.util.Arrays.fill(huge, 1e30f); // squared in float partial sums: overflows
            engine.addSquares(List.of(MemorySegment.ofArray(huge)), s);
            assertEquals(Double.POSITIVE_INFINITY, s.value());
            engine.addSquares(List.of(MemorySegment.ofArray(new float[] {Float.NaN})), s);
            assertTrue(Double.isNaN(s.value()));
        }
        var e = assertThrows(IllegalArgumentException.class, () -> SquareSum.fromLongs(new long[3]));
        assertTrue(e.getMessage().contains("toLongs()"), e.getMessage());
    }
}
