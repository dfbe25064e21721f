package io.lanestep.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The report's Muon rows: one iteration's products from the steps with and without them, against the FMA peak. */
class MuonReportTest {
    private static final long ELEMENTS = 1024 * 1024;

    private static Measurement step(int nsSteps, int threads, double millis) {
        return new Measurement("muon/" + nsSteps, MuonBench.WORKLOAD, ELEMENTS, threads, millis * 1000, 0);
    }

    @Test
    void muonBenchReportsMillisecondsWhichTheSuiteReadsAsSuch() {
        assertEquals(317_000, Suite.micros(317, "ms/op"));
        assertEquals(25.5, Suite.micros(25.5, "us/op"));
        assertEquals(0.5, Suite.micros(500, "ns/op"));
    }

    @Test
    void productsAreTheDifferenceOverFiveIterationsAgainstThePeak() {
        int all = Runtime.getRuntime().availableProcessors();
        // beside an elementwise row and its roofline, as in a whole report
        List<Measurement> measurements = List.of(new Measurement("PREFERRED", "adam", ELEMENTS, 1, 400, 0),
                new Measurement("roofline", "adam", ELEMENTS, 1, 300, 0), step(5, 1, 317.0), step(0, 1, 2.4),
                step(5, all, 194.6), new Measurement(Suite.FMA_PEAK, MuonBench.WORKLOAD, 1, 1, 2290, 0));
        String md = new Tables(new Analysis(measurements).records(), Suite.Mode.QUICK, "test").markdown();

        // 5 iterations take 314.6 ms: 62.92 ms each, computing 1024³ (half of X·Xᵀ) + 2·1024³ + 2·1024³ flops
        double gflops = 5.0 * 1024 * 1024 * 1024 / 62.92e-3 / 1e9;
        double peak = 2.0 * 8 * (1 << 20) * FloatVector.SPECIES_PREFERRED.length() / 2.29e-3 / 1e9;
        String share = String.format(Locale.ROOT, "%.0f%%", 100 * gflops / peak);
        assertTrue(md.contains("| 1024x1024 | 317.0 ms | 302 | 62.9 ms, " + String.format(Locale.ROOT, "%.0f", gflops)
                + " GFLOPS | " + share + " | 194.6 ms |"), md);
        assertTrue(md.contains("- Muon's products at 1024x1024, 1 thread, >= 60% of the core's float32 FMA peak: **"
                + (gflops / peak >= 0.6 ? "met" : "not met") + "** (" + share + ")"), md);
    }

    @Test
    void productsAboveThePeakGetNoVerdict() {
        // a peak measured before its loop was compiled: 50x slower than the one above
        List<Measurement> measurements = List.of(step(5, 1, 317.0), step(0, 1, 2.4),
                new Measurement(Suite.FMA_PEAK, MuonBench.WORKLOAD, 1, 1, 2290 * 50, 0));
        String md = new Tables(new Analysis(measurements).records(), Suite.Mode.QUICK, "test").markdown();

        assertTrue(md.contains("FMA peak: **not measured** ("), md);
        assertTrue(md.contains(", above the peak measured beside them)"), md);
    }
}
