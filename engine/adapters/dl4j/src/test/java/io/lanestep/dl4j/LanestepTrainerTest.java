package io.lanestep.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adam;
import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.Group;
import io.lanestep.Muon;
import io.lanestep.NonFinite;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import io.lanestep.SignalToNoiseSgd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** The trainer inside DL4J/ND4J 1.0.0-M2.1 (OMP_NUM_THREADS=1). */
class LanestepTrainerTest {

    @Test
    void trainsADl4jNetwork() {
        DataSet test = Dl4jNets.blobs(2, 600);
        List<DataSet> train = Dl4jNets.batches(Dl4jNets.blobs(1, 1200), 32);
        for (var lanestep : List.of(new Adam(1e-2, 0.9, 0.999, 1e-8, 0, false, false),
                new Sgd(0.05, 0.9, 0, 0, false, false), SignalToNoiseSgd.defaults(32))) {
            MultiLayerNetwork net = Dl4jNets.mlp(new NoOp(), 0, false, false);
            double before = Dl4jNets.accuracy(net, test);
            try (LanestepTrainer trainer = LanestepTrainer.builder(net, lanestep).build()) {
                for (int epoch = 0; epoch < 4; epoch++) {
                    train.forEach(trainer::fit);
                }
                assertEquals(4 * train.size(), net.getIterationCount());
                assertEquals(4, trainer.states().size(), "one state per weight and bias");
            }
            double after = Dl4jNets.accuracy(net, test);
            assertTrue(after >= 0.9, lanestep + ": accuracy " + after + " (untrained " + before + ")");
        }
    }

    /** DL4J's own parameter views read back the engine's step over the gradient DL4J computed. */
    @Test
    void writesDl4jsFlatViewWithMinibatchDivisionAndL2() {
        DataSet batch = Dl4jNets.blobs(3, 48);
        Sgd sgd = new Sgd(0.1, 0.9, 0, 0, true, false);
        MultiLayerNetwork net = Dl4jNets.mlp(new NoOp(), 1e-3, false, false);
        try (LanestepTrainer trainer = LanestepTrainer.builder(net, sgd).build();
             Arena arena = Arena.ofConfined();
             Engine engine = Engine.create()) {
            float[] expected = net.params().toFloatVector();
            List<Group> groups = new ArrayList<>();
            List<OptimizerState> states = new ArrayList<>();
            for (int step = 0; step < 3; step++) {
                net.setInput(batch.getFeatures());
                net.setLabels(batch.getLabels());
                net.computeGradientAndScore();
                float[] gradient = net.getFlattenedGradients().toFloatVector();
                groups.clear();
                long offset = 0;
                int index = 0;
                for (var param : net.paramTable().entrySet()) {
                    int length = (int) param.getValue().length();
                    boolean bias = param.getKey().endsWith("_b");
                    if (step == 0) {
                        states.add(sgd.newState(length, arena));
                    }
                    // DL4J's l2() reaches weights only (l2Bias is separate, 0 here).
                    Sgd config = bias ? sgd : new Sgd(0.1, 0.9, 0, 1e-3, true, false);
                    groups.add(new Group(config, List.of(new Block(states.get(index++),
                            MemorySegment.ofArray(expected).asSlice(offset * 4, length * 4L),
                            MemorySegment.ofArray(gradient).asSlice(offset * 4, length * 4L)))));
                    offset += length;
                }
                engine.step(groups, NonFinite.PROPAGATE, (float) (1.0 / 48));
                trainer.fit(batch);
                assertArrayEquals(expected, net.params().toFloatVector(), "step " + step);
            }
            float[] weights = flat(net, "0_W");
            float[] flat = net.params().toFloatVector();
            assertArrayEquals(java.util.Arrays.copyOf(flat, weights.length), weights, "the layer's own view");
        }
    }

