package io.lanestep.perf.models;

import io.lanestep.dl4j.LanestepTrainer;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * MLPs trained on Fashion-MNIST through DL4J 1.0.0-M2.1. Its own Adam runs the steps of
 * {@code net.fit} spelled out (gradient, updater, {@code params -= update}), so the optimizer's
 * share of the step can be timed.
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

    static MultiLayerNetwork mlp(int[] hidden, IUpdater updater) {
        var list = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).updater(updater)
                .weightInit(WeightInit.XAVIER).list();
        int in = FashionMnist.PIXELS;
        for (int h : hidden) {
            list.layer(new DenseLayer.Builder().nIn(in).nOut(h).activation(Activation.RELU).build());
            in = h;
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(in).nOut(10)
                .activation(Activation.SOFTMAX).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    /** {@code lanestep} null: DL4J's own Adam (lr 1e-3). */
    static Run train(FashionMnist data, List<DataSet> batches, String model, int[] hidden, String name,
                     io.lanestep.Optimizer lanestep, int epochs, int threads, int maxSteps) {
        MultiLayerNetwork net = mlp(hidden, lanestep == null ? new org.nd4j.linalg.learning.config.Adam(1e-3)
                : new NoOp());
        Run run = new Run("DL4J", model, net.numParams(), name, threads);
        LanestepTrainer trainer = lanestep == null ? null
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
