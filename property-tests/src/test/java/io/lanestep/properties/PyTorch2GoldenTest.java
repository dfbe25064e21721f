package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Engine;
import io.lanestep.LaneWidth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The engine reproduces torch 2.13's float32 trajectories at 0 ULP, single-tensor, foreach and
 * fused paths, at every lane width: every step's parameters and the final state.
 */
class PyTorch2GoldenTest {
    /** Every optimizer of the torch 2.13 sample. */
    static final List<String> OPTIMIZERS = List.of("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam",
            "RAdam", "Rprop", "Adadelta", "ASGD", "Adafactor");

    @Test
    void everySampleCaseMatchesAtEveryWidth() {
        List<GoldenCase> cases = new ArrayList<>(GoldenCase.all(GoldenCase.root2(), OPTIMIZERS));
        assertTrue(cases.size() >= 299, "expected the 299 sample cases of " + OPTIMIZERS + " under "
                + GoldenCase.root2() + ", found " + cases.size());
        // Random configurations made here with torch 2.13 by src/test/python/optimizer_cases.py.
        List<GoldenCase> generated = GoldenCase.all(GoldenCase.root2().resolveSibling("cases_generated"), OPTIMIZERS);
        assertTrue(generated.size() >= 224, "expected 224 generated cases, found " + generated.size());
        cases.addAll(generated);
        assertEveryCaseMatches(cases);
    }

    /**
     * Runs every case at every lane width on native memory, and at the widest width on heap
     * {@code float[]} too (their own loops), each optimizer made by name with torch 2.13's
     * arithmetic where it has torch profiles; fails listing the mismatches.
     */
    static void assertEveryCaseMatches(List<GoldenCase> cases) {
        List<String> failures = new ArrayList<>();
        Map<String, int[]> perOptimizer = new TreeMap<>();
        for (LaneWidth width : Optimizers.widths().allValues().orElseThrow().toList()) {
            Engine engine = Engine.create(width);
            for (GoldenCase c : cases) {
                String failure = PyTorchGoldenTest.run(c, engine, "2.13.0", false);
                if (failure == null && width.bits() == LaneWidth.maxSupportedBits()) {
                    failure = PyTorchGoldenTest.run(c, engine, "2.13.0", true);
                }
                int[] counts = perOptimizer.computeIfAbsent(c.optimizer(), o -> new int[2]);
                counts[failure == null ? 0 : 1]++;
                if (failure != null) {
                    failures.add(width + " " + c.name() + ": " + failure);
                }
            }
        }
        StringBuilder summary = new StringBuilder();
        perOptimizer.forEach((o, n) -> summary.append(o).append(' ').append(n[0]).append('/').append(n[0] + n[1])
                .append("  "));
        assertTrue(failures.isEmpty(), failures.size() + " golden mismatches (" + summary + "):\n"
                + String.join("\n", failures.subList(0, Math.min(60, failures.size()))));
    }
}
