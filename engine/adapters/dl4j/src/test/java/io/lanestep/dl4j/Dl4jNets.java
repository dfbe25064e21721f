package io.lanestep.dl4j;

import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small DL4J networks and a generated classification set (Gaussian blobs), so no dataset is needed. */
final class Dl4jNets {
    static final int DIMS = 10;
    static final int CLASSES = 3;

    private Dl4jNets() {
    }

    static MultiLayerNetwork mlp(IUpdater updater, double l2, boolean batchNorm, boolean frozenFirst) {
        return mlp(updater, l2, batchNorm, frozenFirst, DataType.FLOAT);
    }

    static MultiLayerNetwork mlp(IUpdater updater, double l2, boolean batchNorm, boolean frozenFirst, DataType type) {
        var builder = new NeuralNetConfiguration.Builder().seed(7).dataType(type).updater(updater)
                .weightInit(WeightInit.XAVIER);
        if (l2 != 0) {
            builder.l2(l2);
        }
        var list = builder.list();
        DenseLayer first = new DenseLayer.Builder().nIn(DIMS).nOut(32).activation(Activation.RELU).build();
        list.layer(frozenFirst ? new FrozenLayer(first) : first);
        if (batchNorm) {
            list.layer(new BatchNormalization.Builder().nIn(32).nOut(32).build());
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32).nOut(CLASSES)
                .activation(Activation.SOFTMAX).build());
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static DataSet blobs(long seed, int rows) {
        SplittableRandom centres = new SplittableRandom(42);
        float[][] centre = new float[CLASSES][DIMS];
        for (float[] c : centre) {
            for (int d = 0; d < DIMS; d++) {
                c[d] = (float) centres.nextDouble(-2, 2);
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[rows][DIMS];
        float[][] y = new float[rows][CLASSES];
        for (int r = 0; r < rows; r++) {
            int label = random.nextInt(CLASSES);
            y[r][label] = 1;
            for (int d = 0; d < DIMS; d++) {
                double gaussian = Math.sqrt(-2 * Math.log(1 - random.nextDouble()))
                        * Math.cos(2 * Math.PI * random.nextDouble());
                x[r][d] = centre[label][d] + (float) gaussian;
            }
        }
        return new DataSet(Nd4j.create(x), Nd4j.create(y));
    }

    static List<DataSet> batches(DataSet all, int size) {
        return all.batchBy(size);
    }

    static double accuracy(MultiLayerNetwork net, DataSet test) {
        INDArray predicted = net.output(test.getFeatures()).argMax(1);
        INDArray wanted = test.getLabels().argMax(1);
        long right = 0;
        for (long i = 0; i < predicted.length(); i++) {
            right += predicted.getLong(i) == wanted.getLong(i) ? 1 : 0;
        }
        return (double) right / predicted.length();
    }
}
