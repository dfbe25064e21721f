package io.lanestep.perf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.replay.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke of the report harness (tiny sizes, one short iteration, no fork): it runs JMH end to
 * end and writes a well-formed report, and the regression gate passes a report against itself
 * and fails one whose ratios dropped. Its timings mean nothing; the main job measures.
 */
class ReportSmokeTest {
    private static final Set<String> FIELDS = Set.of("optimizer", "width", "size", "threads", "ns_per_element",
            "gb_per_s", "roofline_fraction", "speedup_vs_reference", "speedup_vs_segment_loop",
            "bytes_allocated_per_step", "cpu");

    @Test
    @SuppressWarnings("unchecked")
    void reportHarnessRunsAndTheGateJudgesRatios(@TempDir Path dir) throws Exception {
        Report.main(new String[] {"--smoke", "--out", dir.toString()});

        Path json = dir.resolve("report.json");
        List<Map<String, Object>> records = (List<Map<String, Object>>) Json.parse(Files.readString(json));
        assertEquals(8, records.size(), "2 optimizers x (2 widths + reference + roofline)");
        for (Map<String, Object> r : records) {
            assertEquals(FIELDS, r.keySet());
            assertTrue(((Number) r.get("ns_per_element")).doubleValue() > 0, r.toString());
        }
        assertTrue(records.stream().anyMatch(r -> r.get("roofline_fraction") instanceof Number),
                "engine records carry a roofline fraction");
        byte[] png = Files.readAllBytes(dir.resolve("throughput.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        assertTrue(Files.readString(dir.resolve("report.md")).contains("## Targets"));

        assertEquals(List.of(), Gate.compare(json, json, Gate.DEFAULT_BAND));
        Path worse = dir.resolve("worse.json");
        Files.writeString(worse, Files.readString(json).replaceAll("\"roofline_fraction\": ([0-9.e+-]+)",
                "\"roofline_fraction\": 0.0001"));
        List<String> drops = Gate.compare(json, worse, Gate.DEFAULT_BAND);
        assertTrue(!drops.isEmpty() && drops.get(0).contains("roofline_fraction"), drops.toString());

        // Ratios move with the CPU: another model, or a baseline that names none, is not judged.
        assertEquals(null, Gate.cpuMismatch(json, json));
        String cpu = (String) records.getFirst().get("cpu");
        assertTrue(cpu.contains("family"), cpu);
        Path elsewhere = dir.resolve("elsewhere.json");
        Files.writeString(elsewhere, Files.readString(json).replace(cpu, "Intel Xeon (GenuineIntel family 6 model 143)"));
        String refused = Gate.cpuMismatch(elsewhere, json);
        assertTrue(refused != null && refused.contains("Intel Xeon") && refused.contains("--any-cpu"), refused);
        Path unnamed = dir.resolve("unnamed.json");
        Files.writeString(unnamed, Files.readString(json).replaceAll(", \"cpu\": \"[^\"]*\"", ""));
        String old = Gate.cpuMismatch(unnamed, json);
        assertTrue(old != null && old.contains("does not say which CPU"), old);
    }
}
