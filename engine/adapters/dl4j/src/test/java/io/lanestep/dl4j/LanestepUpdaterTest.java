package io.lanestep.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Lanestep;
import io.lanestep.Optimizer;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingTrainer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** {@link LanestepUpdater} inside DL4J's own training entry points (DL4J/ND4J 1.0.0-M2.1). */
class LanestepUpdaterTest {
    private static final DataSet TEST = Dl4jNets.blobs(2, 600);
    private static final List<DataSet> TRAIN = Dl4jNets.batches(Dl4jNets.blobs(1, 1024), 32);

    /**
     * Where the fused step's last operation is {@code p + s}, DL4J subtracting the updater's
     * {@code -s} gives its bits; where it fuses its last multiply-add with {@code p}, each step may
     * differ by one rounding of the step, and no more.
     */
    @Test
    void fitGivesTheFusedStepsBitsWhereItsLastOperationIsAnAddition() {
        List<Optimizer> exact = List.of(Lanestep.adam().withLearningRate(1e-2), Lanestep.adamW().withWeightDecay(0),
                Lanestep.adamax(), Lanestep.adagrad(), Lanestep.rmsprop(), Lanestep.rprop(), Lanestep.lion());
        List<Optimizer> oneRounding = List.of(Lanestep.sgd().withLearningRate(0.05).withMomentum(0.9),
                Lanestep.adadelta(), Lanestep.nAdam(), Lanestep.rmsprop().withMomentum(0.9));
        for (Optimizer optimizer : java.util.stream.Stream.concat(exact.stream(), oneRounding.stream()).toList()) {
            MultiLayerNetwork dl4j = Dl4jNets.mlp(new LanestepUpdater(optimizer), 0, true, false);
            MultiLayerNetwork fused = Dl4jNets.mlp(new LanestepUpdater(optimizer), 0, true, false);
            assertArrayEquals(dl4j.params().toFloatVector(), fused.params().toFloatVector(), "the same start");
            try (LanestepTrainer trainer = LanestepTrainer.builder(fused).build()) {
                for (DataSet batch : TRAIN.subList(0, 12)) {
                    float[] before = fused.params().toFloatVector();
                    dl4j.fit(batch);
                    trainer.fit(batch);
                    float[] a = dl4j.params().toFloatVector();
                    float[] b = fused.params().toFloatVector();
                    for (int i = 0; i < a.length; i++) {
                        if (oneRounding.contains(optimizer)) {
                            float step = Math.abs(b[i] - before[i]);
                            assertTrue(Math.abs(a[i] - b[i]) <= Math.ulp(step) + Math.ulp(b[i]),
                                    optimizer + ": element " + i + " " + a[i] + " vs " + b[i]);
                        } else {
                            assertEquals(b[i], a[i], 0f, optimizer + ": element " + i);
                        }
                    }
                    // Later steps start from the fused parameters, so the bound holds per step.
                    dl4j.setParams(fused.params().dup());
                }
            }
        }
    }

    @Test
    void aModelZipWrittenMidRunResumesBitForBit(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = Dl4jNets.mlp(new LanestepUpdater(Lanestep.nAdam().withLearningRate(1e-2)), 0, true,
                false);
        TRAIN.subList(0, 10).forEach(net::fit);
        File zip = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(net, zip, true);
        TRAIN.subList(10, 20).forEach(net::fit);

        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        assertEquals(net.getLayerWiseConfigurations().getConf(0).getLayer() instanceof BaseLayer b
                ? b.getIUpdater() : null, ((BaseLayer) restored.getLayerWiseConfigurations().getConf(0).getLayer())
                .getIUpdater(), "the configuration JSON keeps the updater");
        TRAIN.subList(10, 20).forEach(restored::fit);
        assertArrayEquals(net.params().toFloatVector(), restored.params().toFloatVector());
        assertArrayEquals(net.getUpdater().getStateViewArray().toFloatVector(),
                restored.getUpdater().getStateViewArray().toFloatVector());
    }

