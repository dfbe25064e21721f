package io.lanestep.djl;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The second half of {@link ResumeTest}, run in a JVM of its own: loads the model and the
 * optimizer state the test saved in directory {@code args[0]}, trains one more epoch, and writes
 * every parameter's floats to {@code args[0]/after.bin}.
 */
public final class ResumeRun {
    private ResumeRun() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        try (Model model = SmallCnn.model();
             LanestepOptimizer optimizer = SmallCnn.optimizer();
             NDManager manager = NDManager.newBaseManager()) {
            model.load(dir, "cnn");
            try (Trainer trainer = SmallCnn.trainer(model, optimizer)) {
                try (InputStream in = Files.newInputStream(dir.resolve("optimizer.lanestep"))) {
                    optimizer.restore(in, model.getBlock());
                }
                ArrayDataset data = SmallCnn.images(manager, ResumeTest.DATA_SEED, ResumeTest.ROWS);
                DjlTraining.fit(trainer, data, 1);
                try (OutputStream out = Files.newOutputStream(dir.resolve("after.bin"))) {
                    ResumeTest.writeParameters(model, new DataOutputStream(out));
                }
            }
        }
    }
}
