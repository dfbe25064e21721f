package io.lanestep.perf.models;

import ai.djl.training.optimizer.Optimizer;
import io.lanestep.Adam;
import io.lanestep.Sgd;
import io.lanestep.SignalToNoiseSgd;
import io.lanestep.djl.LanestepOptimizer;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The real-model benchmark of the report: Fashion-MNIST, an MLP, a model of over 1M parameters and
 * a CNN, trained through DJL and DL4J with their own Adam, Lanestep's Adam (in DL4J both as
 * {@code LanestepUpdater} and {@code LanestepTrainer}), Lanestep's SGD with momentum and the seed's
 * untuned signal-to-noise SGD, and DL4J's {@code EarlyStoppingTrainer} and {@code ParallelWrapper}
 * with {@code LanestepUpdater}. {@code RealModels THREADS accuracy|timing REPORT_DIR}:
 * one JVM per thread count, since both stacks read their native thread count at start; {@code
 * RealModels 1 16bit REPORT_DIR} runs the 16-bit and 8-bit storage table alone.
 */
public final class RealModels {
    private static final Architecture MLP = Architecture.mlp(256);
    private static final List<Architecture> MODELS = List.of(MLP, Architecture.mlp(1024, 512), Architecture.cnn());

    private static final String DIRECT = "Lanestep Adam, `step(block)`";
    private static final String UPDATER = "Lanestep Adam, `LanestepUpdater`";
    /** Training examples of the CNN's runs: 50 batches of 128 per epoch. */
    private static final int CNN_ROWS = 6400;
    private static final int WRAPPER_RUNS = 5;

