package io.lanestep.pytorch;

import java.util.Map;

/**
 * ReduceLROnPlateau: cuts the rate by {@code factor} when the metric passed to {@link #step(double)}
 * has not improved for more than {@code patience} steps; modes min/max, thresholds rel/abs,
 * cooldown, {@code min_lr} and {@code eps} as torch has them. Makes no step at construction.
 */
final class PlateauLr extends LrScheduler {
    private final boolean min;
    private final boolean relative;
    private final double factor;
    private final long patience;
    private final double threshold;
    private final long cooldown;
    private final double minLr;
    private final double eps;
    private double best;
    private long badEpochs;
    private long cooldownCounter;

    PlateauLr(Kwargs k, ParamGroup group) {
        super(k.className(), group);
        String mode = k.string("mode", "min");
        factor = k.number("factor", 0.1);
        if (factor >= 1.0) {
            throw new IllegalArgumentException("Factor should be < 1.0.");
        }
        patience = k.integer("patience", 10, false);
        threshold = k.number("threshold", 1e-4);
        String thresholdMode = k.string("threshold_mode", "rel");
        cooldown = k.integer("cooldown", 0, false);
        minLr = k.number("min_lr", 0);
        eps = k.number("eps", 1e-8);
        if (!mode.equals("min") && !mode.equals("max")) {
            throw new IllegalArgumentException("mode " + mode + " is unknown!");
        }
        if (!thresholdMode.equals("rel") && !thresholdMode.equals("abs")) {
            throw new IllegalArgumentException("threshold mode " + thresholdMode + " is unknown!");
        }
        min = mode.equals("min");
        relative = thresholdMode.equals("rel");
        best = min ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        lastEpoch = 0;
    }

    @Override
    public void step() {
        throw new UnsupportedOperationException("ReduceLROnPlateau.step() needs the metric; call step(metric)");
    }

    @Override
    public void step(double metric) {
        lastEpoch++;
        if (better(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            double old = group.lr;
            double cut = old * factor;
            // Python's max(cut, min_lr): the first unless the second is larger (so NaN stays)
            double next = minLr > cut ? minLr : cut;
            if (old - next > eps) {
                group.lr = next;
            }
            cooldownCounter = cooldown;
            badEpochs = 0;
        }
    }

    private boolean better(double a) {
        if (min) {
            return relative ? a < best * (1.0 - threshold) : a < best - threshold;
        }
        return relative ? a > best * (threshold + 1.0) : a > best + threshold;
    }

    @Override
    double nextLr() {
        throw new AssertionError("ReduceLROnPlateau steps by metric");
    }

    @Override
    void saveOwn(Map<String, Object> state) {
        state.put("best", best);
        state.put("num_bad_epochs", badEpochs);
        state.put("cooldown_counter", cooldownCounter);
    }

    @Override
    Runnable loadOwn(StateReader r) {
        double b = r.number("best");
        long bad = r.integer("num_bad_epochs");
        long counter = r.integer("cooldown_counter");
        return () -> {
            best = b;
            badEpochs = bad;
            cooldownCounter = counter;
        };
    }
}
