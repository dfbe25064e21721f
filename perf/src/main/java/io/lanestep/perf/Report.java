package io.lanestep.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.openjdk.jmh.runner.RunnerException;

/**
 * The main job: runs the JMH suite ({@code --quick} by default, {@code --full}, or {@code --smoke}),
 * then writes {@code report.json} (one record per measurement), {@code report.md} (the tables and
 * the targets, also printed) and {@code throughput.png} into {@code --out} (default
 * {@code perf/target/report}).
 */
public final class Report {
    private Report() {
    }

    public static void main(String[] args) throws IOException, RunnerException {
        Suite.Mode mode = Suite.Mode.QUICK;
        Path out = Path.of("target/report");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> mode = Suite.Mode.QUICK;
                case "--full" -> mode = Suite.Mode.FULL;
                case "--smoke" -> mode = Suite.Mode.SMOKE;
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --quick, --full, --smoke, --out DIR");
            }
        }
        System.setProperty("java.awt.headless", "true");
        Suite suite = new Suite(mode);
        List<Measurement> measurements = suite.run();
        List<Record> records = new Analysis(measurements).records();
        Files.createDirectories(out);
        Files.writeString(out.resolve("report.json"),
                records.stream().map(Record::toJson).collect(Collectors.joining(",\n  ", "[\n  ", "\n]\n")));
        String markdown = new Tables(records, mode, suite.jvm()).markdown();
        Files.writeString(out.resolve("report.md"), markdown);
        long chartSize = mode == Suite.Mode.SMOKE ? 4096 : Long.parseLong(Suite.WIDE);
        Chart.write(records, chartSize, out.resolve("throughput.png"));
        System.out.println(markdown);
        System.out.println("wrote " + out.resolve("report.json") + ", " + out.resolve("report.md") + ", "
                + out.resolve("throughput.png"));
    }
}
