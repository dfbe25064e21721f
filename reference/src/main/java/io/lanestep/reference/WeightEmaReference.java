package io.lanestep.reference;

/**
 * A moving average of the weights as torch and timm keep one, element by element: timm's
 * {@code ModelEmaV3.get_decay(step)} in double, then {@code torch._foreach_lerp_(ema, params,
 * 1 - decay)} on float32 with the weight rounded once to float; torch's {@code AveragedModel}
 * copies on its first update, which a weight of 1 does here too.
 */
public final class WeightEmaReference {
    private WeightEmaReference() {
    }

    /** timm's decay of step {@code step} (the first step is 1). */
    public static double decay(long step, double decay, double minDecay, long updateAfterStep, boolean warmup,
                               double gamma, double power) {
        long s = Math.max(0, step - updateAfterStep - 1);
        if (s <= 0) {
            return 0.0;
        }
        if (!warmup) {
            return decay;
        }
        double d = 1 - Math.pow(1 + s / gamma, -power);
        return Math.max(Math.min(d, decay), minDecay);
    }

    /** {@code ema.lerp_(params, weight)} in place; a weight of 1 copies. */
    public static void update(float[] ema, float[] params, float weight) {
        for (int i = 0; i < ema.length; i++) {
            ema[i] = weight == 1f ? params[i] : Lerp.lerp(ema[i], params[i], weight);
        }
    }
}
