package io.lanestep.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.perf.AbStatistics.Change;
import io.lanestep.perf.AbStatistics.Verdict;
import io.lanestep.replay.Json;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The A/B statistics on samples recorded by {@code -Pab} on this project's machines
 * ({@code src/test/resources/ab}): the same commit against itself, and the candidate slowed by
 * {@code --plant}, plus one interval worked by hand.
 */
class AbStatisticsTest {
    private static final double THRESHOLD = 0.03;

    @Test
    void theEstimateAndIntervalAreHodgesLehmannAndWilcoxons() {
        // Worked apart (Python, the sign distribution enumerated over all 2^8 signs): the median of
        // the 36 Walsh averages of the log ratios, the interval from the 4th smallest to the 4th
        // largest (P(W <= 3) = 0.0195 for 8 rounds): each end at 2.5%, as for a run of 2 benchmarks.
        double[] ratios = {1.02, 1.05, 0.99, 1.04, 1.06, 1.03, 1.30, 1.01};
        Change c = AbStatistics.compare(ratios, THRESHOLD, 2);
        assertEquals(1.0349396, c.ratio(), 1e-6);
        assertEquals(1.0098020, c.low(), 1e-6);
        assertEquals(1.1627553, c.high(), 1e-6);
        assertEquals(Verdict.SLOWER, c.verdict(), "excludes 1, estimate 3.5% over");
        Change small = AbStatistics.compare(new double[] {1.02, 1.01, 1.03, 1.015, 1.02, 1.025, 1.01, 1.02}, THRESHOLD, 2);
        assertEquals(1.0199510, small.ratio(), 1e-6);
        assertEquals(1.0124969, small.low(), 1e-6);
        assertEquals(Verdict.WITHIN_THRESHOLD, small.verdict(), "excludes 1, estimate 2% over");
        Change unsure = AbStatistics.compare(new double[] {1.10, 0.97, 1.05, 0.95, 1.08, 1.12, 0.99, 1.04}, THRESHOLD, 2);
        assertEquals(1.0370063, unsure.ratio(), 1e-6);
        assertEquals(0.97, unsure.low(), 1e-6);
        assertEquals(Verdict.NO_CHANGE, unsure.verdict(), "estimate 3.7% over, but the interval holds 1");
        assertEquals(Verdict.FASTER, AbStatistics.compare(new double[] {0.94, 0.95, 0.93, 0.96, 0.94, 0.77, 0.95, 0.92},
                THRESHOLD, 2).verdict());
        assertEquals(Verdict.NO_CHANGE, AbStatistics.compare(new double[] {1.01, 0.99, 1.02, 0.98, 1.0, 1.01, 0.97, 1.03},
                THRESHOLD, 2).verdict());
    }

    @Test
    void criticalValuesMatchTheSignedRankTables() {
        // Two-sided 5% critical values T of the signed-rank test (standard tables): 0 for 6 rounds,
        // 3 for 8, 8 for 10, 13 for 12, 25 for 15, 52 for 20; the interval starts at the (T+1)th.
        int[][] table = {{6, 0}, {8, 3}, {10, 8}, {12, 13}, {15, 25}, {20, 52}};
        for (int[] row : table) {
            assertEquals(row[1] + 1, AbStatistics.belowInterval(row[0], 0.025), row[0] + " rounds");
        }
        assertEquals(0, AbStatistics.belowInterval(5, 0.025), "5 rounds cannot reach 95%");
    }

    @Test
    void aRunSpendsItsErrorOverItsBenchmarks() {
        // 9 benchmarks: each end at 0.05 / 9 = 0.0056 one-sided; 8 rounds reach it only with
        // P(W <= 0) = 1/256, so the interval runs from the smallest round ratio to the largest.
        double[] ratios = {1.05, 1.07, 1.02, 1.06, 1.04, 1.08, 1.01, 1.05};
        Change c = AbStatistics.compare(ratios, THRESHOLD, 9);
        assertEquals(1.01, c.low(), 1e-12);
        assertEquals(1.08, c.high(), 1e-12);
        assertEquals(Verdict.SLOWER, c.verdict());
        ratios[6] = 0.99;
        assertEquals(Verdict.NO_CHANGE, AbStatistics.compare(ratios, THRESHOLD, 9).verdict(), "one round faster");
        assertEquals(Verdict.SLOWER, AbStatistics.compare(ratios, THRESHOLD, 2).verdict(), "the same, judged alone");
        assertEquals(8, AbStatistics.roundsFor(9));
        assertEquals(9, AbStatistics.roundsFor(13));
        assertEquals(6, AbStatistics.roundsFor(2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AbStatistics.compare(ratios, THRESHOLD, 13))
                .getMessage().contains("run at least 9 rounds"));
    }

