package io.lanestep.perf;

import io.lanestep.replay.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A/B comparison of the working tree (the candidate, this program's own class path) against a git
 * ref (the baseline, built beside it by {@link AbBaseline}): the same benchmarks, each run in a
 * fresh JVM per build and round, the two builds back to back and in alternating order, then
 * {@link AbStatistics} per benchmark. Writes {@code ab.md} and {@code ab.json} to the output
 * directory; exit status 1 when a benchmark is slower beyond the threshold, 2 on bad arguments or a
 * failed build or run.
 *
 * <p>Usage: {@code Ab --root REPO --out DIR [--baseline REF] [--cases LIST|default] [--rounds N]
 * [--threshold F] [--plant CASE=F,...]}. {@code --plant} makes the candidate's named benchmarks
 * slower by a known fraction ({@link Plant}), to show what the comparison detects.
 */
public final class Ab {
    /** Per JVM: JMH without a fork of its own (the JVM is already fresh), short iterations, median of them. */
    private static final List<String> JMH_SETTINGS = List.of("-f", "0", "-wi", "2", "-w", "300ms", "-i", "5", "-r",
            "200ms", "-foe", "true");

    private Ab() {
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ab: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            System.exit(run(o));
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("ab: " + e.getMessage());
            System.exit(2);
        }
    }

    private static int run(Options o) throws Exception {
        String commit = AbBaseline.commit(o.root, o.baseline);
        String baselinePath = AbBaseline.classPath(o.root, commit, o.out.resolve("baselines"));
        String candidatePath = System.getProperty("java.class.path");
        Path runs = o.out.resolve("runs");
        Files.createDirectories(runs);
        int n = o.cases.size();
        double[][] base = new double[n][o.rounds];
        double[][] cand = new double[n][o.rounds];
        long started = System.nanoTime();
        for (int r = 0; r < o.rounds; r++) {
            for (int c = 0; c < n; c++) {
                AbCase abCase = o.cases.get(c);
                double plant = o.plants.getOrDefault(abCase.name(), 0.0);
                // Alternate which build goes first, so a drift within the pair falls on both alike.
                boolean baselineFirst = (r + c) % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    boolean baseline = (k == 0) == baselineFirst;
                    String tag = String.format(Locale.ROOT, "r%02d-c%02d-%s", r, c, baseline ? "baseline" : "candidate");
                    double micros = measure(abCase, baseline ? baselinePath : candidatePath, baseline ? 0 : plant, runs, tag);
                    (baseline ? base : cand)[c][r] = micros;
                }
                System.out.printf(Locale.ROOT, "round %d/%d %-22s baseline %10.2f us  candidate %10.2f us  (%.0f s)%n",
                        r + 1, o.rounds, abCase.name(), base[c][r], cand[c][r], (System.nanoTime() - started) / 1e9);
            }
        }
        List<AbStatistics.Change> changes = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            changes.add(AbStatistics.compare(base[c], cand[c], o.threshold));
        }
        String header = String.format(Locale.ROOT, "Candidate: the working tree of %s. Baseline: %s (%s). %d rounds on %s;"
                + " threshold %.1f%%.", head(o.root), o.baseline, commit.substring(0, 12), o.rounds, Cpu.model(),
                o.threshold * 100);
        String table = AbReport.table(header, o.cases, base, cand, changes, o.plants);
        System.out.println();
        System.out.println(table);
        Files.writeString(o.out.resolve("ab.md"), table);
        Files.writeString(o.out.resolve("ab.json"), AbReport.json(o.baseline, commit, Cpu.model(), o.threshold, o.cases,
                base, cand, changes, o.plants));
        long slower = changes.stream().filter(ch -> ch.verdict() == AbStatistics.Verdict.SLOWER).count();
        System.out.println(slower == 0 ? "no regression beyond the threshold"
                : "REGRESSION: " + slower + " benchmark(s) slower beyond the threshold");
        return slower == 0 ? 0 : 1;
    }

    /** The median over the measured iterations of one fresh JVM, in microseconds per step. */
    private static double measure(AbCase abCase, String classPath, double plant, Path runs, String tag)
            throws IOException, InterruptedException {
        Path json = runs.resolve(tag + ".json");
        Path log = runs.resolve(tag + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        if (plant > 0) {
            command.add("-Dlanestep.plant=" + plant);
        }
        command.addAll(List.of("-cp", classPath, "org.openjdk.jmh.Main"));
        command.addAll(abCase.jmhArgs());
        command.addAll(JMH_SETTINGS);
        command.addAll(List.of("-tu", "us", "-bm", "avgt", "-rf", "json", "-rff", json.toString()));
        Files.deleteIfExists(json);
        int status = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start().waitFor();
        if (status != 0 || !Files.exists(json) || Files.size(json) < 3) {
            throw new IllegalStateException(abCase.name() + " did not run in the " + tag.substring(tag.lastIndexOf('-') + 1)
                    + " build (exit status " + status + "); JMH's output is in " + log
                    + ". A baseline older than a benchmark or parameter cannot run it: choose cases both builds have");
        }
        return median(iterations(Files.readString(json)));
    }

    @SuppressWarnings("unchecked")
    private static double[] iterations(String json) {
        List<Object> results = (List<Object>) Json.parse(json);
        Map<String, Object> metric = (Map<String, Object>) ((Map<String, Object>) results.getFirst()).get("primaryMetric");
        List<Object> fork = (List<Object>) ((List<Object>) metric.get("rawData")).getFirst();
        return fork.stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    private static String head(Path root) {
        try {
            Process p = new ProcessBuilder("git", "describe", "--always", "--dirty").directory(root.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? out : "an unknown commit";
        } catch (IOException | InterruptedException e) {
            return "an unknown commit";
        }
    }

    /** The command line, checked before anything is built or run. */
    private record Options(Path root, Path out, String baseline, List<AbCase> cases, int rounds, double threshold,
                           Map<String, Double> plants) {
        static Options parse(String[] args) {
            Map<String, String> given = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 == args.length) {
                    throw new IllegalArgumentException("cannot read argument '" + args[i] + "'; usage: --root REPO --out DIR"
                            + " [--baseline REF] [--cases LIST|default] [--rounds N] [--threshold F] [--plant CASE=F,...]");
                }
                given.put(args[i], args[++i]);
            }
            Path root = Path.of(required(given, "--root"));
            Path out = Path.of(required(given, "--out"));
            String casesText = given.getOrDefault("--cases", "default");
            List<AbCase> cases = AbCase.parseAll(casesText.equals("default") ? String.join(",", AbCase.DEFAULT) : casesText);
            double roundsGiven = number("--rounds", given.getOrDefault("--rounds", "10"), 3, 1000,
                    "at least 3 rounds give a confidence interval");
            if (roundsGiven != Math.rint(roundsGiven)) {
                throw new IllegalArgumentException("--rounds " + roundsGiven + " is not a whole number");
            }
            double threshold = number("--threshold", given.getOrDefault("--threshold", "0.03"), 0, 1,
                    "a fraction such as 0.03 for 3%");
            Map<String, Double> plants = new LinkedHashMap<>();
            String plantText = given.getOrDefault("--plant", "");
            for (String p : plantText.split(",")) {
                if (p.isBlank()) {
                    continue;
                }
                int eq = p.indexOf('=');
                String name = eq < 0 ? p : p.substring(0, eq).trim();
                if (eq < 0 || cases.stream().noneMatch(c -> c.name().equals(name))) {
                    throw new IllegalArgumentException("--plant '" + p + "': give CASE=FRACTION with a case of --cases, e.g."
                            + " adam@64k=0.05");
                }
                plants.put(name, number("--plant " + name, p.substring(eq + 1), 0, 10,
                        "a fraction of the step's own time such as 0.05"));
            }
            for (String key : given.keySet()) {
                if (!List.of("--root", "--out", "--baseline", "--cases", "--rounds", "--threshold", "--plant").contains(key)) {
                    throw new IllegalArgumentException("unknown option " + key + "; the options are --baseline, --cases,"
                            + " --rounds, --threshold and --plant");
                }
            }
            return new Options(root, out, given.getOrDefault("--baseline", "HEAD"), cases, (int) roundsGiven, threshold,
                    plants);
        }

        private static String required(Map<String, String> given, String key) {
            String v = given.get(key);
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException(key + " is required");
            }
            return v;
        }

        private static double number(String key, String given, double min, double max, String hint) {
            String text = given.trim();
            try {
                double v = Double.parseDouble(text);
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // named below
            }
            throw new IllegalArgumentException(key + " '" + text + "' is not a number from " + min + " to " + max + "; " + hint);
        }
    }
}
