package io.lanestep.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One benchmark of an A/B comparison, by name: {@code WORKLOAD@SIZE[/WIDTH]} (a {@link Workloads}
 * name on {@link OptimizerBench}), {@code FORMAT@SIZE} (a {@link FormatsBench} format), or
 * {@code many_blocks} / {@code one_block} ({@link MultiBlockBench}). SIZE is floats, with an
 * optional {@code k} (1024) or {@code m} (1048576) suffix; WIDTH is {@code scalar}, {@code 64},
 * {@code 128}, {@code 256}, {@code 512} or {@code preferred} (the default).
 *
 * @param name      the name as given
 * @param benchmark the JMH benchmark method, fully qualified
 * @param params    JMH parameters as {@code name=value}
 */
record AbCase(String name, String benchmark, List<String> params) {
    static final String GRAMMAR = "WORKLOAD@SIZE[/WIDTH] (workloads: " + Workloads.NAMES + "), FORMAT@SIZE (formats: "
            + FormatsBench.FORMATS + "), many_blocks or one_block; SIZE like 65536, 64k or 16m; WIDTH one of scalar,"
            + " 64, 128, 256, 512, preferred";

    /**
     * Adam fp32 small and large, one 16-bit and one 8-bit format, the many-blocks case and one
     * optimizer per other kernel family: momentum, sign, layer-wise trust ratio, factored moments.
     */
    static final List<String> DEFAULT = List.of("adam@64k", "adam@16m", "bf16@1m", "fp32_q8@1m", "many_blocks",
            "sgd_nesterov_wd@1m", "lion@1m", "lamb@1m", "adafactor@1m");

    private static final String PACKAGE = "io.lanestep.perf.";

    static AbCase parse(String name) {
        switch (name) {
            case "many_blocks":
                return new AbCase(name, PACKAGE + "MultiBlockBench.manyBlocks", List.of());
            case "one_block":
                return new AbCase(name, PACKAGE + "MultiBlockBench.oneBlock", List.of());
            default:
                break;
        }
        int at = name.indexOf('@');
        if (at < 0) {
            throw unknown(name, "no @SIZE");
        }
        String what = name.substring(0, at);
        String rest = name.substring(at + 1);
        int slash = rest.indexOf('/');
        String size = size(name, slash < 0 ? rest : rest.substring(0, slash));
        String width = slash < 0 ? "PREFERRED" : width(name, rest.substring(slash + 1));
        if (Workloads.NAMES.contains(what)) {
            return new AbCase(name, PACKAGE + "OptimizerBench.step",
                    List.of("optimizer=" + what, "size=" + size, "width=" + width, "state=fp32", "threads=1"));
        }
        if (FormatsBench.FORMATS.contains(what)) {
            if (slash >= 0) {
                throw unknown(name, "formats run at the preferred width only");
            }
            return new AbCase(name, PACKAGE + "FormatsBench.step", List.of("format=" + what, "size=" + size, "threads=1"));
        }
        throw unknown(name, "'" + what + "' is neither a workload nor a format");
    }

    static List<AbCase> parseAll(String commaSeparated) {
        List<AbCase> cases = new ArrayList<>();
        for (String name : commaSeparated.split(",")) {
            if (!name.isBlank()) {
                cases.add(parse(name.trim()));
            }
        }
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("--cases names no benchmark; give one or more of " + GRAMMAR);
        }
        return cases;
    }

    /** JMH's command-line selection of this benchmark: an anchored pattern and its parameters. */
    List<String> jmhArgs() {
        List<String> args = new ArrayList<>();
        args.add("^" + benchmark.replace(".", "\\.") + "$");
        for (String p : params) {
            args.add("-p");
            args.add(p);
        }
        return args;
    }

    private static String size(String name, String text) {
        String t = text.toLowerCase(Locale.ROOT);
        long unit = t.endsWith("k") ? 1024 : t.endsWith("m") ? 1 << 20 : 1;
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            long floats = Math.multiplyExact(Long.parseLong(digits), unit);
            if (floats > 0) {
                return Long.toString(floats);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // named below
        }
        throw unknown(name, "size '" + text + "' is not a positive float count");
    }

    private static String width(String name, String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "scalar" -> "SCALAR";
            case "64", "128", "256", "512" -> "BITS_" + text;
            case "preferred" -> "PREFERRED";
            default -> throw unknown(name, "width '" + text + "' is not one of scalar, 64, 128, 256, 512, preferred");
        };
    }

    private static IllegalArgumentException unknown(String name, String why) {
        return new IllegalArgumentException("--cases: cannot read '" + name + "' (" + why + "); name cases as " + GRAMMAR);
    }
}
