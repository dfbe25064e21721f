package io.lanestep;

/**
 * An exponential moving average of a group's weights, written by the step itself
 * ({@link Group#withEma}): each block's EMA copy ({@link Block#withEma}) moves towards the block's
 * new parameters as the step leaves them, {@code ema.lerp_(params, 1 - decay)} in float32 as
 * torch's {@code _foreach_lerp_} computes it, chunk by chunk while the parameters are still in
 * cache: one pass over memory, not two.
 *
 * <p>The decay of step {@code t} (counting the step being taken, 1 for a state's first) is timm's
 * {@code ModelEmaV3.get_decay(t)}: with {@code s = max(0, t - updateAfterStep - 1)}, 0 while
 * {@code s = 0} (the copy takes the parameters as they are), then {@code decay}, or with warm-up
 * {@code max(min(1 - (1 + s / warmupGamma)^-warmupPower, decay), minDecay)}, in double, the
 * weight {@code 1 - decay} rounded once to float. {@link #of} is also torch's
 * {@code AveragedModel} with {@code get_ema_multi_avg_fn(decay)}: its first update copies, every
 * later one lerps. A weight of 1 copies the parameters exactly.
 *
 * @param decay           the decay once warmed up, in [0, 1]
 * @param minDecay        the least decay warm-up gives, in [0, 1]
 * @param updateAfterStep steps that only copy the parameters beyond the first, >= 0
 * @param warmup          whether the decay grows as {@code 1 - (1 + s / warmupGamma)^-warmupPower}
 * @param warmupGamma     the warm-up's step scale, > 0
 * @param warmupPower     the warm-up's power, > 0
 */
public record WeightEma(double decay, double minDecay, long updateAfterStep, boolean warmup, double warmupGamma,
                        double warmupPower) {

    /** Validates every hyperparameter. */
    public WeightEma {
        Hyper.unitInterval("decay", decay);
        Hyper.unitInterval("minDecay", minDecay);
        if (updateAfterStep < 0) {
            throw new IllegalArgumentException("updateAfterStep must be >= 0, got " + updateAfterStep
                    + "; pass how many steps after the first should only copy the parameters");
        }
        Hyper.positive("warmupGamma", warmupGamma);
        Hyper.positive("warmupPower", warmupPower);
    }

    /** A constant {@code decay} (timm's default 0.9999; torch's {@code get_ema_multi_avg_fn} 0.999). */
    public static WeightEma of(double decay) {
        return new WeightEma(decay, 0, 0, false, 1, 2.0 / 3);
    }

    /** With timm's decay warm-up ({@code use_warmup=True}); its defaults are gamma 1, power 2/3. */
    public WeightEma withWarmup(double gamma, double power) {
        return new WeightEma(decay, minDecay, updateAfterStep, true, gamma, power);
    }

    /** With a least decay for the warm-up. */
    public WeightEma withMinDecay(double least) {
        return new WeightEma(decay, least, updateAfterStep, warmup, warmupGamma, warmupPower);
    }

    /** With {@code steps} more steps that only copy the parameters. */
    public WeightEma withUpdateAfterStep(long steps) {
        return new WeightEma(decay, minDecay, steps, warmup, warmupGamma, warmupPower);
    }

    /** The decay of step {@code t}, the first being 1: timm's {@code get_decay(t)}. */
    public double decayAt(long t) {
        long s = Math.max(0, t - updateAfterStep - 1);
        if (s <= 0) {
            return 0;
        }
        if (!warmup) {
            return decay;
        }
        double grown = 1 - Math.pow(1 + s / warmupGamma, -warmupPower);
        return Math.max(Math.min(grown, decay), minDecay);
    }

    /** The lerp weight of step {@code t}: {@code 1 - decayAt(t)} rounded once to float. */
    public float weightAt(long t) {
        return (float) (1 - decayAt(t));
    }
}
