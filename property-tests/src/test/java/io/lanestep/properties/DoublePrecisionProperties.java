package io.lanestep.properties;

import io.lanestep.Optimizer;
import io.lanestep.reference.Reference;
import io.lanestep.reference.ReferenceState;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The float32 reference agrees with a double-precision evaluation of the math, step by step, within
 * {@value #ROUNDINGS} roundings of the terms involved: |float − double| ≤ 8·2⁻²⁴·Σ|terms| + 8·MIN_VALUE.
 * Each step has at most five rounded operations plus the float rounding of each hyperparameter, so
 * 8 units is a true bound, while a wrong formula (a missing factor, a dampened first step, a wrong
 * sign) is off by a whole term.
 */
class DoublePrecisionProperties {
    static final int ROUNDINGS = 8;
    private static final double UNIT = Math.ulp(1.0f) / 2;

    @Property(tries = 300)
    void referenceIsTheMathUpToRounding(@ForAll("optimizers") Optimizer optimizer,
                                        @ForAll @IntRange(min = 1, max = 64) int n,
                                        @ForAll @IntRange(min = 1, max = 5) int steps, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] params = Data.NORMAL.fill(n, random);
        ReferenceState state = new ReferenceState(optimizer, n);
        int slots = optimizer.stateKeys().size();
        for (int t = 0; t < steps; t++) {
            float[] grads = Data.NORMAL.fill(n, random);
            DoubleModel.Result[] expected = new DoubleModel.Result[n];
            for (int i = 0; i < n; i++) {
                double[] before = new double[slots];
                for (int k = 0; k < slots; k++) {
                    before[k] = state.slot(optimizer.stateKeys().get(k))[i];
                }
                expected[i] = DoubleModel.step(optimizer, params[i], grads[i], before, state.step());
            }
            Reference.step(optimizer, params, grads, state);
            for (int i = 0; i < n; i++) {
                check(optimizer, t, i, "params", params[i], expected[i], 0);
                for (int k = 0; k < slots; k++) {
                    String key = optimizer.stateKeys().get(k);
                    check(optimizer, t, i, key, state.slot(key)[i], expected[i], k + 1);
                }
            }
        }
    }

    private static void check(Optimizer optimizer, int t, int i, String what, float actual, DoubleModel.Result r,
                              int k) {
        double bound = ROUNDINGS * UNIT * r.magnitudes()[k] + ROUNDINGS * Float.MIN_VALUE;
        double error = Math.abs(actual - r.values()[k]);
        if (!(error <= bound)) {
            throw new AssertionError(optimizer + " step " + (t + 1) + " " + what + "[" + i + "]: float " + actual
                    + " vs double " + r.values()[k] + ", error " + error + " > bound " + bound);
        }
    }

    @Provide
    Arbitrary<Optimizer> optimizers() {
        return Optimizers.all();
    }
}
