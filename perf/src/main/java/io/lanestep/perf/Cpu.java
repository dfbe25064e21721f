package io.lanestep.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The CPU a report was measured on, as precisely as the machine says: the model name and, since
 * virtual machines often hide the generation behind "AMD EPYC", the vendor, family and model
 * numbers (AMD family 25 is Zen 3/4, 26 Zen 5) that tell one generation from the next.
 */
final class Cpu {
    private Cpu() {
    }

    static String model() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            return field(lines, "model name") + " (" + field(lines, "vendor_id") + " family "
                    + field(lines, "cpu family") + " model " + field(lines, "model") + ")";
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch") + " (no /proc/cpuinfo)";
        }
    }

    private static String field(List<String> lines, String name) {
        return lines.stream().filter(l -> l.startsWith(name) && l.substring(0, l.indexOf(':')).trim().equals(name))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
    }
}
