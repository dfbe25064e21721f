package io.lanestep.djl;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.translate.TranslateException;
import java.io.IOException;

/** A small MLP trained on {@link Blobs} through DJL's own trainer, with any DJL optimizer. */
final class DjlTraining {
    private DjlTraining() {
    }

    static Model mlp(int dims, int hidden, int classes) {
        Model model = Model.newInstance("mlp", "PyTorch");
        model.setBlock(new SequentialBlock()
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(classes).build()));
        return model;
    }

    static Trainer trainer(Model model, Optimizer optimizer, int dims) {
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(optimizer)
                .optInitializer(new NormalInitializer(0.1f), p -> true);
        Trainer trainer = model.newTrainer(config);
        trainer.initialize(new Shape(1, dims));
        return trainer;
    }

    static ArrayDataset dataset(NDManager manager, Blobs blobs, int batch) {
        return new ArrayDataset.Builder()
                .setData(manager.create(blobs.features(), new Shape(blobs.rows(), blobs.dims())))
                .optLabels(manager.create(blobs.labels(), new Shape(blobs.rows())))
                .setSampling(batch, false)
                .build();
    }

    static void fit(Trainer trainer, ArrayDataset data, int epochs) throws IOException, TranslateException {
        fit(trainer, data, epochs, null);
    }

    /** With {@code direct}, its {@code step(block)} replaces {@code trainer.step()}. */
    static void fit(Trainer trainer, ArrayDataset data, int epochs, LanestepOptimizer direct)
            throws IOException, TranslateException {
        for (int e = 0; e < epochs; e++) {
            for (Batch batch : trainer.iterateDataset(data)) {
                EasyTrain.trainBatch(trainer, batch);
                if (direct == null) {
                    trainer.step();
                } else {
                    direct.step(trainer.getModel().getBlock());
                }
                batch.close();
            }
        }
    }

    static double accuracy(Trainer trainer, NDManager manager, Blobs test) {
        try (NDManager scoped = manager.newSubManager()) {
            NDArray x = scoped.create(test.features(), new Shape(test.rows(), test.dims()));
            NDArray predicted = trainer.evaluate(new NDList(x)).singletonOrThrow().argMax(1);
            float[] labels = test.labels();
            long[] p = predicted.toLongArray();
            int right = 0;
            for (int i = 0; i < p.length; i++) {
                right += p[i] == (long) labels[i] ? 1 : 0;
            }
            return (double) right / p.length;
        }
    }
}
