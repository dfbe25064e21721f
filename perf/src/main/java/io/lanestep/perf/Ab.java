package io.lanestep.perf;

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
 * ref (the baseline, built beside it by {@link AbBaseline}): per round and benchmark, one fresh JVM
 * per build ({@link AbPair}), both set up and warmed, then taking turns measuring, in alternating
 * order; each round's ratio is the median of its turns' ratios, and {@link AbStatistics} judges the
 * rounds. Writes {@code ab.md} and {@code ab.json} to the output directory; exit status 1 when a
 * benchmark is slower beyond the threshold, 2 on bad arguments or a failed build or run.
 *
 * <p>Usage: {@code Ab --root REPO --out DIR [--baseline REF] [--cases LIST|default] [--rounds N]
 * [--threshold F] [--plant CASE=F,...]}. {@code --plant} makes the candidate's named benchmarks
 * slower by a known fraction ({@link Plant}), to show what the comparison detects.
 */
public final class Ab {
    /** Per pair of probes: warm-up turns, then measured turns, each this many milliseconds. */
    private static final int WARMUPS = 2;
    private static final int WARMUP_MILLIS = 200;
    private static final int TURNS = 6;
    private static final int TURN_MILLIS = 100;

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
        AbBaseline.deleteTree(runs);
        Files.createDirectories(runs);
        Path probe = AbPair.installProbe(o.out);
        int n = o.cases.size();
        double[][] base = new double[n][o.rounds];
        double[][] cand = new double[n][o.rounds];
        double[][] ratios = new double[n][o.rounds];
        long started = System.nanoTime();
        for (int r = 0; r < o.rounds; r++) {
            for (int c = 0; c < n; c++) {
                AbCase abCase = o.cases.get(c);
                String tag = String.format(Locale.ROOT, "r%02d-c%02d", r, c);
                try (AbPair pair = AbPair.start(abCase, probe + java.io.File.pathSeparator + baselinePath,
                        probe + java.io.File.pathSeparator + candidatePath, o.plants.getOrDefault(abCase.name(), 0.0),
                        runs, tag)) {
                    // Alternate which build measures first, so a drift within a turn falls on both alike.
                    for (int w = 0; w < WARMUPS; w++) {
                        pair.turn(WARMUP_MILLIS, w % 2 == 0);
                    }
                    double[] a = new double[TURNS];
                    double[] b = new double[TURNS];
                    double[] logRatios = new double[TURNS];
                    for (int t = 0; t < TURNS; t++) {
                        double[] ab = pair.turn(TURN_MILLIS, (r + c + t) % 2 == 0);
                        a[t] = ab[0] / 1000;
                        b[t] = ab[1] / 1000;
                        logRatios[t] = Math.log(b[t] / a[t]);
                    }
                    base[c][r] = median(a);
                    cand[c][r] = median(b);
                    ratios[c][r] = Math.exp(median(logRatios));
                }
                System.out.printf(Locale.ROOT, "round %d/%d %-22s baseline %10.2f us  candidate %10.2f us  ratio %.3f  (%.0f s)%n",
                        r + 1, o.rounds, abCase.name(), base[c][r], cand[c][r], ratios[c][r],
                        (System.nanoTime() - started) / 1e9);
            }
        }
        List<AbStatistics.Change> changes = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            changes.add(AbStatistics.compare(ratios[c], o.threshold, n));
        }
        String header = String.format(Locale.ROOT, "Candidate: the working tree of %s. Baseline: %s (%s). %d rounds on %s;"
                + " threshold %.1f%%.", head(o.root), o.baseline, commit.substring(0, 12), o.rounds, Cpu.model(),
                o.threshold * 100);
        String table = AbReport.table(header, o.cases, base, cand, changes, o.plants);
        System.out.println();
        System.out.println(table);
        Files.writeString(o.out.resolve("ab.md"), table);
        Files.writeString(o.out.resolve("ab.json"), AbReport.json(o.baseline, commit, Cpu.model(), o.threshold, o.cases,
                base, cand, ratios, changes, o.plants));
        long slower = changes.stream().filter(ch -> ch.verdict() == AbStatistics.Verdict.SLOWER).count();
        System.out.println(slower == 0 ? "no regression beyond the threshold"
                : "REGRESSION: " + slower + " benchmark(s) slower beyond the threshold");
        return slower == 0 ? 0 : 1;
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
            int fewest = AbStatistics.roundsFor(cases.size());
            double roundsGiven = number("--rounds", given.getOrDefault("--rounds", "12"), fewest, 1000,
                    cases.size() + " benchmarks need at least " + fewest + " rounds to be judged at 95% together");
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
