package io.lanestep.perf.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A model of the benchmark, the same in both stacks: an MLP with the given hidden layers, or the
 * CNN (two 3x3 convolutions of 16 and 32 filters, each with BatchNorm, ReLU and 2x2 max pooling,
 * then a dense layer of 64 and the output), whose passes cost far more per parameter.
 */
record Architecture(String name, int[] hidden, boolean convolutional) {
    static Architecture mlp(int... hidden) {
        StringBuilder name = new StringBuilder("MLP 784");
        for (int h : hidden) {
            name.append('-').append(h);
        }
        return new Architecture(name.append("-10").toString(), hidden, false);
    }

    static Architecture cnn() {
        return new Architecture("CNN conv16-conv32-64-10", new int[] {64}, true);
    }

    /** The shape of one example as the DJL block takes it. */
    Shape djlInput(long rows) {
        return convolutional ? new Shape(rows, 1, 28, 28) : new Shape(rows, FashionMnist.PIXELS);
    }

    SequentialBlock djlBlock() {
        SequentialBlock block = new SequentialBlock();
        if (convolutional) {
            for (int filters : new int[] {16, 32}) {
                block.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                                .setFilters(filters).build())
                        .add(BatchNorm.builder().build())
                        .add(Activation::relu)
                        .add(Pool.maxPool2dBlock(new Shape(2, 2)));
            }
            block.add(Blocks.batchFlattenBlock());
        }
        for (int h : hidden) {
            block.add(Linear.builder().setUnits(h).build()).add(Activation::relu);
        }
        return block.add(Linear.builder().setUnits(10).build());
    }

    MultiLayerNetwork dl4j(IUpdater updater) {
        return dl4j(updater, 1);
    }

    /** The network with its weights initialised from {@code seed}. */
    MultiLayerNetwork dl4j(IUpdater updater, long seed) {
        var list = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).updater(updater)
                .weightInit(WeightInit.XAVIER).list();
        int in = FashionMnist.PIXELS;
        if (convolutional) {
            int channels = 1;
            for (int filters : new int[] {16, 32}) {
                list.layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nIn(channels).nOut(filters)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build());
                list.layer(new BatchNormalization.Builder().nOut(filters)
                        .activation(org.nd4j.linalg.activations.Activation.RELU).build());
                list.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build());
                channels = filters;
            }
            in = 7 * 7 * 32;
        }
        for (int h : hidden) {
            list.layer(new DenseLayer.Builder().nIn(in).nOut(h).activation(org.nd4j.linalg.activations.Activation.RELU)
                    .build());
            in = h;
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(in).nOut(10)
                .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build());
        if (convolutional) {
            list.setInputType(InputType.convolutionalFlat(28, 28, 1));
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }
}
