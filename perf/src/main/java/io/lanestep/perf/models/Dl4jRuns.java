package io.lanestep.perf.models;

import io.lanestep.dl4j.LanestepTrainer;
import io.lanestep.dl4j.LanestepUpdater;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingTrainer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The benchmark's models trained on Fashion-MNIST through DL4J 1.0.0-M2.1: its own Adam and
 * {@link LanestepUpdater} run the steps of {@code net.fit} spelled out (gradient, updater,
 * {@code params -= update}), so the optimizer's share of the step can be timed.
 */
final class Dl4jRuns {
    private Dl4jRuns() {
    }

    static List<DataSet> batches(FashionMnist data) {
        List<DataSet> batches = new ArrayList<>();
        for (int from = 0; from < data.trainRows(); from += 128) {
            int rows = Math.min(128, data.trainRows() - from);
            float[] x = java.util.Arrays.copyOfRange(data.trainX(), from * FashionMnist.PIXELS,
                    (from + rows) * FashionMnist.PIXELS);
            float[] y = new float[rows * 10];
            for (int r = 0; r < rows; r++) {
                y[r * 10 + data.trainY()[from + r]] = 1;
            }
            batches.add(new DataSet(Nd4j.create(x, new long[] {rows, FashionMnist.PIXELS}),
                    Nd4j.create(y, new long[] {rows, 10})));
        }
        return batches;
    }

    /** How a Lanestep configuration steps a DL4J network. */
    enum Way {
        /** {@code LanestepTrainer.builder(net, optimizer)}: the fused step over the flat views. */
        TRAINER,
        /** {@code LanestepUpdater} in the configuration, stepped as {@code net.fit} steps it. */
        UPDATER
    }

    /**
     * {@code lanestep} null: DL4J's own Adam (lr 1e-3). DL4J's updater path runs {@code net.fit}'s
     * steps spelled out, so that the optimizer's share of the step can be timed.
     */
    static Run train(FashionMnist data, List<DataSet> batches, Architecture model, String name,
                     io.lanestep.Optimizer lanestep, Way way, int epochs, int threads, int maxSteps) {
        IUpdater updater = lanestep == null ? new org.nd4j.linalg.learning.config.Adam(1e-3)
                : way == Way.UPDATER ? new LanestepUpdater(lanestep) : new NoOp();
        MultiLayerNetwork net = model.dl4j(updater);
        Run run = new Run("DL4J", model.name(), net.numParams(), name, threads);
        LanestepTrainer trainer = lanestep == null || way == Way.UPDATER ? null
                : LanestepTrainer.builder(net, lanestep).threads(threads).build();
        try {
            int steps = 0;
            double lossSum = 0;
            for (int epoch = 0; epoch < epochs && steps < maxSteps; epoch++) {
                for (DataSet batch : batches) {
                    long t0 = System.nanoTime();
                    net.setInput(batch.getFeatures());
                    net.setLabels(batch.getLabels());
                    net.computeGradientAndScore();
                    long t1 = System.nanoTime();
                    long rows = batch.getFeatures().size(0);
                    if (trainer == null) {
                        int iteration = net.getIterationCount();
                        net.getUpdater().update(net, net.gradient(), iteration, epoch, (int) rows,
                                LayerWorkspaceMgr.noWorkspaces());
                        net.params().subi(net.getFlattenedGradients().reshape(net.params().shape()));
                        net.setIterationCount(iteration + 1);
                    } else {
                        trainer.step(rows);
                    }
                    long t2 = System.nanoTime();
                    run.time(t1 - t0, t2 - t1);
                    lossSum += net.score();
                    if (++steps % 20 == 0) {
                        run.loss.add(lossSum / 20);
                        lossSum = 0;
                    }
                    if (steps >= maxSteps) {
                        break;
                    }
                }
                net.incrementEpochCount();
                if (maxSteps == Integer.MAX_VALUE) {
                    run.accuracy.add(accuracy(net, data));
                }
            }
            return run;
        } finally {
            if (trainer != null) {
                trainer.close();
            }
        }
    }

    /**
     * {@code updater} through DL4J's own entry points, for test accuracy only: {@code
     * EarlyStoppingTrainer} for {@code epochs} epochs (scored on the test set, keeping the best
     * epoch's model), or {@code ParallelWrapper} with {@code workers} workers averaging every 5
     * iterations, the network initialised from {@code seed}. One accuracy per epoch (early
     * stopping: the kept model's).
     */
    static Run entryPoint(FashionMnist data, List<DataSet> batches, Architecture model, String name,
                          IUpdater updater, int workers, int epochs, long seed) throws Exception {
        MultiLayerNetwork net = model.dl4j(updater, seed);
        Run run = new Run("DL4J", model.name(), net.numParams(), name, Math.max(1, workers));
        ListDataSetIterator<DataSet> train = new ListDataSetIterator<>(batches, 1);
        if (workers == 0) {
            List<DataSet> test = new ArrayList<>();
            for (int from = 0; from < data.testY().length; from += 1000) {
                test.add(testBatch(data, from));
            }
            var config = new EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
                    .epochTerminationConditions(new MaxEpochsTerminationCondition(epochs))
                    .scoreCalculator(new DataSetLossCalculator(new ListDataSetIterator<>(test, 1), true))
                    .modelSaver(new InMemoryModelSaver<>())
                    .build();
            MultiLayerNetwork best = new EarlyStoppingTrainer(config, net, train).fit().getBestModel();
            run.accuracy.add(accuracy(best, data));
            return run;
        }
        try (ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net).workers(workers).prefetchBuffer(8)
                .averagingFrequency(5).averageUpdaters(true).build()) {
            for (int epoch = 0; epoch < epochs; epoch++) {
                wrapper.fit(train);
                run.accuracy.add(accuracy(net, data));
            }
        }
        return run;
    }

    private static DataSet testBatch(FashionMnist data, int from) {
        float[] x = java.util.Arrays.copyOfRange(data.testX(), from * FashionMnist.PIXELS,
                (from + 1000) * FashionMnist.PIXELS);
        float[] y = new float[1000 * 10];
        for (int r = 0; r < 1000; r++) {
            y[r * 10 + data.testY()[from + r]] = 1;
        }
        return new DataSet(Nd4j.create(x, new long[] {1000, FashionMnist.PIXELS}),
                Nd4j.create(y, new long[] {1000, 10}));
    }

    static double accuracy(MultiLayerNetwork net, FashionMnist data) {
        int n = data.testY().length;
        int right = 0;
        for (int from = 0; from < n; from += 1000) {
            float[] chunk = java.util.Arrays.copyOfRange(data.testX(), from * FashionMnist.PIXELS,
                    (from + 1000) * FashionMnist.PIXELS);
            INDArray predicted = net.output(Nd4j.create(chunk, new long[] {1000, FashionMnist.PIXELS})).argMax(1);
            for (int i = 0; i < 1000; i++) {
                right += predicted.getInt(i) == data.testY()[from + i] ? 1 : 0;
            }
        }
        return (double) right / n;
    }
}
