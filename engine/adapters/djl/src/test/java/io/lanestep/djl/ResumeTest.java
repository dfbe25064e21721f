package io.lanestep.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import io.lanestep.CheckpointException;
import io.lanestep.OptimizerState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run stopped and resumed in a new JVM goes on bit for bit: a CNN trained one epoch,
 * saved (model and optimizer), loaded by {@link ResumeRun} in a JVM of its own and trained one more
 * epoch ends with the parameters of two uninterrupted epochs.
 */
class ResumeTest {
    static final long DATA_SEED = 11;
    static final int ROWS = 512;

    @Test
    void aRunResumedInANewJvmEndsAsTheUninterruptedOne(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream uninterrupted = new ByteArrayOutputStream();
        try (Model model = SmallCnn.model();
             LanestepOptimizer optimizer = SmallCnn.optimizer();
             NDManager manager = NDManager.newBaseManager();
             Trainer trainer = SmallCnn.trainer(model, optimizer)) {
            ArrayDataset data = SmallCnn.images(manager, DATA_SEED, ROWS);
            DjlTraining.fit(trainer, data, 1);
            model.save(dir, "cnn");
            try (OutputStream out = Files.newOutputStream(dir.resolve("optimizer.lanestep"))) {
                optimizer.save(out, model.getBlock());
            }
            DjlTraining.fit(trainer, data, 1);
            writeParameters(model, new DataOutputStream(uninterrupted));
        }

        Process child = new ProcessBuilder(javaCommand(ResumeRun.class.getName(), dir.toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile())
                .start();
        assertTrue(child.waitFor(5, TimeUnit.MINUTES), "the resumed run did not end in 5 minutes");
        assertEquals(0, child.exitValue(), () -> "the resumed run failed:\n" + log(dir));
        byte[] resumed = Files.readAllBytes(dir.resolve("after.bin"));
        assertTrue(resumed.length > 4 * 1000, "too few parameters written: " + resumed.length + " bytes");
        assertArrayEquals(uninterrupted.toByteArray(), resumed,
                "resumed parameters differ from the uninterrupted run's");
    }

    @Test
    void stateSavedForAnotherModelIsRefusedAndNothingIsKept() throws Exception {
        byte[] saved;
        try (Model model = SmallCnn.model();
             LanestepOptimizer optimizer = SmallCnn.optimizer();
             NDManager manager = NDManager.newBaseManager();
             Trainer trainer = SmallCnn.trainer(model, optimizer)) {
            DjlTraining.fit(trainer, SmallCnn.images(manager, DATA_SEED, 64), 1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            optimizer.save(out, model.getBlock());
            saved = out.toByteArray();
        }
        try (Model mlp = DjlTraining.mlp(8, 16, 3);
             LanestepOptimizer optimizer = SmallCnn.optimizer();
             Trainer trainer = DjlTraining.trainer(mlp, optimizer, 8)) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> optimizer.restore(new ByteArrayInputStream(saved), mlp.getBlock()));
            assertTrue(e.getMessage().contains("this block does not have"), e.getMessage());
            assertTrue(optimizer.states().isEmpty(), "a state was kept");
        }
        try (Model model = SmallCnn.model();
             LanestepOptimizer optimizer = SmallCnn.optimizer();
             Trainer trainer = SmallCnn.trainer(model, optimizer)) {
            for (int cut : new int[] {5, 40, saved.length / 2, saved.length - 1}) {
                byte[] truncated = Arrays.copyOf(saved, cut);
                assertThrows(CheckpointException.class,
                        () -> optimizer.restore(new ByteArrayInputStream(truncated), model.getBlock()),
                        "cut at " + cut);
                assertTrue(optimizer.states().isEmpty(), "a state was kept from a stream cut at " + cut);
            }
            optimizer.restore(new ByteArrayInputStream(saved), model.getBlock());
            assertFalse(optimizer.states().isEmpty());
            for (OptimizerState s : optimizer.states().values()) {
                assertEquals(2, s.step(), "64 rows of batch 32: two steps");
            }
            IllegalStateException again = assertThrows(IllegalStateException.class,
                    () -> optimizer.restore(new ByteArrayInputStream(saved), model.getBlock()));
            assertTrue(again.getMessage().contains("restore into a new one"), again.getMessage());
        }
    }

    /** Every parameter's name and floats, in the block's order (running statistics included). */
    static void writeParameters(Model model, DataOutputStream out) throws IOException {
        for (var entry : model.getBlock().getParameters()) {
            Parameter p = entry.getValue();
            out.writeUTF(entry.getKey());
            for (float f : p.getArray().toFloatArray()) {
                out.writeInt(Float.floatToRawIntBits(f));
            }
        }
        out.flush();
    }

    /** This JVM's java, class path and module flags, running {@code main} with {@code args}. */
    private static List<String> javaCommand(String main, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        return command;
    }

    private static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("child.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
