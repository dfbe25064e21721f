package io.lanestep.perf;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** An A/B comparison written out: a Markdown table for people and JSON for tools. */
final class AbReport {
    private AbReport() {
    }

    static String table(String header, List<AbCase> cases, double[][] base, double[][] cand,
                        List<AbStatistics.Change> changes, Map<String, Double> plants) {
        StringBuilder s = new StringBuilder(header).append("\n\n");
        s.append("| benchmark | baseline, us/step (median) | candidate, us/step (median) | candidate / baseline"
                + " | interval (95% over the run) | verdict |\n|---|---|---|---|---|---|\n");
        for (int c = 0; c < cases.size(); c++) {
            AbStatistics.Change ch = changes.get(c);
            String name = cases.get(c).name();
            Double plant = plants.get(name);
            s.append(String.format(Locale.ROOT, "| %s%s | %.2f | %.2f | %.3f | %.3f - %.3f | %s |%n", name,
                    plant == null ? "" : String.format(Locale.ROOT, " (planted +%.0f%%)", plant * 100),
                    Ab.median(base[c]), Ab.median(cand[c]), ch.ratio(), ch.low(), ch.high(),
                    ch.verdict() == AbStatistics.Verdict.SLOWER ? "**slower**" : ch.verdict().label));
        }
        return s.toString();
    }

    static String json(String ref, String commit, String cpu, double threshold, List<AbCase> cases, double[][] base,
                       double[][] cand, double[][] ratios, List<AbStatistics.Change> changes, Map<String, Double> plants) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "{\"baseline_ref\": %s, \"baseline_commit\": %s, \"cpu\": %s,"
                + " \"threshold\": %s, \"unit\": \"us/step\", \"benchmarks\": [", quote(ref), quote(commit), quote(cpu), threshold));
        for (int c = 0; c < cases.size(); c++) {
            AbStatistics.Change ch = changes.get(c);
            s.append(c == 0 ? "\n  " : ",\n  ");
            s.append(String.format(Locale.ROOT, "{\"name\": %s, \"planted\": %s, \"baseline\": %s, \"candidate\": %s,"
                            + " \"round_ratios\": %s, \"ratio\": %.5f, \"ci_low\": %.5f, \"ci_high\": %.5f,"
                            + " \"verdict\": %s}",
                    quote(cases.get(c).name()), plants.getOrDefault(cases.get(c).name(), 0.0), numbers(base[c]),
                    numbers(cand[c]), numbers(ratios[c]), ch.ratio(), ch.low(), ch.high(), quote(ch.verdict().label)));
        }
        return s.append("\n]}\n").toString();
    }

    private static String numbers(double[] values) {
        return Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%.4f", v))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