    private RealModels() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        boolean accuracy = args[1].equals("accuracy");
        Path dir = Path.of(args[2]);
        Files.createDirectories(dir);
        FashionMnist all = FashionMnist.loadOrInstall();
        if (all == null) {
            append(dir, "\n## Real models (Fashion-MNIST)\nNot run: the dataset is missing. Install it with `"
                    + FashionMnist.INSTALL + "` and rerun the main job.\n");
            return;
        }
        List<DataSet> allBatches = Dl4jRuns.batches(all);
        if (args[1].equals("16bit")) {
            sixteenBit(all, allBatches, dir);
            return;
        }
        if (args[1].equals("entry")) {
            entryPoints(all, allBatches, dir);
            return;
        }
        List<Run> runs = new ArrayList<>();
        for (Architecture model : MODELS) {
            int epochs = accuracy ? 2 : 1;
            int maxSteps = accuracy ? Integer.MAX_VALUE : model.convolutional() ? 20 : 100;
            // DL4J's convolutions take about 0.4 s per step on one core: the CNN trains on a subset.
            FashionMnist data = model.convolutional() ? all.head(CNN_ROWS) : all;
            List<DataSet> batches = model.convolutional() ? allBatches.subList(0, CNN_ROWS / 128) : allBatches;
            for (var optimizer : optimizers(accuracy && !model.convolutional()).entrySet()) {
                String name = optimizer.getKey();
                io.lanestep.Optimizer lanestep = optimizer.getValue();
                Supplier<Optimizer> djl = () -> lanestep == null ? Optimizer.adam().build()
                        : LanestepOptimizer.builder(lanestep).optThreads(threads).build();
                report(runs, DjlRuns.train(data, model, name, djl.get(), false, epochs, threads, maxSteps));
                if (name.equals("Lanestep Adam")) {
                    report(runs, DjlRuns.train(data, model, DIRECT, djl.get(), true, epochs, threads, maxSteps));
                    report(runs, Dl4jRuns.train(data, batches, model, UPDATER, lanestep, Dl4jRuns.Way.UPDATER,
                            epochs, threads, maxSteps));
                }
                report(runs, Dl4jRuns.train(data, batches, model, name, lanestep, Dl4jRuns.Way.TRAINER, epochs,
                        threads, maxSteps));
            }
        }
        append(dir, table(runs, threads, accuracy));
        if (accuracy) {
            chart(runs, dir.resolve("real-models-loss.png"));
            if (threads == 1) {
                entryPoints(all, allBatches, dir);
                sixteenBit(all, allBatches, dir);
            }
        }
    }

    private static void report(List<Run> runs, Run run) {
        runs.add(run);
        System.out.println(line(run));
    }

    /**
     * DL4J's own entry points, {@code EarlyStoppingTrainer} and {@code ParallelWrapper} on two
     * workers, each with DL4J's Adam and with {@code LanestepUpdater}: the test accuracy each
     * reaches, Lanestep's beside DL4J's by the same route. On 2 workers a run's outcome moves with
     * the initial weights more than with the updater, so ParallelWrapper runs from
     * {@value #WRAPPER_RUNS} initialisations per updater, and the table gives every run and the means.
     */
    private static void entryPoints(FashionMnist all, List<DataSet> allBatches, Path dir) throws Exception {
        StringBuilder md = new StringBuilder("\n## DL4J's entry points with LanestepUpdater (Fashion-MNIST, Adam lr"
                + " 1e-3, batch 128, 2 epochs)\nTest accuracy after the last epoch (early stopping: of the epoch it"
                + " keeps, scored by the test loss). `ParallelWrapper`: 2 workers averaging parameters and updater"
                + " state every 5 iterations, from " + WRAPPER_RUNS + " initialisations (seeds 1 to " + WRAPPER_RUNS
                + ") per updater: the mean first, then each run. Lanestep's"
                + " Adam is PyTorch's, DL4J's is the epsilon-hat form. The CNN trains on the first " + CNN_ROWS
                + " training examples, as in the timing table.\n\n"
                + "| model | entry point | DL4J's Adam | LanestepUpdater (Adam) | difference of means |\n"
                + "|---|---|---|---|---|\n");
        for (Architecture model : MODELS) {
            if (model != MLP && !model.convolutional()) {
                continue;
            }
            FashionMnist data = model.convolutional() ? all.head(CNN_ROWS) : all;
            List<DataSet> batches = model.convolutional() ? allBatches.subList(0, CNN_ROWS / 128) : allBatches;
            for (int workers : new int[] {0, 2}) {
                List<Double> own = new ArrayList<>();
                List<Double> lanestep = new ArrayList<>();
                for (int seed = 1; seed <= (workers == 0 ? 1 : WRAPPER_RUNS); seed++) {
                    Run a = Dl4jRuns.entryPoint(data, batches, model, "own Adam",
                            new org.nd4j.linalg.learning.config.Adam(1e-3), workers, 2, seed);
                    Run b = Dl4jRuns.entryPoint(data, batches, model, "LanestepUpdater",
                            new io.lanestep.dl4j.LanestepUpdater(Adam.defaults()), workers, 2, seed);
                    System.out.println(line(a));
                    System.out.println(line(b));
                    own.add(a.accuracy.getLast());
                    lanestep.add(b.accuracy.getLast());
                }
                md.append("| ").append(model.name()).append(" | ")
                        .append(workers == 0 ? "`EarlyStoppingTrainer`" : "`ParallelWrapper`, 2 workers")
                        .append(" | ").append(runs(own)).append(" | ").append(runs(lanestep))
                        .append(String.format(Locale.ROOT, " | %+.2f points |%n", 100 * (mean(lanestep) - mean(own))));
            }
        }
        append(dir, md.toString());
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    private static String runs(List<Double> accuracies) {
        String each = String.join(" / ", accuracies.stream().map(x -> String.format(Locale.ROOT, "%.4f", x)).toList());
        return accuracies.size() == 1 ? each : String.format(Locale.ROOT, "%.4f (%s)", mean(accuracies), each);
    }

    /**
     * Adam on the MLP with its weights stored as float32, bf16 rounded to nearest, bf16 rounded
     * stochastically and float32 master weights with a bf16 copy, and float32 weights with 8-bit
     * moments: the accuracy each keeps.
     */
    private static void sixteenBit(FashionMnist data, List<DataSet> batches, Path dir) throws IOException {
        Architecture model = MLP;
        Map<String, io.lanestep.Formats> formats = new LinkedHashMap<>();
        formats.put("fp32 weights", io.lanestep.Formats.FP32);
        formats.put("bf16 weights, round to nearest", new io.lanestep.Formats(io.lanestep.Format.BF16,
                io.lanestep.Format.FP32, io.lanestep.Format.FP32));
        formats.put("bf16 weights, stochastic rounding", io.lanestep.Formats.stochasticRounding(
                io.lanestep.Format.FP32, io.lanestep.Format.FP32, 20261202));
        formats.put("bf16 copy of fp32 master weights", io.lanestep.Formats.masterWeights(io.lanestep.Format.BF16,
                io.lanestep.Format.FP32));
        formats.put("fp32 weights, 8-bit Adam moments", new io.lanestep.Formats(io.lanestep.Format.FP32,
                io.lanestep.Format.FP32, io.lanestep.Format.Q8));
        StringBuilder md = new StringBuilder("\n## Real models: 16-bit weights, 8-bit moments (Fashion-MNIST, DL4J, ")
                .append(model.name()).append(", Lanestep Adam, batch 128, 2 epochs, 1 thread)\n")
                .append("The network computes with the stored weights widened to float32; gradients stay float32,"
                        + " and the moments too but in the 8-bit run. One Lanestep block per DL4J parameter tensor,"
                        + " as bitsandbytes keeps a state per tensor: in the 8-bit run the biases and the 2,570"
                        + " output-layer weights, under 4,096 elements each, keep float32 moments. Same initial"
                        + " weights (rounded to each format) for"
                        + " every run. Round to nearest"
                        + " drops every update smaller than half a bf16 ulp of its weight (2^-9 to 2^-8 of it); Adam's"
                        + " updates are at most about lr, so at lr 1e-4 that is every update of a weight above about"
                        + " 0.026.\n\n")
                .append("| lr | storage | test accuracy per epoch | vs fp32 after the last epoch |\n|---|---|---|---|\n");
        List<Run> small = new ArrayList<>();
        for (double lr : new double[] {1e-3, 1e-4}) {
            List<Run> runs = new ArrayList<>();
            for (var f : formats.entrySet()) {
                runs.add(SixteenBitWeights.train(data, batches, model, f.getKey(), f.getValue(), lr, 2));
                System.out.println(line(runs.getLast()) + ", lr " + lr);
            }
            double fp32 = runs.getFirst().accuracy.getLast();
            for (Run r : runs) {
                md.append("| ").append(lr).append(" | ").append(r.optimizer).append(" | ")
                        .append(String.join(" / ", r.accuracy.stream()
                                .map(x -> String.format(Locale.ROOT, "%.4f", x)).toList()))
                        .append(String.format(Locale.ROOT, " | %+.2f points |%n", 100 * (r.accuracy.getLast() - fp32)));
            }
            small = runs;
        }
        md.append("\nLoss curves at lr 1e-4: `real-models-16bit-loss.png`.\n");
        append(dir, md.toString());
        chart(small, dir.resolve("real-models-16bit-loss.png"));
    }

    private static Map<String, io.lanestep.Optimizer> optimizers(boolean all) {
        Map<String, io.lanestep.Optimizer> o = new LinkedHashMap<>();
        o.put("own Adam", null);
        o.put("Lanestep Adam", Adam.defaults());
        if (all) {
            o.put("Lanestep SGD momentum", new Sgd(0.05, 0.9, 0, 0, false, false));
            o.put("signal-to-noise SGD, untuned", SignalToNoiseSgd.defaults(128));
        }
        return o;
    }

    private static String line(Run r) {
        return String.format(Locale.ROOT, "%s %s %s %d threads: accuracy %s, f/b %.3f ms, optimizer %.3f ms",
                r.stack, r.model, r.optimizer, r.threads, r.accuracy, r.medianForwardBackwardMs(), r.medianStepMs());
    }

    private static String table(List<Run> runs, int threads, boolean accuracy) {
        StringBuilder md = new StringBuilder();
        md.append("\n## Real models (Fashion-MNIST), ").append(threads).append(threads == 1 ? " thread" : " threads")
                .append("\nBatch 128, lr 1e-3 for both Adams, SGD lr 0.05 momentum 0.9, the signal-to-noise SGD at its"
                        + " defaults for batch 128 (untuned). Medians per training step after 20 warm-up steps"
                        + (accuracy ? "" : " (the timing runs: 100 steps, the CNN's 20 with 10 of them warm-up)") + ";"
                        + " optimizer = DJL's `trainer.step()` (for Lanestep: `LanestepOptimizer` given to"
                        + " `optOptimizer`, so DJL's parameter server still copies every gradient before calling it)"
                        + " or `LanestepOptimizer.step(block)` in its place; for DL4J its own Adam and"
                        + " `LanestepUpdater` through DL4J's updater and `params -= update` (what `net.fit` does)"
                        + " against `LanestepTrainer.step`. The CNN runs the Adams only, on the first " + CNN_ROWS
                        + " training examples (DL4J's convolutions take about 0.4 s a step on one core). Native threads:"
                        + " OMP_NUM_THREADS=" + threads
                        + ", Lanestep threads " + threads + ". Same initial weights for every optimizer of a stack.\n\n");
        md.append(accuracy ? "| stack | model | optimizer | test accuracy per epoch | forward+backward ms"
                + " | optimizer ms | step ms | optimizer vs own Adam | step vs own Adam |\n|---|---|---|---|---|---|---|---|---|\n"
                : "| stack | model | optimizer | forward+backward ms | optimizer ms | step ms | optimizer vs own Adam"
                + " | step vs own Adam |\n|---|---|---|---|---|---|---|---|\n");
        for (Run r : runs) {
            Run own = runs.stream().filter(o -> o.stack.equals(r.stack) && o.model.equals(r.model)
                    && o.optimizer.equals("own Adam")).findFirst().orElseThrow();
            double step = r.medianForwardBackwardMs() + r.medianStepMs();
            double ownStep = own.medianForwardBackwardMs() + own.medianStepMs();
            md.append("| ").append(r.stack).append(" | ").append(r.model).append(" (").append(r.parameters)
                    .append(") | ").append(r.optimizer).append(" | ");
            if (accuracy) {
                md.append(String.join(" / ", r.accuracy.stream()
                        .map(a -> String.format(Locale.ROOT, "%.4f", a)).toList())).append(" | ");
            }
            md.append(String.format(Locale.ROOT, "%.3f | %.3f | %.3f | %.1fx | %+.0f%% |%n", r.medianForwardBackwardMs(),
                    r.medianStepMs(), step, own.medianStepMs() / r.medianStepMs(), 100 * (step / ownStep - 1)));
        }
        if (accuracy) {
            md.append("\nLoss curves (mean of every 20 steps): `real-models-loss.png`.\n");
        }
        return md.toString();
    }

    private static void chart(List<Run> runs, Path png) throws IOException {
        XYSeriesCollection series = new XYSeriesCollection();
        for (Run r : runs) {
            if (!r.model.equals(MLP.name())) {
                continue;
            }
            XYSeries s = new XYSeries(r.stack + ", " + r.optimizer);
            for (int i = 0; i < r.loss.size(); i++) {
                s.add((i + 1) * 20, r.loss.get(i));
            }
            series.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Fashion-MNIST, MLP 784-256-10: training loss",
                "step (batch 128)", "loss (mean of 20 steps)", series, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getXYPlot().setBackgroundPaint(Color.WHITE);
        chart.getXYPlot().setRangeGridlinePaint(Color.GRAY);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1200, 700);
    }

    private static void append(Path dir, String markdown) throws IOException {
        Files.writeString(dir.resolve("report.md"), markdown, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.print(markdown);
    }
}
