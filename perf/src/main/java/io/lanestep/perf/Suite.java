package io.lanestep.perf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Which benchmarks a report runs, how long, and the JMH runs that produce its measurements. */
final class Suite {
    /** How long each measurement runs. */
    enum Mode {
        /** Tiny sizes, one short iteration, no fork: checks the harness end to end (CI). */
        SMOKE(0, 1, 20, 1, 20),
        /**
         * The main job: every optimizer and width at 64K, Adam across sizes and threads; minutes.
         * Each trial first compiles its kernel on a small block (see Blocks.compile), so short
         * warm-ups suffice.
         */
        QUICK(1, 2, 300, 3, 150),
        /** Everything, 2 forks, 1 s iterations; hours. */
        FULL(2, 3, 1000, 5, 1000);

        final int forks;
        final int warmups;
        final int warmupMillis;
        final int iterations;
        final int iterationMillis;

        Mode(int forks, int warmups, int warmupMillis, int iterations, int iterationMillis) {
            this.forks = forks;
            this.warmups = warmups;
            this.warmupMillis = warmupMillis;
            this.iterations = iterations;
            this.iterationMillis = iterationMillis;
        }
    }

    static final List<String> WIDTHS = List.of("SCALAR", "BITS_64", "BITS_128", "BITS_256", "BITS_512", "PREFERRED");
    static final String WIDE = "65536";

    private final Mode mode;
    private final List<Measurement> results = new ArrayList<>();
    private String jvm = "";

    Suite(Mode mode) {
        this.mode = mode;
    }

    List<Measurement> run() throws RunnerException {
        List<String> all = Workloads.NAMES;
        List<String> widths = supportedWidths();
        switch (mode) {
            case SMOKE -> {
                engine(List.of("sgd", "adam"), List.of("SCALAR", "PREFERRED"), List.of("4096"), List.of("1"));
                baselines(List.of("sgd", "adam"), List.of("4096"), List.of("1"));
            }
            case QUICK -> {
                engine(all, widths.subList(0, widths.size() - 1), List.of(WIDE), List.of("1"));
                engine(List.of("adam"), widths, List.of("4096", "1048576", "16777216"), List.of("1"));
                engine(List.of("adam"), List.of("PREFERRED"), List.of("1048576", "16777216"), List.of("0"));
                baselines(all, List.of(WIDE), List.of("1"));
                baselines(List.of("adam"), List.of("4096", "1048576", "16777216"), List.of("1"));
                roofline(List.of("adam"), List.of("1048576", "16777216"), List.of("0"));
                multiBlock();
                memoryKinds(List.of(io.lanestep.LaneWidth.preferred().name()));
                subnormalState();
                formats(List.of("65536", "1048576", "16777216", "67108864"));
                results.addAll(TorchPeer.adam(List.of(1_048_576L, 16_777_216L)));
            }
            case FULL -> {
                List<String> sizes = List.of("4096", "65536", "65537", "1048576", "16777216", "67108864");
                engine(all, widths, sizes, List.of("1", "0"));
                baselines(all, sizes, List.of("1"));
                roofline(all, sizes, List.of("0"));
                multiBlock();
                memoryKinds(widths.subList(1, widths.size() - 1));
                subnormalState();
                formats(List.of("65536", "1048576", "16777216", "67108864"));
                results.addAll(TorchPeer.adam(sizes.stream().map(Long::parseLong).toList()));
            }
        }
        return results;
    }

    /** Widths this CPU runs natively; wider ones would measure the Vector API's Java fallback. */
    static List<String> supportedWidths() {
        int max = io.lanestep.LaneWidth.maxSupportedBits();
        return WIDTHS.stream().filter(w -> w.equals("SCALAR") || w.equals("PREFERRED")
                || io.lanestep.LaneWidth.valueOf(w).bits() <= max).toList();
    }

    private void engine(List<String> optimizers, List<String> widths, List<String> sizes, List<String> threads)
            throws RunnerException {
        ChainedOptionsBuilder b = options(OptimizerBench.class.getName() + ".step")
                .param("optimizer", optimizers.toArray(String[]::new))
                .param("width", widths.toArray(String[]::new))
                .param("size", sizes.toArray(String[]::new))
                .param("threads", threads.toArray(String[]::new));
        collect(new Runner(b.build()).run(), r -> r.getParams().getParam("width"));
    }

    private void baselines(List<String> optimizers, List<String> sizes, List<String> threads) throws RunnerException {
        ChainedOptionsBuilder b = options(BaselineBench.class.getName() + ".(reference|roofline)")
                .param("optimizer", optimizers.toArray(String[]::new))
                .param("size", sizes.toArray(String[]::new))
                .param("threads", threads.toArray(String[]::new));
        collect(new Runner(b.build()).run(), r -> method(r));
    }

