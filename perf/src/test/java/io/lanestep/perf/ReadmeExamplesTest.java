package io.lanestep.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java program in the top-level README, copied out verbatim, compiles against the
 * libraries as a user's project sees them (the engine, the adapters and the stacks on the class
 * path) and runs to a clean exit with the JVM flags the README gives; where the README says what a
 * program prints, it prints that.
 */
class ReadmeExamplesTest {
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("public class (\\w+)");
    private static final Pattern PRINTS = Pattern.compile("It prints `([^`]+)`");

    @TempDir
    static Path dir;

    static List<String> programs(String readme) {
        List<String> programs = new ArrayList<>();
        Matcher m = BLOCK.matcher(readme);
        while (m.find()) {
            programs.add(m.group(1));
        }
        return programs;
    }

    @TestFactory
    Stream<DynamicTest> everyJavaProgramCompilesAndRuns() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> programs = programs(readme);
        assertTrue(programs.size() >= 3, "the README's first example, DJL and DL4J programs: found " + programs.size());
        Matcher prints = PRINTS.matcher(readme);
        String printed = prints.find() ? prints.group(1) : null;
        return programs.stream().map(source -> {
            Matcher name = CLASS.matcher(source);
            assertTrue(name.find(), "every java block of the README is a whole program:\n" + source);
            return DynamicTest.dynamicTest(name.group(1), () -> {
                String output = compileAndRun(name.group(1), source);
                if (name.group(1).equals("FirstSteps")) {
                    assertTrue(printed != null && output.contains(printed),
                            "the README says the first example prints `" + printed + "`; it printed:\n" + output);
                }
            });
        });
    }

    private static String compileAndRun(String name, String source) throws Exception {
        Path project = Files.createDirectories(dir.resolve(name));
        Files.writeString(project.resolve(name + ".java"), source);
        String classPath = System.getProperty("java.class.path");
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        int status = javac.run(System.out, System.err, "--release", "25", "-proc:none", "-cp", classPath,
                "-d", project.toString(), project.resolve(name + ".java").toString());
        assertEquals(0, status, name + " compiles against the class path alone, without JVM flags");
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", project + java.io.File.pathSeparator + classPath, name);
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true);
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.environment().put("DJL_OFFLINE", "true");
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), name + " ended");
        assertEquals(0, p.exitValue(), name + " exits cleanly:\n" + output);
        return output;
    }
}
