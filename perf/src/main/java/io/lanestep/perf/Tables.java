package io.lanestep.perf;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The report's tables and its verdict on each performance target, as Markdown. */
final class Tables {
    /** A block whose arrays fit in the caches in every format (1.8 MB at most): its time is arithmetic, not DRAM. */
    private static final long IN_CACHE = 65_536;
    private final List<Record> records;
    private final Suite.Mode mode;
    private final String jvm;

    Tables(List<Record> records, Suite.Mode mode, String jvm) {
        this.records = records;
        this.mode = mode;
        this.jvm = jvm;
    }

    private Optional<Record> find(String optimizer, String width, long size, int threads) {
        return records.stream().filter(r -> r.width().equals(width) && Workloads.sameRow(width, r.optimizer(), optimizer)
                && r.size() == size && r.threads() == threads).findFirst();
    }

    String markdown() {
        StringBuilder s = new StringBuilder();
        s.append("# Lanestep performance report (").append(mode.name().toLowerCase(Locale.ROOT)).append(")\n\n");
        s.append(String.format(Locale.ROOT, "%s, %d cores, %s; JMH %d fork(s), %d x %d ms warm-up, %d x %d ms measured;"
                        + " medians are JMH averages per step.%n%n", System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                "widest vectors " + io.lanestep.LaneWidth.maxSupportedBits() + " bits", mode.forks, mode.warmups,
                mode.warmupMillis, mode.iterations, mode.iterationMillis));
        s.append("Forked JVM: ").append(jvm).append(". CPU: ").append(Cpu.model()).append(".\n\n");
        s.append("The preferred width on this CPU is ").append(Chart.label(io.lanestep.LaneWidth.preferred().name()))
                .append("; the quick mode measures it under its own name only where the table shows it.\n\n");
        long wide = mode == Suite.Mode.SMOKE ? 4096 : Long.parseLong(Suite.WIDE);
        everyOptimizer(s, wide);
        if (mode != Suite.Mode.SMOKE) {
            adamBySize(s);
            threadsAndBlocks(s);
            memoryKinds(s);
            subnormalState(s);
            formats(s);
            muon(s);
        }
        targets(s, wide);
        return s.toString();
    }

    private void everyOptimizer(StringBuilder s, long size) {
        List<String> widths = Suite.supportedWidths();
        s.append("## Every optimizer, ").append(size).append(" floats, 1 thread: ns/element (fraction of roofline)\n\n");
        s.append("| optimizer | B/elem | ").append(widths.stream().map(Chart::label).collect(Collectors.joining(" | ")))
                .append(" | reference | roofline | best vs reference | best vs segment loop | alloc B/step |\n");
        s.append("|---".repeat(widths.size() + 7)).append("|\n");
        for (String optimizer : Workloads.NAMES) {
            if (widths.stream().allMatch(w -> find(optimizer, w, size, 1).isEmpty())) {
                continue;
            }
            s.append("| ").append(optimizer).append(" | ").append(f0(Workloads.bytesPerElement(optimizer)));
            for (String w : widths) {
                s.append(" | ").append(find(optimizer, w, size, 1).map(Tables::cell).orElse("-"));
            }
            s.append(" | ").append(find(optimizer, "reference", size, 1).map(r -> f3(r.nsPerElement())).orElse("-"));
            s.append(" | ").append(find(optimizer, "roofline", size, 1).map(r -> f3(r.nsPerElement())).orElse("-"));
            Optional<Record> best = widths.stream().filter(w -> !w.equals("SCALAR"))
                    .map(w -> find(optimizer, w, size, 1)).flatMap(Optional::stream)
                    .min((a, b) -> Double.compare(a.nsPerElement(), b.nsPerElement()));
            s.append(" | ").append(best.map(r -> ratio(r.speedupVsReference())).orElse("-"));
            s.append(" | ").append(best.map(r -> ratio(r.speedupVsSegmentLoop())).orElse("-"));
            s.append(" | ").append(best.map(r -> f0(r.bytesAllocatedPerStep())).orElse("-")).append(" |\n");
        }
        s.append('\n');
    }

