package io.lanestep.pytorch;

/**
 * CyclicLR (triangular, triangular2, exp_range) and OneCycleLR (cos or linear, two or three
 * phases), which set the rate from the epoch alone, and cycle the momentum (or beta1) against it.
 */
final class CyclicLrs extends LrScheduler {
    private final boolean oneCycle;
    // CyclicLR
    private final double maxLr;
    private final double totalSize;
    private final double stepRatio;
    private final String mode;
    private final double gamma;
    private final double baseMomentum;
    private final double maxMomentum;
    private final boolean cycleMomentum;
    // OneCycleLR: phase ends and the rate and momentum at each phase boundary
    private final long totalSteps;
    private final boolean cosine;
    private final double[] phaseEnd;
    private final double[] phaseLr;
    private final double[] phaseMomentum;

    private CyclicLrs(Kwargs k, ParamGroup group, boolean oneCycle) {
        super(k.className(), group);
        this.oneCycle = oneCycle;
        cycleMomentum = k.flag("cycle_momentum", true);
        if (cycleMomentum && !cyclable(group.optimizer)) {
            throw new IllegalArgumentException("optimizer must support momentum or beta1 with `cycle_momentum`"
                    + " option enabled");
        }
        if (!oneCycle) {
            double base = k.number("base_lr", Double.NaN);
            maxLr = k.number("max_lr", Double.NaN);
            double up = k.number("step_size_up", 2000);
            double down = k.has("step_size_down") ? k.number("step_size_down", 0) : up;
            totalSize = up + down;
            stepRatio = up / totalSize;
            mode = k.string("mode", "triangular");
            if (!mode.equals("triangular") && !mode.equals("triangular2") && !mode.equals("exp_range")) {
                throw new IllegalArgumentException("mode is invalid and scale_fn is None");
            }
            gamma = k.number("gamma", 1.0);
            baseMomentum = k.number("base_momentum", 0.8);
            maxMomentum = k.number("max_momentum", 0.9);
            group.lr = base;
            group.initialLr();
            if (cycleMomentum) {
                group.momentum = maxMomentum;
            }
            baseLr = base;
            totalSteps = 0;
            cosine = false;
            phaseEnd = phaseLr = phaseMomentum = null;
        } else {
            maxLr = k.number("max_lr", Double.NaN);
            long total;
            if (k.has("total_steps")) {
                total = k.integer("total_steps", 0, false);
                if (total <= 0) {
                    throw new IllegalArgumentException("Expected positive integer total_steps, but got " + total);
                }
            } else if (k.has("epochs") && k.has("steps_per_epoch")) {
                long epochs = k.integer("epochs", 0, false);
                long perEpoch = k.integer("steps_per_epoch", 0, false);
                if (epochs <= 0) {
                    throw new IllegalArgumentException("Expected positive integer epochs, but got " + epochs);
                }
                if (perEpoch <= 0) {
                    throw new IllegalArgumentException("Expected positive integer steps_per_epoch, but got "
                            + perEpoch);
                }
                total = epochs * perEpoch;
            } else {
                throw new IllegalArgumentException("You must define either total_steps OR (epochs AND"
                        + " steps_per_epoch)");
            }
            totalSteps = total;
            double pct = k.number("pct_start", 0.3);
            if (pct < 0 || pct > 1) {
                throw new IllegalArgumentException("Expected float between 0 and 1 pct_start, but got " + pct);
            }
            String strategy = k.string("anneal_strategy", "cos");
            if (!strategy.equals("cos") && !strategy.equals("linear")) {
                throw new IllegalArgumentException("anneal_strategy must be one of 'cos' or 'linear', instead got "
                        + strategy);
            }
            cosine = strategy.equals("cos");
            baseMomentum = k.number("base_momentum", 0.85);
            maxMomentum = k.number("max_momentum", 0.95);
            double initialLr = maxLr / k.number("div_factor", 25.0);
            double minLr = initialLr / k.number("final_div_factor", 1e4);
            if (k.flag("three_phase", false)) {
                phaseEnd = new double[] {pct * total - 1, 2 * pct * total - 2, total - 1};
                phaseLr = new double[] {initialLr, maxLr, initialLr, minLr};
                phaseMomentum = new double[] {maxMomentum, baseMomentum, maxMomentum, maxMomentum};
            } else {
                phaseEnd = new double[] {pct * total - 1, total - 1};
                phaseLr = new double[] {initialLr, maxLr, minLr};
                phaseMomentum = new double[] {maxMomentum, baseMomentum, maxMomentum};
            }
            group.initialLr = initialLr;
            baseLr = initialLr;
            if (cycleMomentum) {
                group.momentum = maxMomentum;
            }
            totalSize = stepRatio = gamma = 0;
            mode = null;
        }
        initialStep();
    }

    static CyclicLrs cyclic(Kwargs k, ParamGroup group) {
        return new CyclicLrs(k, group, false);
    }

    static CyclicLrs oneCycle(Kwargs k, ParamGroup group) {
        return new CyclicLrs(k, group, true);
    }

    @Override
    double nextLr() {
        return oneCycle ? oneCycleLr() : cyclicLr();
    }

    private double cyclicLr() {
        long e = lastEpoch;
        double cycle = Math.floor(1 + e / totalSize);
        double x = 1.0 + e / totalSize - cycle;
        double scaleFactor = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
        double scale = switch (mode) {
            case "triangular" -> 1.0;
            case "triangular2" -> 1 / LibM.pow(2.0, cycle - 1);
            default -> LibM.pow(gamma, e);
        };
        if (cycleMomentum) {
            group.momentum = maxMomentum - (maxMomentum - baseMomentum) * scaleFactor * scale;
        }
        return baseLr + (maxLr - baseLr) * scaleFactor * scale;
    }

    private double oneCycleLr() {
        long step = lastEpoch;
        if (step > totalSteps) {
            throw new IllegalStateException("Tried to step " + step + " times. The specified number of total steps is "
                    + totalSteps);
        }
        double start = 0.0;
        for (int i = 0; i < phaseEnd.length; i++) {
            double end = phaseEnd[i];
            if (step <= end || i == phaseEnd.length - 1) {
                double pct = (step - start) / (end - start);
                if (cycleMomentum) {
                    group.momentum = anneal(phaseMomentum[i], phaseMomentum[i + 1], pct);
                }
                return anneal(phaseLr[i], phaseLr[i + 1], pct);
            }
            start = end;
        }
        throw new AssertionError();
    }

    private double anneal(double from, double to, double pct) {
        if (cosine) {
            double cosOut = LibM.cos(Math.PI * pct) + 1;
            return to + (from - to) / 2.0 * cosOut;
        }
        return (to - from) * pct + from;
    }
}
