package io.lanestep.djl;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.loss.Loss;
import io.lanestep.AdamW;
import io.lanestep.Schedule;
import java.util.SplittableRandom;

/**
 * A small CNN (two conv + BatchNorm + pooling stages and a dense head) on generated 16x16 images,
 * each class a brighter square in its own place under noise: enough to step every kind of DJL
 * parameter (conv kernels, BatchNorm's scale and shift and running statistics, dense weights) in
 * seconds.
 */
final class SmallCnn {
    static final int SIDE = 16;
    static final int CLASSES = 4;
    static final int BATCH = 32;

    private SmallCnn() {
    }

    static Model model() {
        Model model = Model.newInstance("cnn", "PyTorch");
        model.setBlock(new SequentialBlock()
                .add(conv(8))
                .add(BatchNorm.builder().build())
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(conv(16))
                .add(BatchNorm.builder().build())
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(CLASSES).build()));
        return model;
    }

    private static Conv2d conv(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).build();
    }

    /** The run's optimizer: decoupled decay and a warm-up, so that a resume must restore the schedule's place. */
    static LanestepOptimizer optimizer() {
        return LanestepOptimizer.builder(AdamW.defaults().withLearningRate(3e-3))
                .optSchedule(Schedule.linearWarmup(10))
                .build();
    }

    static Trainer trainer(Model model, LanestepOptimizer optimizer) {
        Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(optimizer));
        trainer.initialize(new Shape(1, 1, SIDE, SIDE));
        return trainer;
    }

    static ArrayDataset images(NDManager manager, long seed, int rows) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[rows * SIDE * SIDE];
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            int label = random.nextInt(CLASSES);
            y[r] = label;
            int top = label / 2 * SIDE / 2;
            int left = label % 2 * SIDE / 2;
            for (int i = 0; i < SIDE; i++) {
                for (int j = 0; j < SIDE; j++) {
                    boolean lit = i >= top + 2 && i < top + 6 && j >= left + 2 && j < left + 6;
                    x[(r * SIDE + i) * SIDE + j] = (lit ? 1f : 0f) + (float) random.nextDouble(-0.8, 0.8);
                }
            }
        }
        return new ArrayDataset.Builder()
                .setData(manager.create(x, new Shape(rows, 1, SIDE, SIDE)))
                .optLabels(manager.create(y, new Shape(rows)))
                .setSampling(BATCH, false)
                .build();
    }
}
