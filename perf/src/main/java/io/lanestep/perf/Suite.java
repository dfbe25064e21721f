package io.lanestep.perf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Which benchmarks a report runs, how long, and the JMH runs that produce its measurements. */
final class Suite {
    /** How long each measurement runs. */
    enum Mode {
        /** Tiny sizes, one short iteration, no fork: checks the harness end to end (CI). */
        SMOKE(0, 1, 20, 1, 20),
        /**
         * The main job, minutes: every optimizer at 64K at every width but 64-bit (the scalar
         * reference for Adam only), Adam across sizes, widths and threads, the formats in cache
         * and at 16M, and at 64M those its targets compare. Each trial first compiles its kernel
         * on a small block (see Blocks.compile), so one short warm-up suffices: 300 ms instead of
         * 100 cost the main job 50 s over its 250 trials (its target is 10 minutes) and moved no
         * median beyond the run-to-run noise.
         */
        QUICK(1, 1, 100, 3, 100),
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
    private final long started = System.nanoTime();
    private String jvm = "";

    Suite(Mode mode) {
        this.mode = mode;
    }

    List<Measurement> run() throws RunnerException {
        List<String> all = Workloads.NAMES;
        List<String> widths = supportedWidths();
        switch (mode) {
            case SMOKE -> {
                engine("SGD and Adam", List.of("sgd", "adam"), List.of("SCALAR", "PREFERRED"), List.of("4096"),
                        List.of("1"));
                baselines("their references and rooflines", List.of("sgd", "adam"), List.of("4096"), List.of("1"));
            }
            case QUICK -> {
                // The 64-bit width (two lanes, which no CPU prefers) is measured for Adam below and in full.
                engine("every optimizer at 64K, scalar and 128- to 512-bit", all,
                        widths.stream().filter(w -> !w.equals("BITS_64") && !w.equals("PREFERRED")).toList(),
                        List.of(WIDE), List.of("1"));
                engine("Adam by block size and width", List.of("adam"), widths,
                        List.of("4096", "1048576", "16777216"), List.of("1"));
                engine("Adam on every core", List.of("adam"), List.of("PREFERRED"), List.of("1048576", "16777216"),
                        List.of("0"));
                baselines("Adam's reference and roofline", List.of("adam"), List.of("4096", WIDE, "1048576",
                        "16777216"), List.of("1"));
                roofline("rooflines at 64K", Workloads.rooflineRepresentatives(all), List.of(WIDE), List.of("1"));
                roofline("Adam's roofline on every core", List.of("adam"), List.of("1048576", "16777216"),
                        List.of("0"));
                multiBlock();
                djlAdapter();
                muon(List.of("1024x1024"));
                memoryKinds(List.of(io.lanestep.LaneWidth.preferred().name()));
                subnormalState();
                formats("storage formats in cache and at 16M", FormatsBench.FORMATS, List.of("65536", "16777216"),
                        List.of("1"), List.of("step"));
                formats("storage formats' rooflines at 16M", FormatsBench.FORMATS, List.of("16777216"), List.of("1"),
                        List.of("roofline"));
                formats("the 8-bit and bf16-params formats at 64M", QUICK_LARGE, List.of("67108864"), List.of("1"),
                        List.of("step", "roofline"));
                formats("16-bit formats at 1M, beside torch's", List.of("bf16", "fp16"), List.of("1048576"),
                        List.of("1"), List.of("step"));
                formats("fp32 and bf16 on every core", List.of("fp32", "bf16"), List.of("16777216"), List.of("0"),
                        List.of("step", "roofline"));
                torch(List.of(1_048_576L, 16_777_216L));
            }
            case FULL -> {
                List<String> sizes = List.of("4096", "65536", "65537", "1048576", "16777216", "67108864");
                engine("every optimizer, width, size and thread count", all, widths, sizes, List.of("1", "0"));
                baselines("references and rooflines", all, sizes, List.of("1"));
                roofline("rooflines on every core", all, sizes, List.of("0"));
                multiBlock();
                djlAdapter();
                muon(List.of("1024x1024", "1024x4096"));
                memoryKinds(widths.subList(1, widths.size() - 1));
                subnormalState();
                formats("storage formats", FormatsBench.FORMATS, List.of("65536", "1048576", "16777216", "67108864"),
                        List.of("1", "0"), List.of("step", "roofline"));
                torch(sizes.stream().map(Long::parseLong).toList());
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

    private void engine(String title, List<String> optimizers, List<String> widths, List<String> sizes,
                        List<String> threads) throws RunnerException {
        ChainedOptionsBuilder b = options(OptimizerBench.class.getName() + ".step")
                .param("optimizer", optimizers.toArray(String[]::new))
                .param("width", widths.toArray(String[]::new))
                .param("size", sizes.toArray(String[]::new))
                .param("threads", threads.toArray(String[]::new));
        collect(run(title, b), r -> r.getParams().getParam("width"));
    }

    private void baselines(String title, List<String> optimizers, List<String> sizes, List<String> threads)
            throws RunnerException {
        ChainedOptionsBuilder b = options(BaselineBench.class.getName() + ".(reference|roofline)")
                .param("optimizer", optimizers.toArray(String[]::new))
                .param("size", sizes.toArray(String[]::new))
                .param("threads", threads.toArray(String[]::new));
        collect(run(title, b), r -> method(r));
    }

    private void roofline(String title, List<String> optimizers, List<String> sizes, List<String> threads)
            throws RunnerException {
        ChainedOptionsBuilder b = options(BaselineBench.class.getName() + ".roofline")
                .param("optimizer", optimizers.toArray(String[]::new))
                .param("size", sizes.toArray(String[]::new))
                .param("threads", threads.toArray(String[]::new));
        collect(run(title, b), r -> "roofline");
    }

    private void multiBlock() throws RunnerException {
        collect(run("1000 blocks against one", options(MultiBlockBench.class.getName() + ".*")),
                r -> method(r).equals("manyBlocks") ? "many_blocks" : "one_block");
    }

    /** Adam at 64K and 1M in every kind of memory, alone and after all the others, at {@code widths}. */
    private void memoryKinds(List<String> widths) throws RunnerException {
        ChainedOptionsBuilder b = options(MemoryKindsBench.class.getName() + ".step")
                .param("width", widths.toArray(String[]::new))
                .param("size", "65536", "1048576");
        collect(run("memory kinds", b), r -> memoryKind(r.getParams().getParam("width"),
                r.getParams().getParam("kind"), Boolean.parseBoolean(r.getParams().getParam("polluted"))));
    }

    /**
     * Adam at the preferred width in storage formats of {@link FormatsBench}, {@code methods} among
     * {@code step} and {@code roofline} (the roofline of each format's bytes): workloads
     * {@code adam@FORMAT}.
     */
    private void formats(String title, List<String> formats, List<String> sizes, List<String> threads,
                         List<String> methods) throws RunnerException {
        ChainedOptionsBuilder b = options(FormatsBench.class.getName() + ".(" + String.join("|", methods) + ")")
                .param("format", formats.toArray(String[]::new))
                .param("size", sizes.toArray(String[]::new))
                .param("threads", threads.toArray(String[]::new));
        collect(run(title, b), r -> method(r).equals("roofline") ? "roofline" : FORMATS);
    }

    /** The formats the quick report also measures at 64M: those its 64M targets compare. */
    private static final List<String> QUICK_LARGE = List.of("fp32", "bf16_fp32state", "fp32_q8", "bf16_q8");

    private void torch(List<Long> sizes) {
        long start = System.nanoTime();
        List<Measurement> torch = TorchPeer.adam(sizes);
        results.addAll(torch);
        progress("torch's Adam, where installed", torch.size(), start);
    }

    /** What the DJL adapter adds per parameter: {@link DjlAdapterBench}, its size the parameter count. */
    private void djlAdapter() throws RunnerException {
        collect(run("the DJL adapter against the engine", options(DjlAdapterBench.class.getName() + ".*")),
                r -> method(r).equals("adapterUpdate") ? DJL_UPDATE : DJL_ENGINE);
    }

    /**
     * Muon's float32 step on 1 and every thread, with its five Newton-Schulz iterations and with
     * none (the difference is their products), beside the core's FMA peak: kinds {@code muon/5},
     * {@code muon/0} and {@link #FMA_PEAK}, sized by the matrix's elements.
     */
    private void muon(List<String> shapes) throws RunnerException {
        // the step without its products is read on one thread only, where it gives the products' time
        String all = Integer.toString(Runtime.getRuntime().availableProcessors());
        collect(run("Muon's step, with and without its products", muonSteps(shapes, "1", "0", "5")),
                r -> "muon/" + r.getParams().getParam("nsSteps"));
        collect(run("Muon's step on every core", muonSteps(shapes, all, "5")), r -> "muon/5");
        // The peak's loop compiles on stack replacement: a 150 ms warm-up measured it before C2 had
        // compiled it (4 GFLOPS against 117), so it warms up as long as the steps.
        ChainedOptionsBuilder peak = longWarmup(options(MuonBench.class.getName() + ".fmaPeak")
                .param("shape", "1024x1024").param("precision", "FP32").param("threads", "1").param("nsSteps", "0"));
        collect(run("the core's float32 FMA peak", peak), r -> FMA_PEAK);
    }

    private ChainedOptionsBuilder muonSteps(List<String> shapes, String threads, String... nsSteps) {
        // A step takes 0.2-1 s, so the quick mode's iterations would run it about once each: its warm-up
        // (one main job then measured 9.4 MB allocated per 1-thread step, which no longer warm-up showed)
        // and its 3 samples (2-thread speedups of 1.79-1.98x across runs) get seconds here.
        return longWarmup(options(MuonBench.class.getName() + ".step").param("shape", shapes.toArray(String[]::new))
                .param("precision", "FP32").param("threads", threads).param("nsSteps", nsSteps));
    }

    /** At least 2 x 1 s of warm-up and 5 x 500 ms measured, whatever the mode. */
    private ChainedOptionsBuilder longWarmup(ChainedOptionsBuilder b) {
        return b.warmupIterations(Math.max(2, mode.warmups))
                .warmupTime(TimeValue.milliseconds(Math.max(1000, mode.warmupMillis)))
                .measurementIterations(Math.max(5, mode.iterations))
                .measurementTime(TimeValue.milliseconds(Math.max(500, mode.iterationMillis)));
    }

    /** The measurement kind of {@link MuonBench#fmaPeak}: one call of {@link MuonBench#PEAK_FLOPS} flops. */
    static final String FMA_PEAK = "fma_peak";

    /** The measurement kinds of {@link DjlAdapterBench}. */
    static final String DJL_UPDATE = "djl/update";
    static final String DJL_ENGINE = "djl/engine";

    /** The measurement kind of a formats-benchmark step. */
    static final String FORMATS = "formats";

    /** Adam on a subnormal state at the preferred width, with and without the engine's flush. */
    private void subnormalState() throws RunnerException {
        collect(run("subnormal state", options(SubnormalStateBench.class.getName() + ".step")),
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

    /**
     * Runs one section's JMH trials quietly and prints a line when it ends: JMH's own output is
     * hundreds of lines per trial, and the main job's reader wants to know how far it is.
     */
    private Collection<RunResult> run(String title, ChainedOptionsBuilder options) throws RunnerException {
        long start = System.nanoTime();
        Collection<RunResult> runs = new Runner(options.verbosity(VerboseMode.SILENT).build()).run();
        progress(title, runs.size(), start);
        return runs;
    }

    private void progress(String title, int trials, long start) {
        long now = System.nanoTime();
        System.out.printf(Locale.ROOT, "report %s: %s, %d trials in %d s%n", minutes(now - started), title, trials,
                Math.round((now - start) / 1e9));
    }

    private static String minutes(long nanos) {
        long seconds = Math.round(nanos / 1e9);
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
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
                    : p.getBenchmark().contains("DjlAdapter") ? Long.parseLong(p.getParam("parameters"))
                    : p.getBenchmark().endsWith("fmaPeak") ? 1
                    : p.getParam("shape") != null ? MuonBench.elements(p.getParam("shape"))
                    : Long.parseLong(p.getParam("size"));
            String t = p.getParam("threads");
            int threads = t == null ? 1 : Integer.parseInt(t) == 0 ? Runtime.getRuntime().availableProcessors()
                    : Integer.parseInt(t);
            if (kind.apply(r).equals("reference")) {
                threads = 1;
            }
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            String optimizer = p.getParam("format") != null ? Workloads.FORMATS_PREFIX + p.getParam("format")
                    : p.getParam("shape") != null ? MuonBench.WORKLOAD : p.getParam("optimizer");
            results.add(new Measurement(kind.apply(r), optimizer, size, threads,
                    micros(r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreUnit()),
                    alloc == null ? Double.NaN : alloc.getScore()));
        }
    }

    /** A JMH average time in microseconds, whatever unit its benchmark reports in ({@code ms/op} for Muon's). */
    static double micros(double score, String unit) {
        return switch (unit) {
            case "ns/op" -> score / 1000;
            case "us/op" -> score;
            case "ms/op" -> score * 1000;
            case "s/op" -> score * 1_000_000;
            default -> throw new IllegalArgumentException("a benchmark reports in " + unit + "; report average times"
                    + " per operation (Mode.AverageTime)");
        };
    }
}
