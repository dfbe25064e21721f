package io.lanestep.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Lanestep;
import io.lanestep.Optimizer;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * {@link LanestepTrainer#builder(MultiLayerNetwork)} and {@code net.fit} with a {@link LanestepUpdater}
 * share one state, DL4J's updater view: either goes on from the other, and the model zip holds it.
 */
class UpdaterStateTest {
    private static final List<DataSet> TRAIN = Dl4jNets.batches(Dl4jNets.blobs(5, 640), 32);

    @Test
    void netFitAndTheTrainerGoOnFromEachOthersState(@TempDir Path dir) throws Exception {
        Optimizer adam = Lanestep.adam().withLearningRate(1e-2);
        MultiLayerNetwork mixed = Dl4jNets.mlp(new LanestepUpdater(adam), 0, true, false);
        MultiLayerNetwork fused = Dl4jNets.mlp(new LanestepUpdater(adam), 0, true, false);
        try (LanestepTrainer trainer = LanestepTrainer.builder(fused).build()) {
            TRAIN.forEach(trainer::fit);
        }

        TRAIN.subList(0, 5).forEach(mixed::fit);
        try (LanestepTrainer trainer = LanestepTrainer.builder(mixed).build()) {
            TRAIN.subList(5, 10).forEach(trainer::fit);
        }
        File zip = dir.resolve("mid.zip").toFile();
        ModelSerializer.writeModel(mixed, zip, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        TRAIN.subList(10, 15).forEach(restored::fit);
        try (LanestepTrainer trainer = LanestepTrainer.builder(restored).build()) {
            TRAIN.subList(15, TRAIN.size()).forEach(trainer::fit);
        }
        assertArrayEquals(fused.params().toFloatVector(), restored.params().toFloatVector());
        assertArrayEquals(fused.getUpdater().getStateViewArray().toFloatVector(),
                restored.getUpdater().getStateViewArray().toFloatVector());
    }

    @Test
    void aConfiguredUpdaterTheTrainerWouldIgnoreIsRefused(@TempDir Path dir) throws Exception {
        MultiLayerNetwork dl4jAdam = Dl4jNets.mlp(new Adam(1e-3), 0, false, false);
        dl4jAdam.fit(TRAIN.get(0));
        File zip = dir.resolve("adam.zip").toFile();
        ModelSerializer.writeModel(dl4jAdam, zip, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        float[] before = restored.params().toFloatVector();

        var own = assertThrows(IllegalArgumentException.class, () -> LanestepTrainer.builder(restored).build());
        assertTrue(own.getMessage().contains("DL4J's Adam updater") && own.getMessage().contains("LanestepUpdater"),
                own.getMessage());
        var given = assertThrows(IllegalArgumentException.class,
                () -> LanestepTrainer.builder(restored, Lanestep.adam()).build());
        assertTrue(given.getMessage().contains("would ignore") && given.getMessage().contains("NoOp"),
                given.getMessage());
        assertArrayEquals(before, restored.params().toFloatVector(), "parameters written");
    }
}
