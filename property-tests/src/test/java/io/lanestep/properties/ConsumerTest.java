package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's project built against the engine's packaged jar on the plain classpath, not as a module:
 * {@code src/test/consumer/Consumer.java} compiles against the jar alone and its training loop
 * converges; the same program started without {@code --add-modules jdk.incubator.vector} gets one
 * error that names the flag.
 */
class ConsumerTest {
    @TempDir
    static Path dir;
    private static Path engineJar;
    private static Path classes;

    @BeforeAll
    static void compileAgainstTheJar() throws IOException {
        engineJar = Path.of(System.getProperty("engine.jar"));
        assertTrue(Files.isRegularFile(engineJar), "the engine jar is built before the tests: " + engineJar);
        classes = Files.createDirectories(dir.resolve("classes"));
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        int status = javac.run(System.out, System.err, "--release", "25", "--add-modules", "jdk.incubator.vector",
                "-Xlint:-incubating", "-cp", engineJar.toString(), "-d", classes.toString(),
                "src/test/consumer/Consumer.java");
        assertEquals(0, status, "the consumer compiles against the jar on the classpath");
    }

    @Test
    void stepsOnThePlainClasspath() throws Exception {
        Result r = run(true);
        assertEquals(0, r.status, r.output);
        String line = r.output.lines().filter(l -> l.startsWith("max |p - 3| = ")).findFirst().orElseThrow(
                () -> new AssertionError("no result line in: " + r.output));
        float worst = Float.parseFloat(line.substring("max |p - 3| = ".length()));
        assertTrue(worst < 0.05f, "Adam converged to the minimum, off by " + worst);
    }

    @Test
    void withoutTheVectorModuleOneErrorNamesTheFlag() throws Exception {
        Result r = run(false);
        assertNotEquals(0, r.status);
        assertTrue(r.output.contains("--add-modules jdk.incubator.vector"), r.output);
        assertFalse(r.output.contains("NoClassDefFoundError"), r.output);
    }

    private record Result(int status, String output) {
    }

    private static Result run(boolean vectorModule) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        if (vectorModule) {
            command.add("--add-modules=jdk.incubator.vector");
        }
        command.addAll(List.of("-cp", engineJar + File.pathSeparator + classes, "Consumer"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the consumer finished");
        return new Result(p.exitValue(), output);
    }
}
