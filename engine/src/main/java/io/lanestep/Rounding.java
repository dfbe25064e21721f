package io.lanestep;

import java.io.Serializable;

/**
 * How a step writes 16-bit parameters. Round to nearest even loses every update smaller than
 * half a bf16 ulp (about 2^-9 of the weight); stochastic rounding rounds up with probability
 * (distance to the lower neighbour) / (their gap), so small updates survive on average.
 *
 * <p>Stochastic rounding here is deterministic: the 16 random bits of element {@code i} at step
 * {@code t} (the steps the state took before) are the upper half of word {@code i mod 4} of
 * Philox4x32-10 (Salmon et al., SC 2011) at counter {@code (i / 4, t)} under key {@code seed}, so
 * the result is the same at every lane width and thread count and a restored state continues the
 * same sequence. {@code i} counts from the model's first element for a state placed in it
 * ({@link OptimizerState#placeAt}): shards of a model round as the whole model does, whatever the
 * split. The value stored is the truncation of {@code x + bits · 2^-16 ulp}; NaN is stored
 * as {@code 0x7fc0}, infinities stay.
 *
 * @param stochastic whether parameters round stochastically
 * @param seed       the generator's key: give each block its own to decorrelate their rounding
 */
public record Rounding(boolean stochastic, long seed) implements Serializable {
    /** Round to nearest even. */
    public static final Rounding NEAREST = new Rounding(false, 0);

    /** Stochastic rounding keyed by {@code seed}. */
    public static Rounding stochastic(long seed) {
        return new Rounding(true, seed);
    }

    @Override
    public String toString() {
        return stochastic ? "stochastic rounding (seed " + seed + ")" : "round to nearest even";
    }
}
