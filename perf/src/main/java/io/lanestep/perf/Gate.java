package io.lanestep.perf;

import io.lanestep.replay.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The regression gate: compares a new {@code report.json} with a committed baseline by ratios
 * measured within each run (fraction of the roofline, speedup over the scalar reference), never
 * by absolute times, and fails when a ratio drops by more than the noise band.
 *
 * <p>Usage: {@code Gate BASELINE.json CURRENT.json [BAND]}; BAND defaults to 0.25: on this shared
 * 2-core machine, repeated quick reports moved single ratios by up to about 20%.
 */
public final class Gate {
    static final double DEFAULT_BAND = 0.25;
    private static final List<String> RATIOS = List.of("roofline_fraction", "speedup_vs_reference");

    private Gate() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Gate BASELINE.json CURRENT.json [BAND]");
            System.exit(2);
        }
        double band = args.length > 2 ? Double.parseDouble(args[2]) : DEFAULT_BAND;
        List<String> drops = compare(Path.of(args[0]), Path.of(args[1]), band);
        drops.forEach(System.out::println);
        System.out.println(drops.isEmpty() ? "gate passed: no ratio dropped by more than " + percent(band)
                : "gate FAILED: " + drops.size() + " ratio(s) dropped by more than " + percent(band));
        System.exit(drops.isEmpty() ? 0 : 1);
    }

    /** One line per ratio that dropped beyond {@code band}; empty when the current run holds up. */
    static List<String> compare(Path baseline, Path current, double band) throws IOException {
        List<Map<String, Object>> base = read(baseline);
        List<Map<String, Object>> now = read(current);
        List<String> drops = new ArrayList<>();
        int compared = 0;
        for (Map<String, Object> b : base) {
            Map<String, Object> c = now.stream().filter(r -> sameKey(r, b)).findFirst().orElse(null);
            if (c == null) {
                continue;
            }
            for (String ratio : RATIOS) {
                if (b.get(ratio) instanceof Number was && c.get(ratio) instanceof Number is) {
                    compared++;
                    if (is.doubleValue() < was.doubleValue() * (1 - band)) {
                        drops.add(String.format(Locale.ROOT, "%s %s size %s threads %s: %s %.3f -> %.3f",
                                b.get("optimizer"), b.get("width"), b.get("size"), b.get("threads"), ratio,
                                was.doubleValue(), is.doubleValue()));
                    }
                }
            }
        }
        if (compared == 0) {
            drops.add("no ratio in " + current + " matches one in " + baseline + ": nothing was compared");
        }
        return drops;
    }

    private static boolean sameKey(Map<String, Object> a, Map<String, Object> b) {
        for (String key : List.of("optimizer", "width", "size", "threads")) {
            if (!String.valueOf(a.get(key)).equals(String.valueOf(b.get(key)))) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> read(Path file) throws IOException {
        return (List<Map<String, Object>>) Json.parse(Files.readString(file));
    }

    private static String percent(double band) {
        return String.format(Locale.ROOT, "%.0f%%", band * 100);
    }
}
