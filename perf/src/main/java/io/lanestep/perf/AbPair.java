package io.lanestep.perf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Two live {@link AbProbe} JVMs, the baseline's and the candidate's, on one benchmark, taking turns. */
final class AbPair implements AutoCloseable {
    private final Probe baseline;
    private final Probe candidate;

    private AbPair(Probe baseline, Probe candidate) {
        this.baseline = baseline;
        this.candidate = candidate;
    }

    /**
     * Puts this build's {@link AbProbe} class in its own directory, to go first on both class
     * paths: a baseline from before the probe existed runs it too.
     */
    static Path installProbe(Path out) throws IOException {
        Path dir = out.resolve("probe");
        Path file = dir.resolve("io/lanestep/perf/AbProbe.class");
        Files.createDirectories(file.getParent());
        try (InputStream in = AbProbe.class.getResourceAsStream("AbProbe.class")) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    static AbPair start(AbCase abCase, String baselinePath, String candidatePath, double plant, Path runs, String tag)
            throws IOException {
        Probe b = new Probe(abCase, baselinePath, 0, runs.resolve(tag + "-baseline.log"));
        Probe c = new Probe(abCase, candidatePath, plant, runs.resolve(tag + "-candidate.log"));
        AbPair pair = new AbPair(b, c);
        try {
            b.ready();
            c.ready();
        } catch (IOException | RuntimeException e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    /** Both probes measure for {@code millis}, one after the other; nanoseconds per call, baseline first. */
    double[] turn(int millis, boolean baselineFirst) throws IOException {
        double first = (baselineFirst ? baseline : candidate).measure(millis);
        double second = (baselineFirst ? candidate : baseline).measure(millis);
        return baselineFirst ? new double[] {first, second} : new double[] {second, first};
    }

    @Override
    public void close() {
        baseline.close();
        candidate.close();
    }

    private static final class Probe {
        private static final String TASKSET = "/usr/bin/taskset";
        private final Process process;
        private final BufferedReader out;
        private final PrintWriter in;
        private final String name;
        private final Path log;

        Probe(AbCase abCase, String classPath, double plant, Path log) throws IOException {
            this.log = log;
            this.name = abCase.name();
            String benchmark = abCase.benchmark();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                    "-Dab.class=" + benchmark.substring(0, benchmark.lastIndexOf('.')),
                    "-Dab.method=" + benchmark.substring(benchmark.lastIndexOf('.') + 1),
                    "-Dab.params=" + String.join(";", abCase.params())));
            if (plant > 0) {
                command.add("-Dlanestep.plant=" + plant);
            }
            command.addAll(List.of("-cp", classPath, "io.lanestep.perf.AbProbe"));
            process = new ProcessBuilder(command).redirectError(log.toFile()).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        /**
         * Once set up (on every core: two JVMs starting and compiling on one took half as long
         * again), the probe's threads move to the last core, where taskset exists; both builds
         * measure there. The cores of a shared machine differ in what else runs on them, and a
         * JVM mostly stays where it started.
         */
        void ready() throws IOException {
            answer();
            int cpus = Runtime.getRuntime().availableProcessors();
            if (cpus > 1 && Files.isExecutable(Path.of(TASKSET))) {
                try {
                    Process pin = new ProcessBuilder(TASKSET, "-a", "-p", "-c", Integer.toString(cpus - 1),
                            Long.toString(process.pid())).redirectErrorStream(true).start();
                    pin.getInputStream().readAllBytes();
                    if (pin.waitFor() != 0) {
                        throw new IllegalStateException("taskset could not pin " + name + "'s probe to core " + (cpus - 1));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }

        double measure(int millis) throws IOException {
            in.println("measure " + millis);
            return Double.parseDouble(answer());
        }

        /** The probe's next protocol line without its prefix; other output (the benchmark's own) is skipped. */
        private String answer() throws IOException {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("ab-probe ")) {
                    return line.substring("ab-probe ".length());
                }
            }
            throw new IllegalStateException(name + " stopped before answering; its output is in " + log
                    + ". A baseline older than a benchmark or parameter cannot run it: choose cases both builds have");
        }

        void close() {
            in.println("quit");
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
