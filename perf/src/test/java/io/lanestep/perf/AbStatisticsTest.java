package io.lanestep.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        // largest (P(W <= 3) = 0.0195 for 8 rounds).
        double[] ratios = {1.02, 1.05, 0.99, 1.04, 1.06, 1.03, 1.30, 1.01};
        Change c = AbStatistics.compare(ratios, THRESHOLD);
        assertEquals(1.0349396, c.ratio(), 1e-6);
        assertEquals(1.0098020, c.low(), 1e-6);
        assertEquals(1.1627553, c.high(), 1e-6);
        assertEquals(Verdict.WITHIN_THRESHOLD, c.verdict(), "excludes 1, but not 3% over its whole width");
        Change beyond = AbStatistics.compare(new double[] {1.06, 1.05, 1.07, 1.04, 1.06, 1.30, 1.05, 1.08}, THRESHOLD);
        assertEquals(1.06, beyond.ratio(), 1e-6);
        assertEquals(1.0499524, beyond.low(), 1e-6);
        assertEquals(1.1738824, beyond.high(), 1e-6);
        assertEquals(Verdict.SLOWER, beyond.verdict());
        assertEquals(Verdict.FASTER, AbStatistics.compare(new double[] {0.94, 0.95, 0.93, 0.96, 0.94, 0.77, 0.95, 0.92},
                THRESHOLD).verdict());
        assertEquals(Verdict.NO_CHANGE, AbStatistics.compare(new double[] {1.01, 0.99, 1.02, 0.98, 1.0, 1.01, 0.97, 1.03},
                THRESHOLD).verdict());
    }

    @Test
    void criticalValuesMatchTheSignedRankTables() {
        // Two-sided 5% critical values T of the signed-rank test (standard tables): 0 for 6 rounds,
        // 3 for 8, 8 for 10, 13 for 12, 25 for 15, 52 for 20; the interval starts at the (T+1)th.
        int[][] table = {{6, 0}, {8, 3}, {10, 8}, {12, 13}, {15, 25}, {20, 52}};
        for (int[] row : table) {
            assertEquals(row[1] + 1, AbStatistics.belowInterval(row[0]), row[0] + " rounds");
        }
        assertEquals(0, AbStatistics.belowInterval(5), "5 rounds cannot reach 95%");
    }

    @Test
    void badSamplesAreRefusedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AbStatistics.compare(new double[] {1, 1, 1}, new double[] {1, 1}, THRESHOLD)).getMessage()
                .contains("same rounds"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AbStatistics.compare(new double[] {1, 1, 1, 1, 1}, THRESHOLD)).getMessage()
                .contains("at least 6"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AbStatistics.compare(new double[] {1, 0, 1, 1, 1, 1}, new double[] {1, 1, 1, 1, 1, 1}, THRESHOLD))
                .getMessage().contains("positive"));
    }

    @Test
    void noiseAloneIsNeverCalledAChange() throws IOException {
        List<Map<String, Object>> runs = recorded("same-commit");
        assertFalse(runs.isEmpty());
        benchmarks(runs).forEach(AbStatisticsTest::assertNoChangeJudged);
    }

    @Test
    void aKnownShiftOfRecordedNoiseIsDetectedBothWays() throws IOException {
        for (Map<String, Object> bench : benchmarks(recorded("same-commit"))) {
            double[] ratios = ratios(bench);
            Change same = AbStatistics.compare(ratios, THRESHOLD);
            Change slower = AbStatistics.compare(scaled(ratios, 1.10), THRESHOLD);
            assertEquals(same.ratio() * 1.10, slower.ratio(), 1e-9, bench.get("name") + " estimate moves with the shift");
            assertEquals(same.low() * 1.10, slower.low(), 1e-9, bench.get("name") + " interval moves with the shift");
            if (same.low() > 0.95 && same.high() < 1 / 0.95) {
                // A 10% shift clears a 3% threshold over any interval narrower than +-5%.
                assertEquals(Verdict.SLOWER, slower.verdict(), bench.get("name") + " 10% slower");
                assertEquals(Verdict.FASTER, AbStatistics.compare(scaled(ratios, 1 / 1.10), THRESHOLD).verdict(),
                        bench.get("name") + " 10% faster");
            }
            assertEquals(Verdict.SLOWER, AbStatistics.compare(scaled(ratios, 1.40), THRESHOLD).verdict(),
                    bench.get("name") + " 40% slower");
        }
    }

    @Test
    void plantedSlowdownsAreCaughtAndTheOthersLeftAlone() throws IOException {
        List<Map<String, Object>> runs = recorded("planted");
        assertFalse(runs.isEmpty());
        int tenPercent = 0;
        int caught = 0;
        for (Map<String, Object> bench : benchmarks(runs)) {
            double planted = ((Number) bench.get("planted")).doubleValue();
            Verdict v = AbStatistics.compare(ratios(bench), THRESHOLD).verdict();
            if (planted >= 0.10) {
                tenPercent++;
                caught += v == Verdict.SLOWER ? 1 : 0;
                assertTrue(v == Verdict.SLOWER || v == Verdict.WITHIN_THRESHOLD,
                        bench.get("name") + " planted +" + planted + " judged " + v.label);
            } else if (planted == 0) {
                assertNoChangeJudged(bench);
            }
        }
        // The recorded runs: 9 of 10 caught; the tenth's interval (1.013-1.144) still excluded no change.
        assertTrue(caught >= 0.9 * tenPercent, caught + " of " + tenPercent + " planted +10% caught");
    }

    private static void assertNoChangeJudged(Map<String, Object> bench) {
        Verdict v = AbStatistics.compare(ratios(bench), THRESHOLD).verdict();
        assertTrue(v != Verdict.SLOWER && v != Verdict.FASTER, bench.get("name") + " judged " + v.label);
    }

    private static double[] scaled(double[] ratios, double factor) {
        return Arrays.stream(ratios).map(r -> r * factor).toArray();
    }

    /** Each round's candidate/baseline time ratio. */
    @SuppressWarnings("unchecked")
    private static double[] ratios(Map<String, Object> bench) {
        return ((List<Object>) bench.get("round_ratios")).stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> benchmarks(List<Map<String, Object>> runs) {
        List<Map<String, Object>> all = new ArrayList<>();
        for (Map<String, Object> run : runs) {
            for (Object b : (List<Object>) run.get("benchmarks")) {
                all.add((Map<String, Object>) b);
            }
        }
        return all;
    }

    /** Every recorded {@code ab.json} whose file name starts with {@code prefix}. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> recorded(String prefix) throws IOException {
        Path dir;
        try {
            dir = Path.of(Objects.requireNonNull(AbStatisticsTest.class.getResource("/ab")).toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        List<Map<String, Object>> runs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted().toList()) {
                runs.add((Map<String, Object>) Json.parse(Files.readString(f)));
            }
        }
        return runs;
    }
}
