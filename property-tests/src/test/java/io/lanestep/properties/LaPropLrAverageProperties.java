package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lanestep.LaProp;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;

/**
 * LaProp's double average of learning rates survives its float scalar state exactly: every
 * trajectory and checkpoint depends on it to the last bit of a double.
 */
class LaPropLrAverageProperties {

    @Property
    void threeFloatsHoldADoubleExactly(@ForAll @DoubleRange(min = 1, max = 2) @Scale(17) double mantissa,
                                       @ForAll @IntRange(min = -66, max = 66) int exponent) {
        double value = Math.scalb(mantissa, exponent);
        float[] parts = new float[4];
        LaProp.split(value, parts, 1);
        assertEquals(value, LaProp.joined(parts, 1));
    }

    @Property
    void theAverageAfterManyStepsIsTimmsDouble(@ForAll @DoubleRange(min = 1e-6, max = 1) @Scale(17) double lr) {
        LaProp laProp = LaProp.of(lr);
        float[] parts = new float[3];
        double timm = 0;
        for (int t = 0; t < 200; t++) {
            timm = timm * laProp.beta1() + (1 - laProp.beta1()) * lr;
            LaProp.split(laProp.nextLrAverage(LaProp.joined(parts, 0)), parts, 0);
            assertEquals(timm, LaProp.joined(parts, 0), "step " + (t + 1));
        }
    }
}
