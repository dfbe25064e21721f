package io.lanestep;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * What Schedule-Free AdamW and SGD ({@link ScheduleFreeAdamW}, {@link ScheduleFreeSgd}) share: the
 * schedule, the averaging weights and the evaluation view, as optax 0.2.8's jitted step computes
 * them. The parameters a step receives are {@code y}, where gradients are taken; the state keeps
 * {@code z} (the parameters themselves before the first step) and the scalars {@code b1},
 * {@code weight_sum} and {@code max_lr}. Step {@code t} (from 1), {@code u} the base step:
 * <pre>
 * lr(c)  = f(lr), or during a warm-up of W steps (c &lt; W): fma(fma(-f(c), 1/f(W), 1), f(-lr), f(lr))
 * maxLr  = max(maxLr, lr(t));  weight = maxLr^power;  weightSum += weight   (power 2: fma(maxLr, maxLr, sum))
 * ck     = weight / weightSum  (NaN when either is NaN; a NaN quotient is 0)
 * z      = fma(u, -lr(t - 1), z0)
 * a      = fma(-z0, f(1 - b1), y)
 * x      = fma(a, (1 - ck)·f32(1/f(b1)), ck·z)           (one element: fma(1 - ck, a·f32(1/f(b1)), ck·z))
 * y'     = fma(z, f(1 - b1), x·f(b1))                     (b1 = 0.5: (fma(a, (1 - ck)·2, ck·z) + z)·0.5)
 * y      = y + (y' - y)
 * </pre>
 * The scalar products are float32, as XLA folds them.
 */
public final class ScheduleFree {
    /** The state slot of {@code z}. */
    public static final String Z = "z";
    /** Scalar state: {@code f(b1)} as the state was made, which the evaluation view divides by. */
    public static final String B1 = "b1";
    /** Scalar state: the sum of the averaging weights. */
    public static final String WEIGHT_SUM = "weight_sum";
    /** Scalar state: the largest learning rate so far. */
    public static final String MAX_LR = "max_lr";
    static final List<String> SCALAR_KEYS = List.of(B1, WEIGHT_SUM, MAX_LR);

    private ScheduleFree() {
    }

    static void validate(double lr, long warmupSteps, double b1, double weightLrPower) {
        Hyper.nonNegative("lr", lr);
        Hyper.warmupSteps("warmupSteps", warmupSteps);
        if (!(b1 > 0 && b1 < 1)) {
            throw new IllegalArgumentException("b1 must be in (0, 1), got " + b1 + "; Schedule-Free divides by it");
        }
        Hyper.nonNegative("weightLrPower", weightLrPower);
    }

    /** optax's {@code warmup_constant_schedule(0, lr, warmupSteps)} at {@code count}, float32 ({@code f(lr)} without warm-up). */
    public static float learningRate(double lr, long warmupSteps, long count) {
        return XlaMath.linearWarmup(lr, warmupSteps, count);
    }

    /** The averaging weight {@code maxLr^power} in float32 (exact for the powers 0, 1 and 2; XLA's power otherwise). */
    public static float weight(float maxLr, double power) {
        return power == 2 ? maxLr * maxLr : power == 1 ? maxLr : power == 0 ? 1f : XlaMath.pow(maxLr, (float) power);
    }

    /** {@code weightSum + weight}, fused as XLA fuses it for the power 2. */
    public static float weightSum(float weightSum, float maxLr, double power) {
        return power == 2 ? Math.fma(maxLr, maxLr, weightSum) : weightSum + weight(maxLr, power);
    }

    /** {@code weight / sum}, NaN when either is NaN, a NaN quotient 0 and -infinity the lowest float. */
    public static float averagingShare(float weight, float sum) {
        if (Float.isNaN(weight) || Float.isNaN(sum)) {
            return Float.NaN;
        }
        float share = weight / sum;
        return Float.isNaN(share) ? 0f : share == Float.NEGATIVE_INFINITY ? -Float.MAX_VALUE : share;
    }

    /**
     * Writes the averaged weights {@code x}, the point to evaluate at, for parameters {@code params}
     * ({@code y}) stepped with {@code state}: {@code x = fma(-(1 - b1), z, y) / b1} with {@code b1}
     * the state's float32 {@code b1}, as optax's {@code schedule_free_eval_params}. {@code out} may
     * be {@code params} itself (the view then replaces the training point; stepping needs it back).
     * Reads and writes float32 blocks only.
     *
     * @throws IllegalArgumentException if the state is not a Schedule-Free one, is not float32, or a
     *                                  segment's size is not the state's length in floats
     */
    public static void evalParams(OptimizerState state, MemorySegment params, MemorySegment out) {
        if (!(state.optimizer() instanceof ScheduleFreeAdamW || state.optimizer() instanceof ScheduleFreeSgd)) {
            throw new IllegalArgumentException("state was made for " + state.optimizer() + "; evalParams needs a"
                    + " ScheduleFreeAdamW or ScheduleFreeSgd state");
        }
        if (!state.formats().equals(Formats.FP32)) {
            throw new IllegalArgumentException("state was made for " + state.formats() + "; evalParams reads"
                    + " float32 blocks only, make the state with Formats.FP32");
        }
        long bytes = state.length() * Float.BYTES;
        if (params.byteSize() != bytes || out.byteSize() != bytes) {
            throw new IllegalArgumentException("params and out must hold the state's " + state.length()
                    + " floats, got " + params.byteSize() / Float.BYTES + " and " + out.byteSize() / Float.BYTES);
        }
        if (state.step() == 0) {
            MemorySegment.copy(params, 0, out, 0, bytes);
            return;
        }
        MemorySegment z = state.slot(Z);
        float b1 = state.scalar(B1);
        float negOneMinusB1 = -(1f - b1);
        for (long i = 0; i < state.length(); i++) {
            float y = params.getAtIndex(Floats.LAYOUT, i);
            out.setAtIndex(Floats.LAYOUT, i, Math.fma(negOneMinusB1, z.getAtIndex(Floats.LAYOUT, i), y) / b1);
        }
    }
}