    @Test
    void earlyStoppingTrainerTrainsWithIt() {
        MultiLayerNetwork net = Dl4jNets.mlp(new LanestepUpdater(Lanestep.adamW().withWeightDecay(0)
                .withLearningRate(1e-2)), 0, false, false);
        var config = new EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
                .epochTerminationConditions(new MaxEpochsTerminationCondition(3))
                .scoreCalculator(new DataSetLossCalculator(new ListDataSetIterator<>(List.of(TEST), 1), true))
                .modelSaver(new InMemoryModelSaver<>())
                .build();
        EarlyStoppingResult<MultiLayerNetwork> result = new EarlyStoppingTrainer(config, net,
                new ListDataSetIterator<>(TRAIN, 1)).fit();
        MultiLayerNetwork best = result.getBestModel();
        assertInstanceOf(LanestepUpdater.class, ((BaseLayer) best.getLayerWiseConfigurations().getConf(0).getLayer())
                .getIUpdater());
        assertTrue(Dl4jNets.accuracy(best, TEST) >= 0.9, "accuracy " + Dl4jNets.accuracy(best, TEST));
    }

    @Test
    void parallelWrapperTrainsWithItOnTwoWorkers() throws Exception {
        MultiLayerNetwork net = Dl4jNets.mlp(new LanestepUpdater(Lanestep.adam().withLearningRate(1e-2)), 0, false,
                false);
        try (ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net).workers(2).prefetchBuffer(4)
                .averagingFrequency(3).averageUpdaters(true).build()) {
            for (int epoch = 0; epoch < 3; epoch++) {
                wrapper.fit(new ListDataSetIterator<>(TRAIN, 1));
            }
        }
        assertTrue(Dl4jNets.accuracy(net, TEST) >= 0.9, "accuracy " + Dl4jNets.accuracy(net, TEST));
    }

    @Test
    void aComputationGraphTrainsAndResumesBitForBit(@TempDir Path dir) throws Exception {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7)
                .updater(new LanestepUpdater(Lanestep.adam().withLearningRate(1e-2))).weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(Dl4jNets.DIMS).nOut(32)
                        .activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32)
                        .nOut(Dl4jNets.CLASSES).activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        TRAIN.subList(0, 16).forEach(graph::fit);
        File zip = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(graph, zip, true);
        TRAIN.subList(16, 32).forEach(graph::fit);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(zip, true);
        TRAIN.subList(16, 32).forEach(restored::fit);
        assertArrayEquals(graph.params().toFloatVector(), restored.params().toFloatVector());
        var predicted = graph.outputSingle(TEST.getFeatures()).argMax(1);
        var wanted = TEST.getLabels().argMax(1);
        long right = 0;
        for (long i = 0; i < predicted.length(); i++) {
            right += predicted.getLong(i) == wanted.getLong(i) ? 1 : 0;
        }
        assertTrue(right >= 0.9 * predicted.length(), right + " of " + predicted.length());
    }

    @Test
    void theConfigurationSurvivesDl4jsJson() {
        LanestepUpdater updater = new LanestepUpdater(Lanestep.rAdam().withLearningRate(0.5).withEps(2e-3)
                .withMaximize(true).withNumerics(io.lanestep.Numerics.TORCH_2_FOREACH));
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(updater).list()
                .layer(new OutputLayer.Builder().nIn(3).nOut(2).build()).build();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        LanestepUpdater read = (LanestepUpdater) ((BaseLayer) back.getConf(0).getLayer()).getIUpdater();
        assertEquals(updater, read);
        assertEquals(updater.optimizer(), read.optimizer());
    }

    @Test
    void netFitRefusesConfigurationsThatReadTheParametersAndWritesNothing() {
        for (Optimizer optimizer : List.<Optimizer>of(Lanestep.adamW().withLearningRate(1e-2), Lanestep.lars(0.1))) {
            MultiLayerNetwork net = Dl4jNets.mlp(new LanestepUpdater(optimizer), 0, false, false);
            float[] before = net.params().toFloatVector();
            var refused = assertThrows(IllegalStateException.class, () -> net.fit(TRAIN.get(0)));
            assertTrue(refused.getMessage().contains("LanestepTrainer.builder(net)"), refused.getMessage());
            assertArrayEquals(before, net.params().toFloatVector(), "parameters written");
            try (LanestepTrainer trainer = LanestepTrainer.builder(net).build()) {
                TRAIN.subList(0, 20).forEach(trainer::fit);
            }
            assertTrue(!java.util.Arrays.equals(before, net.params().toFloatVector()),
                    "the trainer steps " + optimizer);
        }
    }
}
