package io.lanestep.perf;

import java.util.Arrays;

/**
 * The A/B verdict on one benchmark: the ratio of candidate to baseline time with its interval, from
 * paired rounds. Each round gives one time ratio (its two builds measured in turns, side by side);
 * the estimate is the Hodges-Lehmann estimator of the log ratios (the median of their pairwise
 * means) and the interval the one the exact Wilcoxon signed-rank test gives, mapped back by
 * {@code exp}. Rank-based, so one round whose JVM came up slow (a few do, by 15-70%, on a shared
 * machine) moves neither, where it would move a mean and widen or shift a t interval.
 *
 * <p>A run judges all its benchmarks at once, and its exit status says whether any got slower, so
 * the error is spent over the run: each end of each interval is a one-sided bound at 5% divided by
 * the number of benchmarks (Bonferroni), and a run of unchanged benchmarks reports a slowdown with
 * probability at most 5% (a faster one too). Per benchmark 95% intervals gave a false slowdown in
 * one of the first three same-commit runs of 9 benchmarks. A change counts, as Go's benchstat reads
 * its results, when its bound excludes 1 and its estimate lies beyond the user's threshold; a
 * significant change smaller than the threshold is reported apart ("within threshold").
 */
final class AbStatistics {
    enum Verdict {
        SLOWER("slower"), FASTER("faster"), WITHIN_THRESHOLD("within threshold"), NO_CHANGE("no change");

        final String label;

        Verdict(String label) {
            this.label = label;
        }
    }

    /**
     * @param rounds paired rounds the estimate rests on
     * @param ratio  candidate time over baseline time
     * @param low    lower end of its interval, a one-sided bound at 5% over the run's benchmarks
     * @param high   upper end, likewise
     */
    record Change(int rounds, double ratio, double low, double high, Verdict verdict) {
    }

    private AbStatistics() {
    }

    /** The error a whole run may spend on false verdicts in either direction. */
    static final double RUN_ERROR = 0.05;

    /**
     * Compares times per step of the same benchmark, {@code baseline[i]} and {@code candidate[i]}
     * measured in round i; {@code threshold} is the smallest relative change worth reporting and
     * {@code benchmarks} how many the run judges.
     */
    static Change compare(double[] baseline, double[] candidate, double threshold, int benchmarks) {
        if (baseline.length != candidate.length) {
            throw new IllegalArgumentException("baseline has " + baseline.length + " rounds and candidate "
                    + candidate.length + "; pass the times of the same rounds");
        }
        double[] ratios = new double[baseline.length];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = candidate[i] / baseline[i];
        }
        return compare(ratios, threshold, benchmarks);
    }

    /** As {@link #compare(double[], double[], double, int)}, from each round's candidate/baseline time ratio. */
    static Change compare(double[] roundRatios, double threshold, int benchmarks) {
        int n = roundRatios.length;
        int below = belowInterval(n, RUN_ERROR / benchmarks);
        if (below == 0) {
            throw new IllegalArgumentException(n + " rounds cannot bound " + benchmarks + " benchmarks at 95% over the"
                    + " run; run at least " + roundsFor(benchmarks) + " rounds");
        }
        double[] logs = new double[n];
        for (int i = 0; i < n; i++) {
            if (!(roundRatios[i] > 0) || Double.isInfinite(roundRatios[i])) {
                throw new IllegalArgumentException("round " + i + " has time ratio " + roundRatios[i]
                        + "; times must be positive and finite");
            }
            logs[i] = Math.log(roundRatios[i]);
        }
        double[] walsh = new double[n * (n + 1) / 2];
        for (int i = 0, k = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                walsh[k++] = (logs[i] + logs[j]) / 2;
            }
        }
        Arrays.sort(walsh);
        int m = walsh.length;
        double middle = m % 2 == 1 ? walsh[m / 2] : (walsh[m / 2 - 1] + walsh[m / 2]) / 2;
        double ratio = Math.exp(middle);
        double low = Math.exp(walsh[below - 1]);
        double high = Math.exp(walsh[m - below]);
        return new Change(n, ratio, low, high, verdict(ratio, low, high, threshold));
    }

    /** The fewest rounds whose intervals bound {@code benchmarks} benchmarks at once (see the class comment). */
    static int roundsFor(int benchmarks) {
        int n = 1;
        while (belowInterval(n, RUN_ERROR / benchmarks) == 0) {
            n++;
        }
        return n;
    }

    /**
     * How many of the sorted Walsh averages lie at or below the interval's lower end: one more than
     * the largest signed-rank sum {@code t} with {@code P(W <= t) <= level} under no change (W's exact
     * distribution over the 2^n equally likely signs); 0 when even {@code t = 0} is too likely.
     */
    static int belowInterval(int n, double level) {
        if (n < 1) {
            return 0;
        }
        int max = n * (n + 1) / 2;
        double[] ways = new double[max + 1];
        ways[0] = 1;
        for (int rank = 1; rank <= n; rank++) {
            for (int s = max; s >= rank; s--) {
                ways[s] += ways[s - rank];
            }
        }
        double all = Math.pow(2, n);
        double cumulative = 0;
        int t = 0;
        while (t <= max && (cumulative + ways[t]) / all <= level) {
            cumulative += ways[t];
            t++;
        }
        return t;
    }

    private static Verdict verdict(double ratio, double low, double high, double threshold) {
        if (low > 1 && ratio > 1 + threshold) {
            return Verdict.SLOWER;
        }
        if (high < 1 && ratio < 1 / (1 + threshold)) {
            return Verdict.FASTER;
        }
        return low > 1 || high < 1 ? Verdict.WITHIN_THRESHOLD : Verdict.NO_CHANGE;
    }
}