    @Test
    void badSamplesAreRefusedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AbStatistics.compare(new double[] {1, 1, 1}, new double[] {1, 1}, THRESHOLD, 1)).getMessage()
                .contains("same rounds"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AbStatistics.compare(new double[] {1, 1, 1, 1, 1}, THRESHOLD, 2)).getMessage()
                .contains("at least 6"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AbStatistics.compare(new double[] {1, 0, 1, 1, 1, 1}, new double[] {1, 1, 1, 1, 1, 1}, THRESHOLD,
                        1)).getMessage().contains("positive"));
    }

    @Test
    void sameCommitRunsReportNoRegression() throws IOException {
        List<List<Map<String, Object>>> runs = recorded("same-commit");
        assertEquals(10, runs.size());
        int regressions = 0;
        for (List<Map<String, Object>> run : runs) {
            regressions += run.stream().anyMatch(b -> judge(b, run.size()).verdict() == Verdict.SLOWER) ? 1 : 0;
            // Whatever the recorded noise, a known shift moves the estimate and the interval with it.
            for (Map<String, Object> bench : run) {
                Change same = judge(bench, run.size());
                Change slower = AbStatistics.compare(scaled(ratios(bench), 1.40), THRESHOLD, run.size());
                assertEquals(same.ratio() * 1.40, slower.ratio(), 1e-9, bench.get("name") + " estimate");
                assertEquals(same.low() * 1.40, slower.low(), 1e-9, bench.get("name") + " interval");
            }
        }
        assertTrue(regressions <= 1, regressions + " of 10 same-commit runs reported a regression");
    }

    @Test
    void plantedSlowdownsAreMeasuredAndTheOthersMostlyLeftAlone() throws IOException {
        List<List<Map<String, Object>>> runs = recorded("planted");
        assertEquals(10, runs.size());
        int tenPercent = 0;
        int fivePercent = 0;
        int othersChanged = 0;
        List<Double> fiveEstimates = new ArrayList<>();
        for (List<Map<String, Object>> run : runs) {
            for (Map<String, Object> bench : run) {
                double planted = ((Number) bench.get("planted")).doubleValue();
                Change c = judge(bench, run.size());
                if (planted == 0.10) {
                    tenPercent += c.verdict() == Verdict.SLOWER ? 1 : 0;
                } else if (planted == 0.05) {
                    // Caught or not (its rounds scatter by +-5% at 64K), the estimate finds the shift.
                    fiveEstimates.add(c.ratio());
                    fivePercent += c.verdict() == Verdict.SLOWER ? 1 : 0;
                    assertTrue(c.ratio() > 1 && c.verdict() != Verdict.FASTER, bench.get("name") + " " + c);
                } else {
                    othersChanged += c.verdict() == Verdict.SLOWER || c.verdict() == Verdict.FASTER ? 1 : 0;
                }
            }
        }
        assertEquals(10, tenPercent, "planted +10% caught");
        assertTrue(fivePercent >= 8, "planted +5% caught in " + fivePercent + " of 10 runs");
        double typical = Ab.median(fiveEstimates.stream().mapToDouble(Double::doubleValue).toArray());
        assertTrue(typical > 1.03 && typical < 1.08, "planted +5% measured as " + typical);
        assertTrue(othersChanged <= 1, othersChanged + " of 70 unplanted benchmarks judged changed");
    }

    private static Change judge(Map<String, Object> bench, int benchmarks) {
        return AbStatistics.compare(ratios(bench), THRESHOLD, benchmarks);
    }

    private static double[] scaled(double[] ratios, double factor) {
        return Arrays.stream(ratios).map(r -> r * factor).toArray();
    }

    /** Each round's candidate/baseline time ratio. */
    @SuppressWarnings("unchecked")
    private static double[] ratios(Map<String, Object> bench) {
        return ((List<Object>) bench.get("round_ratios")).stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
    }

    /** The benchmarks of every recorded {@code ab.json} whose file name starts with {@code prefix}, run by run. */
    @SuppressWarnings("unchecked")
    private static List<List<Map<String, Object>>> recorded(String prefix) throws IOException {
        Path dir;
        try {
            dir = Path.of(Objects.requireNonNull(AbStatisticsTest.class.getResource("/ab")).toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        List<List<Map<String, Object>>> runs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted().toList()) {
                Map<String, Object> run = (Map<String, Object>) Json.parse(Files.readString(f));
                runs.add(((List<Object>) run.get("benchmarks")).stream().map(b -> (Map<String, Object>) b).toList());
            }
        }
        return runs;
    }
}