    private void roofline(List<String> optimizers, List<String> sizes, List<String> threads) throws RunnerException {
        ChainedOptionsBuilder b = options(BaselineBench.class.getName() + ".roofline")
                .param("optimizer", optimizers.toArray(String[]::new))
                .param("size", sizes.toArray(String[]::new))
                .param("threads", threads.toArray(String[]::new));
        collect(new Runner(b.build()).run(), r -> "roofline");
    }

    private void multiBlock() throws RunnerException {
        collect(new Runner(options(MultiBlockBench.class.getName() + ".*").build()).run(),
                r -> method(r).equals("manyBlocks") ? "many_blocks" : "one_block");
    }

    /** Adam at 64K and 1M in every kind of memory, alone and after all the others, at {@code widths}. */
    private void memoryKinds(List<String> widths) throws RunnerException {
        ChainedOptionsBuilder b = options(MemoryKindsBench.class.getName() + ".step")
                .param("width", widths.toArray(String[]::new))
                .param("size", "65536", "1048576");
        collect(new Runner(b.build()).run(), r -> memoryKind(r.getParams().getParam("width"),
                r.getParams().getParam("kind"), Boolean.parseBoolean(r.getParams().getParam("polluted"))));
    }

    /**
     * Adam at the preferred width in every storage format of {@link FormatsBench}, and the roofline
     * of each format's bytes, on one thread and on all: workloads {@code adam@FORMAT}.
     */
    private void formats(List<String> sizes) throws RunnerException {
        ChainedOptionsBuilder b = options(FormatsBench.class.getName() + ".(step|roofline)")
                .param("format", FormatsBench.FORMATS.toArray(String[]::new))
                .param("size", sizes.toArray(String[]::new))
                .param("threads", "1", "0");
        collect(new Runner(b.build()).run(), r -> method(r).equals("roofline") ? "roofline" : FORMATS);
    }

    /** The measurement kind of a formats-benchmark step. */
    static final String FORMATS = "formats";

    /** Adam on a subnormal state at the preferred width, with and without the engine's flush. */
    private void subnormalState() throws RunnerException {
        collect(new Runner(options(SubnormalStateBench.class.getName() + ".step").build()).run(),
                r -> subnormal(Boolean.parseBoolean(r.getParams().getParam("flush"))));
    }

    /** The measurement kind of a subnormal-state result: not a width, so no width table lists it. */
    static String subnormal(boolean flush) {
        return "subnormal/" + (flush ? "flushed" : "kept");
    }

    /** The measurement kind of a memory-kinds result, for example {@code BITS_512/HEAP/polluted}. */
    static String memoryKind(String width, String kind, boolean polluted) {
        return width + "/" + kind + "/" + (polluted ? "polluted" : "alone");
    }

    private static String method(RunResult r) {
        String name = r.getParams().getBenchmark();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    private ChainedOptionsBuilder options(String include) {
        return new OptionsBuilder().include(include)
                .forks(mode.forks)
                .warmupIterations(mode.warmups).warmupTime(TimeValue.milliseconds(mode.warmupMillis))
                .measurementIterations(mode.iterations).measurementTime(TimeValue.milliseconds(mode.iterationMillis))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true);
    }

    /** The forked JVMs' executable, version and flags, as JMH recorded them. */
    String jvm() {
        return jvm;
    }

    private void collect(Collection<RunResult> runs, java.util.function.Function<RunResult, String> kind) {
        for (RunResult r : runs) {
            var p = r.getParams();
            if (jvm.isEmpty()) {
                jvm = p.getJvm() + " (" + p.getVmName() + " " + p.getVmVersion() + "), flags " + p.getJvmArgs();
            }
            boolean multi = p.getBenchmark().contains("MultiBlock");
            long size = multi ? Long.parseLong(p.getParam("blocks")) * Long.parseLong(p.getParam("blockSize"))
                    : Long.parseLong(p.getParam("size"));
            String t = p.getParam("threads");
            int threads = t == null ? 1 : Integer.parseInt(t) == 0 ? Runtime.getRuntime().availableProcessors()
                    : Integer.parseInt(t);
            if (kind.apply(r).equals("reference")) {
                threads = 1;
            }
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            String optimizer = p.getParam("format") == null ? p.getParam("optimizer")
                    : Workloads.FORMATS_PREFIX + p.getParam("format");
            results.add(new Measurement(kind.apply(r), optimizer, size, threads,
                    r.getPrimaryResult().getScore(), alloc == null ? Double.NaN : alloc.getScore()));
        }
    }
}