    /**
     * {@code builder(net, muon, forOthers)}: each weight matrix steps with Muon as the row-major
     * matrix its 'f'-ordered [nIn, nOut] range is ([nOut, nIn], torch's layout), every bias with the
     * other optimizer; each step's parameters equal the engine's on copies.
     */
    @Test
    void stepsWeightMatricesWithMuonAndBiasesWithTheOther() {
        DataSet batch = Dl4jNets.blobs(3, 48);
        Muon muon = Muon.defaults().withLearningRate(0.02);
        Adam adam = Adam.defaults();
        MultiLayerNetwork net = Dl4jNets.mlp(new NoOp(), 0, false, false);
        try (LanestepTrainer trainer = LanestepTrainer.builder(net, muon, adam).build();
             Arena arena = Arena.ofConfined();
             Engine engine = Engine.create()) {
            float[] expected = net.params().toFloatVector();
            List<OptimizerState> states = new ArrayList<>();
            for (int step = 0; step < 3; step++) {
                net.setInput(batch.getFeatures());
                net.setLabels(batch.getLabels());
                net.computeGradientAndScore();
                float[] gradient = net.getFlattenedGradients().toFloatVector();
                List<Group> groups = new ArrayList<>();
                long offset = 0;
                int index = 0;
                for (var param : net.paramTable().entrySet()) {
                    int length = (int) param.getValue().length();
                    long[] shape = param.getValue().shape();
                    boolean weight = param.getKey().endsWith("_W");
                    if (step == 0) {
                        assertEquals('f', param.getValue().ordering(), param.getKey());
                        states.add(weight ? muon.newState(shape[1], shape[0], arena) : adam.newState(length, arena));
                    }
                    groups.add(new Group(weight ? muon : adam, List.of(new Block(states.get(index++),
                            MemorySegment.ofArray(expected).asSlice(offset * 4, length * 4L),
                            MemorySegment.ofArray(gradient).asSlice(offset * 4, length * 4L)))));
                    offset += length;
                }
                engine.step(groups, NonFinite.PROPAGATE, (float) (1.0 / 48));
                trainer.fit(batch);
                assertArrayEquals(expected, net.params().toFloatVector(), "step " + step);
            }
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> LanestepTrainer.builder(Dl4jNets.mlp(new NoOp(), 0, false, false), muon).build());
        assertTrue(e.getMessage().contains("builder(net, muon, forOthers)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LanestepUpdater(muon));
        assertTrue(e.getMessage().contains("LanestepTrainer.builder(net, muon, forOthers)"), e.getMessage());
    }

    /**
     * A HALF network steps in place in fp16: each step's parameters equal the engine's over fp16
     * copies of DL4J's gradient, with float32 state and with float32 master weights; and it trains.
     */
    @Test
    void stepsAHalfNetworkInFp16() {
        DataSet batch = half(Dl4jNets.blobs(3, 48));
        Adam adam = new Adam(1e-2, 0.9, 0.999, 1e-8, 0, false, false);
        for (boolean master : new boolean[] {false, true}) {
            MultiLayerNetwork net = Dl4jNets.mlp(new NoOp(), 0, false, false, DataType.HALF);
            Formats formats = new Formats(Format.FP16, Format.FP16, Format.FP32, master);
            try (LanestepTrainer trainer = LanestepTrainer.builder(net, adam).masterWeights(master).build();
                 Arena arena = Arena.ofConfined();
                 Engine engine = Engine.create()) {
                MemorySegment expected = fp16(arena, net.params().castTo(DataType.FLOAT).toFloatVector());
                List<OptimizerState> states = new ArrayList<>();
                for (int step = 0; step < 3; step++) {
                    net.setInput(batch.getFeatures());
                    net.setLabels(batch.getLabels());
                    net.computeGradientAndScore();
                    MemorySegment gradient = fp16(arena, net.getFlattenedGradients().castTo(DataType.FLOAT).toFloatVector());
                    List<Group> groups = new ArrayList<>();
                    long offset = 0;
                    int index = 0;
                    for (var param : net.paramTable().entrySet()) {
                        long length = param.getValue().length();
                        if (step == 0) {
                            states.add(adam.newState(length, arena, formats));
                        }
                        groups.add(new Group(adam, List.of(new Block(states.get(index++),
                                expected.asSlice(offset * 2, length * 2), gradient.asSlice(offset * 2, length * 2)))));
                        offset += length;
                    }
                    engine.step(groups, NonFinite.PROPAGATE, (float) (1.0 / 48));
                    trainer.fit(batch);
                    float[] own = net.params().castTo(DataType.FLOAT).toFloatVector();
                    for (int i = 0; i < own.length; i++) {
                        assertEquals(Format.FP16.get(expected, i), own[i], "master " + master + " step " + step
                                + " element " + i);
                    }
                }
                assertEquals(formats, trainer.states().get("0_W").formats());
                DataSet test = half(Dl4jNets.blobs(2, 600));
                for (int epoch = 0; epoch < 4; epoch++) {
                    Dl4jNets.batches(half(Dl4jNets.blobs(1, 1200)), 32).forEach(trainer::fit);
                }
                double accuracy = Dl4jNets.accuracy(net, test);
                assertTrue(accuracy >= 0.9, "master " + master + ": accuracy " + accuracy);
            }
        }
    }

    private static DataSet half(DataSet data) {
        return new DataSet(data.getFeatures().castTo(DataType.HALF), data.getLabels().castTo(DataType.HALF));
    }

    private static MemorySegment fp16(Arena arena, float[] values) {
        MemorySegment s = arena.allocate(values.length * 2L, 64);
        for (int i = 0; i < values.length; i++) {
            Format.FP16.set(s, i, values[i]);
        }
        return s;
    }

    /**
     * Lanestep's epsilon-hat Adam against ND4J's Adam updater, each step judged alone (parameters
     * reset to DL4J's before it). ND4J computes the step size's {@code beta^t} in float32, so
     * {@code 1 - beta2^t} loses bits to cancellation: its step size is off by up to
     * {@code 2^-24/(1 - beta^t)} relative per beta (1.5e-5 at step 2, falling as t grows), where
     * Lanestep's, from doubles, is correctly rounded. The bound is that, plus two ULP of the update
     * (ND4J forms {@code g*g*(1-beta2)} in another order) and the final rounding.
     */
    @Test
    void epsilonHatAdamIsDl4jsAdamToTwoUlpOfTheUpdate() {
        List<DataSet> train = Dl4jNets.batches(Dl4jNets.blobs(1, 1600), 32);
        MultiLayerNetwork own = Dl4jNets.mlp(new org.nd4j.linalg.learning.config.Adam(1e-2), 0, false, false);
        MultiLayerNetwork ours = Dl4jNets.mlp(new NoOp(), 0, false, false);
        long identical = 0;
        long total = 0;
        try (LanestepTrainer trainer = LanestepTrainer.builder(ours, Adam.epsilonHat(1e-2f, 0.9f, 0.999f, 1e-8f))
                .build()) {
            for (int step = 0; step < train.size(); step++) {
                float[] before = own.params().toFloatVector();
                ours.params().assign(own.params());
                own.fit(train.get(step));
                trainer.fit(train.get(step));
                float[] theirs = own.params().toFloatVector();
                float[] mine = ours.params().toFloatVector();
                double t = step + 1;
                double stepSizeError = 0x1p-24 / (1 - Math.pow(0.999f, t)) + 0x1p-24 / (1 - Math.pow(0.9f, t));
                for (int i = 0; i < mine.length; i++) {
                    double update = (double) before[i] - theirs[i];
                    double bound = 2 * Math.ulp((float) update) + Math.ulp(theirs[i]) + Math.abs(update) * stepSizeError;
                    assertTrue(Math.abs((double) mine[i] - theirs[i]) <= bound, "step " + step + " element " + i
                            + ": DL4J " + theirs[i] + ", Lanestep " + mine[i] + " from " + before[i]);
                    identical += mine[i] == theirs[i] ? 1 : 0;
                }
                total += mine.length;
            }
        }
        System.out.printf("epsilon-hat vs DL4J's Adam: %d of %d weight updates bit-identical (%.2f%%)%n",
                identical, total, 100.0 * identical / total);
    }

    @Test
    void batchNormStatisticsMoveAsDl4jMovesThemAndFrozenLayersStay() {
        DataSet batch = Dl4jNets.blobs(4, 64);
        MultiLayerNetwork own = Dl4jNets.mlp(new org.nd4j.linalg.learning.config.Adam(1e-2), 0, true, true);
        MultiLayerNetwork ours = Dl4jNets.mlp(new NoOp(), 0, true, true);
        float[] frozen = flat(ours, "0_W");
        float[] meanBefore = flat(ours, "1_mean");
        try (LanestepTrainer trainer = LanestepTrainer.builder(ours, Adam.epsilonHat(1e-2f, 0.9f, 0.999f, 1e-8f))
                .build()) {
            for (int step = 0; step < 3; step++) {
                own.fit(batch);
                trainer.fit(batch);
            }
            assertEquals(4, trainer.states().size(), "BatchNorm's gamma, beta and the output layer's W, b");
        }
        assertArrayEquals(frozen, flat(ours, "0_W"), "frozen layer untouched");
        assertNotEquals(meanBefore[0], flat(ours, "1_mean")[0], "running mean moved");
        // The running variance is "1_var" or, by default in M2.1, its log "1_log10stdev".
        List<String> statistics = ours.paramTable().keySet().stream()
                .filter(k -> k.startsWith("1_") && !k.endsWith("gamma") && !k.endsWith("beta")).toList();
        assertEquals(2, statistics.size(), statistics.toString());
        for (String key : statistics) {
            assertArrayEquals(flat(own, key), flat(ours, key), key + " as DL4J moves it");
        }
    }

    @Test
    void closedNetworkOrTrainerGivesACleanException() {
        DataSet batch = Dl4jNets.blobs(5, 32);
        MultiLayerNetwork net = Dl4jNets.mlp(new NoOp(), 0, false, false);
        LanestepTrainer trainer = LanestepTrainer.builder(net, Adam.defaults()).build();
        trainer.fit(batch);
        trainer.close();
        var closed = assertThrows(IllegalStateException.class, () -> trainer.fit(batch));
        assertTrue(closed.getMessage().contains("LanestepTrainer is closed"), closed.getMessage());

        MultiLayerNetwork other = Dl4jNets.mlp(new NoOp(), 0, false, false);
        try (LanestepTrainer live = LanestepTrainer.builder(other, Adam.defaults()).build()) {
            live.fit(batch);
            other.close();
            var gone = assertThrows(IllegalStateException.class, () -> live.fit(batch));
            assertTrue(gone.getMessage().contains("were closed"), gone.getMessage());
        }
    }

    private static float[] flat(MultiLayerNetwork net, String key) {
        return Nd4j.toFlattened('f', net.getParam(key)).toFloatVector();
    }

    @Test
    void refusesWhatItDoesNotSupport() {
        var l1 = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().l1(1e-3).updater(new NoOp())
                .dataType(org.nd4j.linalg.api.buffer.DataType.FLOAT).list()
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(4).nOut(2).build()).build();
        MultiLayerNetwork net = new MultiLayerNetwork(l1);
        net.init();
        var e = assertThrows(IllegalArgumentException.class, () -> LanestepTrainer.builder(net, Adam.defaults()).build());
        assertTrue(e.getMessage().contains("L1Regularization is not supported"), e.getMessage());
        MultiLayerNetwork decayed = Dl4jNets.mlp(new NoOp(), 1e-3, false, false);
        var twice = assertThrows(IllegalArgumentException.class, () -> LanestepTrainer.builder(decayed,
                new Adam(1e-3, 0.9, 0.999, 1e-8, 0.01, false, false)).build());
        assertTrue(twice.getMessage().contains("set L2 in one place"), twice.getMessage());
    }
}
