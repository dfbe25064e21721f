package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Checkpoint;
import io.lanestep.Floats;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Example;

/**
 * A JVM killed (SIGKILL) at many points while it saves checkpoints never leaves one that restores
 * to wrong values: the file is always a complete old or new checkpoint.
 */
class CheckpointCrashTest {
    private static final int KILLS = 16;

    @Example
    void killsDuringSavesNeverLeaveAMixedCheckpoint() throws Exception {
        Path dir = TempDirs.create("crash");
        Path file = dir.resolve("model.ckpt");
        String java = ProcessHandle.current().info().command().orElse("java");
        SplittableRandom random = new SplittableRandom(11);
        int restored = 0;
        long lastStep = 0;
        for (int k = 0; k < KILLS; k++) {
            Process writer = new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "-cp",
                    System.getProperty("java.class.path"), CheckpointWriter.class.getName(), file.toString())
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream()));
            String line;
            while ((line = out.readLine()) != null && !line.equals("saved")) {
                // the incubator warning and the writer's set-up come first; then one whole save
            }
            Thread.sleep(random.nextInt(0, 200));
            writer.destroyForcibly();
            assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "the writer did not die");
            assertTrue(Files.exists(file), "kill " + k + " came after a whole save, yet no checkpoint exists");
            try (Arena arena = Arena.ofConfined()) {
                Sgd sgd = CheckpointWriter.SGD;
                List<OptimizerState> states = List.of(sgd.newState(CheckpointWriter.LENGTH, arena),
                        sgd.newState(CheckpointWriter.LENGTH / 3, arena));
                Checkpoint.restore(file, sgd, states);
                for (OptimizerState s : states) {
                    long step = s.step();
                    assertEquals(states.get(0).step(), step, "blocks saved at different steps");
                    float[] buffer = Floats.toArray(s.slot(Sgd.MOMENTUM_BUFFER));
                    for (int i = 0; i < buffer.length; i++) {
                        if (buffer[i] != step) {
                            throw new AssertionError("kill " + k + ": buffer[" + i + "] = " + buffer[i]
                                    + " in a checkpoint of step " + step);
                        }
                    }
                }
                lastStep = states.get(0).step();
                restored++;
            }
        }
        assertEquals(KILLS, restored);
        assertTrue(lastStep > 0);
        // A kill during a save leaves its temporary file behind: proof that kills hit writes in progress.
        try (var files = Files.list(dir)) {
            long interrupted = files.filter(f -> f.toString().endsWith(".tmp")).count();
            assertTrue(interrupted > 0, "no kill landed during a save; the test did not test anything");
        }
    }
}
