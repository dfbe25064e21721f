package io.lanestep.perf;

/**
 * The A/B verdict on one benchmark: the ratio of candidate to baseline time with a 95% confidence
 * interval, from paired runs. Each round ran both builds back to back, so round i gives one log
 * ratio {@code ln(candidate_i / baseline_i)}; what the machine did to both in that round cancels.
 * The interval is Student's t on the mean of those log ratios, mapped back by {@code exp}: a ratio,
 * symmetric in which build is called the baseline. A change counts when the interval excludes 1
 * and the ratio lies beyond the user's threshold, as criterion.rs's noise threshold does:
 * significant changes smaller than that are reported apart, never as a regression.
 */
final class AbStatistics {
    /** Two-sided 95% quantiles of Student's t for 1 to 30 degrees of freedom (standard tables). */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
            2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    private static final double Z975 = 1.959964;

    enum Verdict {
        SLOWER("slower"), FASTER("faster"), WITHIN_THRESHOLD("within threshold"), NO_CHANGE("no change");

        final String label;

        Verdict(String label) {
            this.label = label;
        }
    }

    /**
     * @param rounds paired rounds the estimate rests on
     * @param ratio  candidate time over baseline time (geometric mean of the rounds' ratios)
     * @param low    lower end of its 95% confidence interval
     * @param high   upper end
     */
    record Change(int rounds, double ratio, double low, double high, Verdict verdict) {
    }

    private AbStatistics() {
    }

    /**
     * Compares times per step of the same benchmark, {@code baseline[i]} and {@code candidate[i]}
     * measured in round i; {@code threshold} is the smallest relative change worth reporting.
     */
    static Change compare(double[] baseline, double[] candidate, double threshold) {
        if (baseline.length != candidate.length) {
            throw new IllegalArgumentException("baseline has " + baseline.length + " rounds and candidate "
                    + candidate.length + "; pass the times of the same rounds");
        }
        double[] ratios = new double[baseline.length];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = candidate[i] / baseline[i];
        }
        return compare(ratios, threshold);
    }

    /** As {@link #compare(double[], double[], double)}, from each round's candidate/baseline time ratio. */
    static Change compare(double[] roundRatios, double threshold) {
        int n = roundRatios.length;
        if (n < 3) {
            throw new IllegalArgumentException(n + " rounds: a confidence interval needs at least 3; run more rounds");
        }
        double[] logRatios = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            if (!(roundRatios[i] > 0) || Double.isInfinite(roundRatios[i])) {
                throw new IllegalArgumentException("round " + i + " has time ratio " + roundRatios[i]
                        + "; times must be positive and finite");
            }
            logRatios[i] = Math.log(roundRatios[i]);
            mean += logRatios[i];
        }
        mean /= n;
        double squares = 0;
        for (double d : logRatios) {
            squares += (d - mean) * (d - mean);
        }
        double halfWidth = t975(n - 1) * Math.sqrt(squares / (n - 1) / n);
        double ratio = Math.exp(mean);
        double low = Math.exp(mean - halfWidth);
        double high = Math.exp(mean + halfWidth);
        return new Change(n, ratio, low, high, verdict(ratio, low, high, threshold));
    }

    private static Verdict verdict(double ratio, double low, double high, double threshold) {
        if (low <= 1 && high >= 1) {
            return Verdict.NO_CHANGE;
        }
        if (ratio > 1 + threshold) {
            return Verdict.SLOWER;
        }
        if (ratio < 1 / (1 + threshold)) {
            return Verdict.FASTER;
        }
        return Verdict.WITHIN_THRESHOLD;
    }

    /** Student's t quantile for 95% two-sided; past 30 degrees, the Cornish-Fisher expansion. */
    static double t975(int degrees) {
        if (degrees < 1) {
            throw new IllegalArgumentException("degrees of freedom " + degrees + "; need at least 1");
        }
        if (degrees <= T975.length) {
            return T975[degrees - 1];
        }
        double z = Z975;
        double z3 = z * z * z;
        double z5 = z3 * z * z;
        return z + (z3 + z) / (4.0 * degrees) + (5 * z5 + 16 * z3 + 3 * z) / (96.0 * degrees * degrees);
    }
}
