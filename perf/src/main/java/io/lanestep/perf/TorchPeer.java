package io.lanestep.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The report's optional peer: PyTorch's CPU Adam on one thread, timed by
 * {@code src/main/python/torch_adam.py} in the same run as the JMH benchmarks, when a Python with
 * {@code torch} is on the machine (Debian's {@code python3-torch}). Absent, the report says so.
 */
final class TorchPeer {
    private static final List<String> PYTHONS = List.of("/usr/bin/python3", "python3");
    private static final List<Path> SCRIPTS = List.of(Path.of("src/main/python/torch_adam.py"),
            Path.of("perf/src/main/python/torch_adam.py"));

    private TorchPeer() {
    }

    /** Adam measurements of kind {@code torch}, or none if no Python here imports torch. */
    static List<Measurement> adam(List<Long> sizes) {
        Path script = SCRIPTS.stream().filter(Files::isRegularFile).findFirst().orElse(null);
        if (script == null) {
            return List.of();
        }
        for (String python : PYTHONS) {
            List<String> lines = run(List.of(python, "-c", "import torch"), 60);
            if (lines == null) {
                continue;
            }
            List<String> command = new ArrayList<>(List.of(python, script.toString()));
            sizes.forEach(s -> command.add(Long.toString(s)));
            List<String> out = run(command, 600);
            List<Measurement> measurements = new ArrayList<>();
            for (String line : out == null ? List.<String>of() : out) {
                String[] f = line.trim().split(" ");
                measurements.add(new Measurement("torch", "adam", Long.parseLong(f[0]), 1, Double.parseDouble(f[1]),
                        Double.NaN));
            }
            return measurements;
        }
        return List.of();
    }

    /** The command's standard output lines, or null if it could not run or failed. */
    private static List<String> run(List<String> command, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return new String(out, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
