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
 * <p>Usage: {@code Gate BASELINE.json CURRENT.json [BAND] [--any-cpu]}; BAND defaults to 0.25: on
 * this shared 2-core machine, repeated quick reports moved single ratios by up to about 20%. A
 * ratio moves with the CPU as well as with the code, so the gate refuses to judge a run on another
 * CPU model than the baseline's (or against a baseline that does not say its CPU), exit status 2,
 * unless {@code --any-cpu} is given.
 */
public final class Gate {
    static final double DEFAULT_BAND = 0.25;
    private static final List<String> RATIOS = List.of("roofline_fraction", "speedup_vs_reference");

    private Gate() {
    }

    public static void main(String[] args) throws IOException {
        List<String> rest = new ArrayList<>(List.of(args));
        boolean anyCpu = rest.remove("--any-cpu");
        if (rest.size() < 2) {
            System.err.println("usage: Gate BASELINE.json CURRENT.json [BAND] [--any-cpu]");
            System.exit(2);
        }
        double band = rest.size() > 2 ? Double.parseDouble(rest.get(2)) : DEFAULT_BAND;
        Path baseline = Path.of(rest.get(0));
        Path current = Path.of(rest.get(1));
        System.out.println("baseline measured on " + named(cpu(read(baseline))) + "; this run on "
                + named(cpu(read(current))));
        String mismatch = cpuMismatch(baseline, current);
        if (mismatch != null && !anyCpu) {
            System.out.println("gate REFUSED: " + mismatch);
            System.exit(2);
        }
        List<String> drops = compare(baseline, current, band);
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

    /**
     * Why the two reports' ratios cannot be judged against each other by CPU, or null when both
     * name the same one.
     */
    static String cpuMismatch(Path baseline, Path current) throws IOException {
        String was = cpu(read(baseline));
        String is = cpu(read(current));
        if (was == null) {
            return baseline + " does not say which CPU it was measured on; regenerate it with the main job on"
                    + " this machine, or pass --any-cpu (-Dgate.args=--any-cpu) to compare anyway";
        }
        if (!was.equals(is)) {
            return "the baseline was measured on " + was + " and this run on " + named(is) + ", and ratios move with the"
                    + " CPU; measure both on one machine (a baseline from this CPU), or pass --any-cpu"
                    + " (-Dgate.args=--any-cpu) to compare anyway";
        }
        return null;
    }

    private static String named(String cpu) {
        return cpu == null ? "an unnamed CPU" : cpu;
    }

    /** The CPU every row names, or null if a row names none or two rows differ. */
    private static String cpu(List<Map<String, Object>> rows) {
        Object first = rows.isEmpty() ? null : rows.getFirst().get("cpu");
        for (Map<String, Object> r : rows) {
            if (first == null || !first.equals(r.get("cpu"))) {
                return null;
            }
        }
        return (String) first;
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
