package io.lanestep.perf.models;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.translate.TranslateException;
import io.lanestep.djl.LanestepOptimizer;
import java.io.IOException;

/** The benchmark's models trained on Fashion-MNIST through DJL 0.36's own trainer (PyTorch 2.7.1 engine). */
final class DjlRuns {
    private DjlRuns() {
    }

    /** With {@code direct}, the Lanestep optimizer's {@code step(block)} replaces {@code trainer.step()}. */
    static Run train(FashionMnist data, Architecture model, String name, Optimizer optimizer, boolean direct,
                     int epochs, int threads, int maxSteps) throws IOException, TranslateException {
        // The same initial weights for every optimizer.
        ai.djl.engine.Engine.getInstance().setRandomSeed(1);
        try (Model m = Model.newInstance(model.name(), "PyTorch")) {
            SequentialBlock block = model.djlBlock();
            m.setBlock(block);
            try (Trainer trainer = m.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(optimizer))) {
                trainer.initialize(model.djlInput(1));
                long parameters = block.getParameters().values().stream()
                        .filter(p -> p.requiresGradient()).mapToLong(p -> p.getArray().size()).sum();
                Run run = new Run("DJL", model.name(), parameters, name, threads);
                NDManager manager = m.getNDManager();
                ArrayDataset train = new ArrayDataset.Builder()
                        .setData(manager.create(data.trainX(), model.djlInput(data.trainRows())))
                        .optLabels(manager.create(data.trainY()).toType(ai.djl.ndarray.types.DataType.FLOAT32, false))
                        .setSampling(128, false).build();
                int steps = 0;
                float lossSum = 0;
                for (int epoch = 0; epoch < epochs && steps < maxSteps; epoch++) {
                    for (Batch batch : trainer.iterateDataset(train)) {
                        long t0 = System.nanoTime();
                        float loss;
                        try (GradientCollector collector = trainer.newGradientCollector()) {
                            NDList predictions = trainer.forward(batch.getData(), batch.getLabels());
                            NDArray l = trainer.getLoss().evaluate(batch.getLabels(), predictions);
                            collector.backward(l);
                            loss = l.getFloat();
                        }
                        long t1 = System.nanoTime();
                        if (direct) {
                            ((LanestepOptimizer) optimizer).step(m.getBlock());
                        } else {
                            trainer.step();
                        }
                        long t2 = System.nanoTime();
                        batch.close();
                        run.time(t1 - t0, t2 - t1);
                        lossSum += loss;
                        if (++steps % 20 == 0) {
                            run.loss.add(lossSum / 20.0);
                            lossSum = 0;
                        }
                        if (steps >= maxSteps) {
                            break;
                        }
                    }
                    if (maxSteps == Integer.MAX_VALUE) {
                        run.accuracy.add(accuracy(trainer, manager, data, model));
                    }
                }
                return run;
            }
        } finally {
            if (optimizer instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static double accuracy(Trainer trainer, NDManager manager, FashionMnist data, Architecture model) {
        int right = 0;
        int n = data.testY().length;
        for (int from = 0; from < n; from += 1000) {
            try (NDManager scoped = manager.newSubManager()) {
                float[] chunk = java.util.Arrays.copyOfRange(data.testX(), from * FashionMnist.PIXELS,
                        (from + 1000) * FashionMnist.PIXELS);
                NDArray x = scoped.create(chunk, model.djlInput(1000));
                long[] predicted = trainer.evaluate(new NDList(x)).singletonOrThrow().argMax(1).toLongArray();
                for (int i = 0; i < predicted.length; i++) {
                    right += predicted[i] == data.testY()[from + i] ? 1 : 0;
                }
            }
        }
        return (double) right / n;
    }

}
