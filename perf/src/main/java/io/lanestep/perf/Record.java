package io.lanestep.perf;

import java.util.Locale;

/**
 * One row of {@code report.json}: a measurement with the ratios that make it comparable across
 * machines and days, and the CPU it was measured on. Ratios are null where their baseline was not
 * measured in the same run.
 */
record Record(String optimizer, String width, long size, int threads, double nsPerElement, double gbPerS,
              Double rooflineFraction, Double speedupVsReference, Double speedupVsSegmentLoop,
              double bytesAllocatedPerStep, String cpu) {

    String toJson() {
        return String.format(Locale.ROOT, "{\"optimizer\": \"%s\", \"width\": \"%s\", \"size\": %d, \"threads\": %d, "
                        + "\"ns_per_element\": %s, \"gb_per_s\": %s, \"roofline_fraction\": %s, "
                        + "\"speedup_vs_reference\": %s, \"speedup_vs_segment_loop\": %s, "
                        + "\"bytes_allocated_per_step\": %s, \"cpu\": \"%s\"}",
                optimizer, width, size, threads, number(nsPerElement), number(gbPerS), number(rooflineFraction),
                number(speedupVsReference), number(speedupVsSegmentLoop), number(bytesAllocatedPerStep),
                cpu.replace("\\", "\\\\").replace("\"", "\\\""));
    }

    private static String number(Double value) {
        return value == null || value.isNaN() || value.isInfinite() ? "null"
                : String.format(Locale.ROOT, "%.6g", value);
    }
}
