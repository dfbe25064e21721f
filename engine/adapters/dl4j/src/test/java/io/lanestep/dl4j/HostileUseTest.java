package io.lanestep.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Lanestep;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The DL4J adapters under misuse: an updater state view that fits no state, a layer setting the
 * fused trainer cannot follow, and a network whose LanestepUpdater a trainer with its own
 * configuration would ignore. Each is a clear exception naming the fix, with nothing written.
 */
class HostileUseTest {
    @Test
    void anUpdaterStateViewThatFitsNoStateIsRefused() {
        LanestepUpdater adam = new LanestepUpdater(Lanestep.adam());
        INDArray odd = Nd4j.create(DataType.FLOAT, 7);
        var e = assertThrows(IllegalArgumentException.class, () -> adam.instantiate(odd, true));
        assertTrue(e.getMessage().contains("7 elements, not 2 slots") && e.getMessage().contains("another updater"),
                e.getMessage());

        INDArray view = Nd4j.create(DataType.FLOAT, 8);
        GradientUpdater<?> updater = adam.instantiate(view, true);
        INDArray gradient = Nd4j.rand(DataType.FLOAT, 5);
        float[] before = gradient.toFloatVector();
        var wrong = assertThrows(IllegalStateException.class, () -> updater.applyUpdater(gradient, 0, 0));
        assertTrue(wrong.getMessage().contains("updater state view holds"), wrong.getMessage());
        assertArrayEquals(before, gradient.toFloatVector(), "a refused update wrote the gradient");
        assertArrayEquals(new float[8], view.toFloatVector(), "a refused update wrote the state");
    }

    @Test
    void aLayerSettingTheFusedTrainerCannotFollowIsRefusedNamingIt() {
        var conf = new NeuralNetConfiguration.Builder().updater(new LanestepUpdater(Lanestep.adam()))
                .dataType(DataType.FLOAT).list()
                .layer(new OutputLayer.Builder().nIn(4).nOut(2)
                        .gradientNormalization(GradientNormalization.ClipL2PerLayer).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        float[] before = net.params().toFloatVector();
        var e = assertThrows(IllegalArgumentException.class, () -> LanestepTrainer.builder(net).build());
        assertTrue(e.getMessage().contains("gradient normalization ClipL2PerLayer")
                && e.getMessage().contains("remove it"), e.getMessage());
        assertArrayEquals(before, net.params().toFloatVector());
    }

    @Test
    void aTrainerWithItsOwnConfigurationRefusesANetworkConfiguredWithLanestepUpdater() {
        MultiLayerNetwork net = Dl4jNets.mlp(new LanestepUpdater(Lanestep.adam()), 0, false, false);
        float[] before = net.params().toFloatVector();
        float[] state = net.getUpdater().getStateViewArray().toFloatVector();
        var e = assertThrows(IllegalArgumentException.class,
                () -> LanestepTrainer.builder(net, Lanestep.adam()).build());
        assertTrue(e.getMessage().contains("LanestepUpdater") && e.getMessage().contains("would ignore")
                && e.getMessage().contains("LanestepTrainer.builder(net)"), e.getMessage());
        assertArrayEquals(before, net.params().toFloatVector());
        assertArrayEquals(state, net.getUpdater().getStateViewArray().toFloatVector());
        // And the other way round: a NoOp network has no LanestepUpdater for builder(net) to follow.
        MultiLayerNetwork noOp = Dl4jNets.mlp(new NoOp(), 0, false, false);
        var none = assertThrows(IllegalArgumentException.class, () -> LanestepTrainer.builder(noOp).build());
        assertTrue(none.getMessage().contains("not a LanestepUpdater"), none.getMessage());
    }
}