    private void adamBySize(StringBuilder s) {
        List<Long> sizes = records.stream().filter(r -> r.optimizer().equals("adam") && r.threads() == 1)
                .map(Record::size).distinct().sorted().toList();
        s.append("## Adam by block size, 1 thread: ns/element (fraction of roofline)\n\n| width | ");
        s.append(sizes.stream().map(String::valueOf).collect(Collectors.joining(" | "))).append(" |\n");
        s.append("|---".repeat(sizes.size() + 1)).append("|\n");
        for (String w : concat(Suite.supportedWidths(), List.of("reference", "roofline", "torch"))) {
            s.append("| ").append(w.startsWith("BITS") || w.equals("SCALAR") || w.equals("PREFERRED") ? Chart.label(w) : w);
            for (long size : sizes) {
                s.append(" | ").append(find("adam", w, size, 1).map(Tables::cell).orElse("-"));
            }
            s.append(" |\n");
        }
        s.append('\n');
    }

    private void threadsAndBlocks(StringBuilder s) {
        int all = Runtime.getRuntime().availableProcessors();
        s.append("## Adam at the preferred width, 1 thread against ").append(all).append("\n\n");
        s.append("| size | 1 thread ns/elem | ").append(all).append(" threads ns/elem | speedup | roofline fraction (")
                .append(all).append(" threads) |\n|---|---|---|---|---|\n");
        for (long size : List.of(1_048_576L, 16_777_216L)) {
            Optional<Record> one = find("adam", "PREFERRED", size, 1);
            Optional<Record> many = find("adam", "PREFERRED", size, all);
            if (one.isPresent() && many.isPresent()) {
                s.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s |%n", size, f3(one.get().nsPerElement()),
                        f3(many.get().nsPerElement()), ratio(one.get().nsPerElement() / many.get().nsPerElement()),
                        pct(many.get().rooflineFraction())));
            }
        }
        Optional<Record> many = find("adam", "many_blocks", 1_024_000, 1);
        Optional<Record> one = find("adam", "one_block", 1_024_000, 1);
        if (many.isPresent() && one.isPresent()) {
            s.append(String.format(Locale.ROOT, "%nMulti-block: 1000 blocks x 1024 floats %s ns/element, one block of"
                            + " 1 024 000 floats %s ns/element: many blocks run at %s of one block's throughput.%n%n",
                    f3(many.get().nsPerElement()), f3(one.get().nsPerElement()),
                    pct(one.get().nsPerElement() / many.get().nsPerElement())));
        }
    }

    /**
     * Adam per kind of memory: each kind alone in its JVM, and after every other kind in the same
     * JVM; ratios to shared-arena segments alone, the all-native figure.
     */
    private void memoryKinds(StringBuilder s) {
        List<String> widths = records.stream().filter(r -> r.width().endsWith("/SHARED/alone"))
                .map(r -> r.width().substring(0, r.width().indexOf('/'))).distinct().toList();
        for (String width : widths) {
            s.append("## Memory kinds: Adam at ").append(Chart.label(width))
                    .append(", 1 thread, ns/element (ratio to shared alone)\n\n")
                    .append("Alone: the JVM stepped only this kind. Polluted: it first stepped every other kind"
                            + " (compiled), then this one.\n\n| kind |");
            List<Long> sizes = List.of(65_536L, 1_048_576L);
            for (long size : sizes) {
                s.append(' ').append(size).append(" alone | ").append(size).append(" polluted |");
            }
            s.append("\n|---|---|---|---|---|\n");
            for (MemoryKinds kind : MemoryKinds.ALL) {
                s.append("| ").append(kind.name().toLowerCase(Locale.ROOT));
                for (long size : sizes) {
                    Optional<Record> base = find("adam", Suite.memoryKind(width, "SHARED", false), size, 1);
                    for (boolean polluted : new boolean[] {false, true}) {
                        Optional<Record> r = find("adam", Suite.memoryKind(width, kind.name(), polluted), size, 1);
                        s.append(" | ").append(r.map(x -> f3(x.nsPerElement())
                                + base.map(b -> " (" + ratio(x.nsPerElement() / b.nsPerElement()) + ")").orElse(""))
                                .orElse("-"));
                    }
                }
                s.append(" |\n");
            }
            s.append('\n');
        }
    }

    /** Adam's step on a state full of subnormals, kept or flushed by the engine. */
    private void subnormalState(StringBuilder s) {
        Optional<Record> kept = find("adam", Suite.subnormal(false), 65_536L, 1);
        Optional<Record> flushed = find("adam", Suite.subnormal(true), 65_536L, 1);
        if (kept.isEmpty() || flushed.isEmpty()) {
            return;
        }
        s.append("## Subnormal state: Adam, 65536 floats, preferred width, 1 thread\n\n")
                .append("Every moment subnormal and zero gradients (long-dead coordinates);"
                        + " `Engine.create(width, threads, true)` flushes subnormal state to zero.\n\n")
                .append("| state | ns/element | ratio to flushed |\n|---|---|---|\n")
                .append("| kept subnormal | ").append(f3(kept.get().nsPerElement())).append(" | ")
                .append(ratio(kept.get().nsPerElement() / flushed.get().nsPerElement())).append(" |\n")
                .append("| flushed | ").append(f3(flushed.get().nsPerElement())).append(" | 1.00x |\n\n");
    }

    /** Muon's float32 step per shape: its products against the core's FMA peak, and on every core. */
    private void muon(StringBuilder s) {
        Optional<Record> peak = fmaPeak();
        List<Long> sizes = records.stream().filter(r -> r.width().equals("muon/5")).map(Record::size).distinct()
                .sorted().toList();
        if (peak.isEmpty() || sizes.isEmpty()) {
            return;
        }
        int all = Runtime.getRuntime().availableProcessors();
        s.append("## Muon, float32 Newton-Schulz, preferred width\n\n").append(String.format(Locale.ROOT,
                "The core's float32 FMA peak, a register-only loop of 8 FMA chains: %.0f GFLOPS. One iteration's"
                        + " products = (step with 5 iterations - step with none) / 5; GFLOPS count what they compute"
                        + " (half of `X·Xᵀ`, `A·A`, `B·X`). Adam at 1M beside it: %s ns/element.%n%n",
                peakGflops(peak.get()), find("adam", "PREFERRED", 1_048_576, 1).map(r -> f3(r.nsPerElement()))
                        .orElse("-")));
        s.append("| matrix | step, 1 thread | ns/element | products per iteration | of peak | step, ").append(all)
                .append(" threads | speedup |\n|---|---|---|---|---|---|---|\n");
        for (long size : sizes) {
            Optional<Record> one = find(MuonBench.WORKLOAD, "muon/5", size, 1);
            Optional<Record> many = find(MuonBench.WORKLOAD, "muon/5", size, all);
            Optional<Double> products = muonProducts(size);
            Optional<Double> speedup = muonSpeedup(size);
            String shape = muonShape(size);
            s.append("| ").append(shape).append(" | ").append(one.map(r -> ms(r)).orElse("-")).append(" | ")
                    .append(one.map(r -> f0(r.nsPerElement())).orElse("-")).append(" | ")
                    .append(products.map(p -> String.format(Locale.ROOT, "%.1f ms, %.0f GFLOPS", p,
                            MuonBench.iterationFlops(shape) / p / 1e6)).orElse("-")).append(" | ")
                    .append(pct(muonPeakFraction(size).orElse(null))).append(" | ")
                    .append(many.map(r -> ms(r)).orElse("-")).append(" | ")
                    .append(speedup.map(Tables::ratio).orElse("-")).append(" |\n");
        }
        s.append('\n');
    }

    /** One Newton-Schulz iteration's products on 1 thread, ms. */
    private Optional<Double> muonProducts(long size) {
        Optional<Record> five = find(MuonBench.WORKLOAD, "muon/5", size, 1);
        Optional<Record> none = find(MuonBench.WORKLOAD, "muon/0", size, 1);
        return five.isEmpty() || none.isEmpty() ? Optional.empty()
                : Optional.of((five.get().nsPerElement() - none.get().nsPerElement()) * size / 1e6 / 5);
    }

    /** The 1-thread step's time over the step's on every core. */
    private Optional<Double> muonSpeedup(long size) {
        int all = Runtime.getRuntime().availableProcessors();
        return find(MuonBench.WORKLOAD, "muon/5", size, 1).flatMap(one -> find(MuonBench.WORKLOAD, "muon/5", size, all)
                .map(many -> one.nsPerElement() / many.nsPerElement()));
    }

    private Optional<Record> fmaPeak() {
        return records.stream().filter(r -> r.width().equals(Suite.FMA_PEAK)).findFirst();
    }

    /** The products' GFLOPS over the core's FMA peak. */
    private Optional<Double> muonPeakFraction(long size) {
        return muonProducts(size).flatMap(ms -> fmaPeak().map(p ->
                MuonBench.iterationFlops(muonShape(size)) / ms / 1e6 / peakGflops(p)));
    }

    private static double peakGflops(Record peak) {
        return MuonBench.PEAK_FLOPS / (peak.nsPerElement() * peak.size());
    }

    /** The benchmark's shape of {@code size} elements: 1024 rows. */
    private static String muonShape(long size) {
        return "1024x" + size / 1024;
    }

    private static String ms(Record r) {
        return String.format(Locale.ROOT, "%.1f ms", r.nsPerElement() * r.size() / 1e6);
    }

    /** A name for each storage format of {@link FormatsBench}. */
    private static String formatName(String format) {
        return switch (format) {
            case "fp32" -> "fp32";
            case "bf16_fp32state" -> "bf16 params/grads, fp32 moments";
            case "bf16" -> "bf16 everything";
            case "fp16_fp32state" -> "fp16 params/grads, fp32 moments";
            case "fp16" -> "fp16 everything";
            case "bf16_master" -> "fp32 master + bf16 copy, bf16 grads, fp32 moments";
            case "bf16_stochastic" -> "bf16 params (stochastic rounding), bf16 grads, fp32 moments";
            case "fp32_q8" -> "fp32 params/grads, 8-bit moments";
            case "bf16_q8" -> "bf16 params/grads, 8-bit moments";
            default -> format;
        };
    }

    private void formats(StringBuilder s) {
        List<Long> sizes = records.stream().filter(r -> r.optimizer().startsWith(Workloads.FORMATS_PREFIX))
                .map(Record::size).distinct().sorted().toList();
        if (sizes.isEmpty()) {
            return;
        }
        int all = Runtime.getRuntime().availableProcessors();
        s.append("## Fewer bytes per step: Adam by storage format, preferred width: ns/element (fraction of that"
                + " format's roofline)\n\n| format | B/elem |");
        for (long size : sizes) {
            s.append(' ').append(size).append(", 1 thread | ").append(size).append(", ").append(all).append(" threads |");
        }
        s.append("\n|---|---|").append("---|".repeat(2 * sizes.size())).append('\n');
        for (String format : FormatsBench.FORMATS) {
            String workload = Workloads.FORMATS_PREFIX + format;
            s.append("| ").append(formatName(format)).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f", Workloads.bytesPerElement(workload)));
            for (long size : sizes) {
                for (int threads : List.of(1, all)) {
                    s.append(" | ").append(find(workload, Suite.FORMATS, size, threads).map(Tables::cell).orElse("-"));
                }
            }
            s.append(" |\n");
        }
        s.append("\nSpeed against fp32 Adam in the same run (fp32 ns/element over the format's):\n\n| format |");
        for (long size : sizes) {
            s.append(' ').append(size).append(", 1 thread | ").append(size).append(", ").append(all).append(" threads |");
        }
        s.append("\n|---|").append("---|".repeat(2 * sizes.size())).append('\n');
        for (String format : FormatsBench.FORMATS.subList(1, FormatsBench.FORMATS.size())) {
            s.append("| ").append(formatName(format));
            for (long size : sizes) {
                for (int threads : List.of(1, all)) {
                    s.append(" | ").append(formatSpeedup(format, size, threads).map(Tables::ratio).orElse("-"));
                }
            }
            s.append(" |\n");
        }
        s.append('\n');
    }

    /** How much faster than fp32 Adam the format's step ran, same size and threads, same run. */
    private Optional<Double> formatSpeedup(String format, long size, int threads) {
        Optional<Record> fp32 = find(Workloads.FORMATS_PREFIX + "fp32", Suite.FORMATS, size, threads);
        return find(Workloads.FORMATS_PREFIX + format, Suite.FORMATS, size, threads)
                .flatMap(r -> fp32.map(b -> b.nsPerElement() / r.nsPerElement()));
    }

    private void formatTargets(StringBuilder s) {
        for (long size : List.of(16_777_216L, 67_108_864L)) {
            formatSpeedup("bf16_fp32state", size, 1).ifPresent(x -> s.append(String.format(Locale.ROOT,
                    "- bf16 params/grads with fp32 moments >= 1.2x fp32 Adam at %d, 1 thread: %s (%s)%n", size,
                    met(x, 1.2), ratio(x))));
        }
        for (long size : List.of(16_777_216L, 67_108_864L)) {
            Optional<Record> fp32 = find(Workloads.FORMATS_PREFIX + "fp32", Suite.FORMATS, size, 1);
            formatSpeedup("bf16_q8", size, 1).ifPresent(x -> s.append(String.format(Locale.ROOT,
                    "- bf16 params/grads with 8-bit moments >= 2.4x fp32 Adam at %d, 1 thread: %s (%s%s)%n", size,
                    met(x, 2.4), ratio(x), x >= 2.4 ? "" : computeBound("bf16_q8",
                            fp32.map(r -> r.nsPerElement() / 2.4).orElse(Double.NaN)))));
        }
        double q8 = StateMemory.q8OverFp32();
        s.append(String.format(Locale.ROOT, "- State memory of 8-bit Adam <= 0.27 of fp32's (bytes the states of a"
                + " 16M block allocate): %s (%.3f)%n", q8 <= 0.27 ? "**met**" : "**not met**", q8));
        for (long size : List.of(16_777_216L, 67_108_864L)) {
            if (find(Workloads.FORMATS_PREFIX + "fp32", Suite.FORMATS, size, 1).isEmpty()) {
                continue;
            }
            List<String> measured = FormatsBench.FORMATS.stream()
                    .filter(f -> find(Workloads.FORMATS_PREFIX + f, Suite.FORMATS, size, 1).isPresent()).toList();
            List<String> allocating = new java.util.ArrayList<>();
            StepAllocation.inFreshJvm(size, measured).forEach((format, bytes) -> {
                if (bytes > 0) {
                    allocating.add(formatName(format) + " " + f0(bytes) + " B");
                }
            });
            s.append(String.format(Locale.ROOT, "- No allocation per step at %d, 1 thread, every format measured there (the stepping"
                    + " thread's allocation counter over steps after warm-up): %s%n", size, allocating.isEmpty()
                    ? "**met** (0 bytes per step)" : "**not met** (" + String.join(", ", allocating) + ")"));
        }
        for (long size : List.of(16_777_216L, 67_108_864L)) {
            List<String> below = new java.util.ArrayList<>();
            double worst = Double.NaN;
            for (String format : FormatsBench.FORMATS) {
                Optional<Record> r = find(Workloads.FORMATS_PREFIX + format, Suite.FORMATS, size, 1);
                if (r.isPresent() && r.get().rooflineFraction() != null) {
                    double f = r.get().rooflineFraction();
                    worst = Double.isNaN(worst) ? f : Math.min(worst, f);
                    if (f < 0.9) {
                        below.add(formatName(format) + " " + pct(f)
                                + computeBound(format, r.get().nsPerElement() * f / 0.9));
                    }
                }
            }
            if (!Double.isNaN(worst)) {
                s.append(String.format(Locale.ROOT, "- Every format >= 90%% of its own roofline at %d, 1 thread: %s%s%n",
                        size, below.isEmpty() ? "**met**" : "**not met**", below.isEmpty() ? " (slowest " + pct(worst)
                                + ")" : " (below: " + String.join(", ", below) + ")"));
            }
        }
    }

    /**
     * Whether a format misses a time per element because of its arithmetic, not its memory: its
     * step over a block that fits in cache ({@link #IN_CACHE}) already takes longer than {@code
     * allowedNs}. Said only where it does; empty otherwise.
     */
    String computeBound(String format, double allowedNs) {
        return find(Workloads.FORMATS_PREFIX + format, Suite.FORMATS, IN_CACHE, 1)
                .filter(r -> r.nsPerElement() > allowedNs)
                .map(r -> String.format(Locale.ROOT, "; compute-bound: %s ns/element in cache at %d, over the %s"
                        + " allowed", f3(r.nsPerElement()), IN_CACHE, f3(allowedNs))).orElse("");
    }

    /** The slowest memory kind or mix against shared alone, over every width and size measured. */
    private Optional<Double> worstMemoryKind() {
        return records.stream().filter(r -> r.width().contains("/") && r.optimizer().equals("adam"))
                .map(r -> find("adam", Suite.memoryKind(r.width().substring(0, r.width().indexOf('/')), "SHARED",
                        false), r.size(), 1).map(b -> r.nsPerElement() / b.nsPerElement()).orElse(Double.NaN))
                .filter(x -> !x.isNaN()).max(Double::compare);
    }

    private void targets(StringBuilder s, long wide) {
        s.append("## Targets\n\n");
        List<String> slower = records.stream().filter(r -> r.size() == wide && r.threads() == 1
                        && r.width().startsWith("BITS") && r.speedupVsSegmentLoop() != null
                        && r.speedupVsSegmentLoop() <= 1)
                .map(r -> r.optimizer() + "@" + Chart.label(r.width())).toList();
        double worst = records.stream().filter(r -> r.size() == wide && r.threads() == 1 && r.width().startsWith("BITS")
                && r.speedupVsSegmentLoop() != null).mapToDouble(Record::speedupVsSegmentLoop).min().orElse(Double.NaN);
        s.append(String.format(Locale.ROOT, "- Every width faster than the engine's scalar kernel at %d: %s (slowest"
                + " width is %s the scalar kernel's speed%s)%n", wide, slower.isEmpty() ? "**met**" : "**not met**",
                ratio(worst), slower.isEmpty() ? "" : "; slower: " + slower));
        // JMH allocates a few KB per iteration itself, which the gc profiler divides by the steps
        // of the iteration: hundreds of bytes per step for a 16M-float block. The single-threaded
        // roofline kernels allocate nothing, so their figures times their steps per iteration are
        // that per-iteration noise (the median of them), spread over each benchmark's own steps.
        // DJL's own calls allocate its tensor wrappers and buffers, so its rows are not engine steps.
        List<Record> measured = records.stream().filter(r -> !r.width().equals("reference")
                && !r.width().equals("roofline") && !r.width().startsWith("djl/")
                && !Double.isNaN(r.bytesAllocatedPerStep())).toList();
        double noise = iterationNoise();
        double maxExcess = measured.stream().mapToDouble(r -> r.bytesAllocatedPerStep() - noise / stepsPerIteration(r))
                .max().orElse(Double.NaN);
        double maxNoise = measured.stream().mapToDouble(r -> noise / stepsPerIteration(r)).max().orElse(Double.NaN);
        s.append(String.format(Locale.ROOT, "- Under 64 bytes allocated per step beyond JMH's own noise (gc profiler;"
                + " noise = the allocation-free roofline kernels' median bytes per iteration, spread over"
                + " the steps of an iteration): %s (largest excess %s B; the noise reaches %s B per step where"
                + " few steps fit an iteration, and there the check is only that coarse)%n",
                maxExcess < 64 ? "**met**" : "**not met**", f0(maxExcess), f0(maxNoise)));
        for (long size : List.of(16_777_216L)) {
            find("adam", "PREFERRED", size, 1).ifPresent(r -> s.append(String.format(Locale.ROOT,
                    "- >= 95%% of the roofline at %d, 1 thread (Adam): %s (%s)%n", size,
                    met(r.rooflineFraction(), 0.95), pct(r.rooflineFraction()))));
            int all = Runtime.getRuntime().availableProcessors();
            find("adam", "PREFERRED", size, all).ifPresent(r -> s.append(String.format(Locale.ROOT,
                    "- >= 95%% of the roofline at %d, %d threads (Adam): %s (%s)%n", size, all,
                    met(r.rooflineFraction(), 0.95), pct(r.rooflineFraction()))));
        }
        int all = Runtime.getRuntime().availableProcessors();
        Optional<Record> one = find("adam", "PREFERRED", 1_048_576, 1);
        Optional<Record> many = find("adam", "PREFERRED", 1_048_576, all);
        if (one.isPresent() && many.isPresent()) {
            double speedup = one.get().nsPerElement() / many.get().nsPerElement();
            s.append(String.format(Locale.ROOT, "- >= 1.8x on %d cores for 1M Adam: %s (%s)%n", all,
                    met(speedup, 1.8), ratio(speedup)));
        }
        Optional<Record> blocks = find("adam", "many_blocks", 1_024_000, 1);
        Optional<Record> block = find("adam", "one_block", 1_024_000, 1);
        if (blocks.isPresent() && block.isPresent()) {
            double share = block.get().nsPerElement() / blocks.get().nsPerElement();
            s.append(String.format(Locale.ROOT, "- 1000 blocks of 1K within 80%% of one 1M block: %s (%s)%n",
                    met(share, 0.8), pct(share)));
        }
        Optional<Record> adapter = records.stream().filter(r -> r.width().equals(Suite.DJL_UPDATE)).findFirst();
        Optional<Record> direct = records.stream().filter(r -> r.width().equals(Suite.DJL_ENGINE)).findFirst();
        if (adapter.isPresent() && direct.isPresent()) {
            // size is the parameter count here, so microseconds per step over it are per parameter
            double micros = (adapter.get().nsPerElement() - direct.get().nsPerElement()) / 1000;
            s.append(String.format(Locale.ROOT, "- DJL adapter overhead <= 1 us per parameter (`update` against the"
                    + " engine's step on the same %d tensors of %s): %s (%.2f us; %.2f us per parameter in all)%n",
                    adapter.get().size(), DjlAdapterBench.SIZE, micros <= 1 ? "**met**" : "**not met**", micros,
                    adapter.get().nsPerElement() / 1000));
        }
        List<Record> torch = records.stream().filter(r -> r.width().equals("torch") && r.size() >= 1_048_576).toList();
        if (torch.isEmpty()) {
            s.append("- >= 8x torch CPU Adam per core on >= 1M elements: no Python with torch here"
                    + " (apt-get install python3-torch adds the peer)\n");
        }
        for (Record t : torch) {
            find("adam", "PREFERRED", t.size(), 1).ifPresent(r -> {
                double speedup = t.nsPerElement() / r.nsPerElement();
                s.append(String.format(Locale.ROOT, "- >= 8x torch CPU Adam per core at %d: %s (torch %s ns/element,"
                        + " engine %s: %s)%n", t.size(), met(speedup, 8), f3(t.nsPerElement()), f3(r.nsPerElement()),
                        ratio(speedup)));
            });
        }
        worstMemoryKind().ifPresent(w -> s.append(String.format(Locale.ROOT, "- Every memory kind and mix, alone or"
                + " after all the others, within 10%% of shared-arena segments alone (Adam, 64K and 1M): %s (slowest"
                + " %s of the all-native time)%n", w <= 1.10 ? "**met**" : "**not met**", ratio(w))));
        s.append("- 512-bit Adam within 5% of gcc -O3 -march=native: measured beside gcc by perf/c/compare.sh, outside"
                + " the build (README)\n");
        formatTargets(s);
        muonTargets(s);
    }

    private void muonTargets(StringBuilder s) {
        int all = Runtime.getRuntime().availableProcessors();
        long size = 1_048_576;
        // Above the peak, the peak's loop was measured before C2 had compiled it: no verdict either way.
        muonPeakFraction(size).ifPresent(f -> s.append(String.format(Locale.ROOT, "- Muon's products at 1024x1024,"
                + " 1 thread, >= 60%% of the core's float32 FMA peak: %s (%s)%n", f > 1 ? "**not measured**" : met(f, 0.6),
                f > 1 ? pct(f) + ", above the peak measured beside them" : pct(f))));
        muonSpeedup(size).ifPresent(speedup -> s.append(String.format(Locale.ROOT,
                "- Muon's step at 1024x1024 on %d threads >= 1.8x one: %s (%s)%n", all, met(speedup, 1.8),
                ratio(speedup))));
        if (find(MuonBench.WORKLOAD, "muon/5", size, 1).isPresent()) {
            s.append("- Muon against torch (`mm` 1.3x, `torch.optim.Muon` within 2x): measured beside torch outside"
                    + " the build (perf/README)\n");
        }
    }

    /** The bytes JMH allocates per measured iteration: the median of the single-threaded roofline kernels'. */
    private double iterationNoise() {
        double[] perIteration = records.stream().filter(b -> b.width().equals("roofline") && b.threads() == 1
                        && !Double.isNaN(b.bytesAllocatedPerStep()))
                .mapToDouble(b -> b.bytesAllocatedPerStep() * stepsPerIteration(b)).sorted().toArray();
        return perIteration.length == 0 ? 0 : perIteration[perIteration.length / 2];
    }

    /**
     * The steps JMH runs in one measured iteration of {@code r}: whole steps, at least one, the
     * last of them past the iteration's end. (Scaling the noise by time per step alone made a
     * 64M-float step of 170 ms, the one step of its 150 ms iteration, look as if it allocated
     * 1.7 KB against a roofline step that ran three.)
     */
    private double stepsPerIteration(Record r) {
        return Math.max(1, Math.ceil(mode.iterationMillis * 1e6 / (r.nsPerElement() * r.size())));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static String cell(Record r) {
        return r.rooflineFraction() == null ? f3(r.nsPerElement())
                : f3(r.nsPerElement()) + " (" + pct(r.rooflineFraction()) + ")";
    }

    private static String met(Double value, double target) {
        return value != null && value >= target ? "**met**" : "**not met**";
    }

    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String f0(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String ratio(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.2fx", v);
    }

    private static String pct(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.0f%%", v * 100);
    }
}
