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
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java program in the top-level README, copied out verbatim, builds and runs in a fresh Maven
 * project whose dependencies and plugins are the README's XML lines, also verbatim: the project a
 * user makes by following the README. This build's jars stand in for the published ones (copied
 * into the consumer's own local repository, as {@code mvn install} would put them); everything else
 * resolves as it would for the user, read from this build's local repository where it is there.
 * Where the README says what a program prints, it prints that.
 */
class ReadmeExamplesTest {
    private static final Pattern JAVA = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern XML = Pattern.compile("```xml\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("public class (\\w+)");
    private static final Pattern PRINTS = Pattern.compile("It prints `([^`]+)`");
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String VERSION = System.getProperty("lanestep.version", "0.1.0-SNAPSHOT");

    /** The consumer's own project: only what any Java 25 project has; the README supplies the rest. */
    private static final String POM = """
            <project xmlns="http://maven.apache.org/POM/4.0.0">
              <modelVersion>4.0.0</modelVersion>
              <groupId>com.example</groupId>
              <artifactId>%s</artifactId>
              <version>1</version>
              <properties>
                <maven.compiler.release>25</maven.compiler.release>
                <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
              </properties>
              <dependencies>
            %s
              </dependencies>
              <build>
                <plugins>
                  <plugin>
                    <artifactId>maven-compiler-plugin</artifactId>
                    <version>3.14.0</version>
                  </plugin>
                  <plugin>
                    <artifactId>maven-resources-plugin</artifactId>
                    <version>3.3.1</version>
                  </plugin>
            %s
                </plugins>
              </build>
            </project>
            """;

    @TempDir
    static Path dir;

    static List<String> blocks(Pattern fence, String readme) {
        List<String> blocks = new ArrayList<>();
        Matcher m = fence.matcher(readme);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    /** The consumer's local repository, holding this build's jars as {@code mvn install} leaves them. */
    @BeforeAll
    static void install() throws IOException {
        publish("lanestep-parent", ROOT.resolve("pom.xml"), null);
        publish("lanestep-engine", ROOT.resolve("engine/pom.xml"), ROOT.resolve("engine/target"));
        publish("lanestep-djl", ROOT.resolve("engine/adapters/djl/pom.xml"), ROOT.resolve("engine/adapters/djl/target"));
        publish("lanestep-dl4j", ROOT.resolve("engine/adapters/dl4j/pom.xml"), ROOT.resolve("engine/adapters/dl4j/target"));
    }

    private static void publish(String artifact, Path pom, Path target) throws IOException {
        Path to = Files.createDirectories(dir.resolve("repository/io/lanestep").resolve(artifact).resolve(VERSION));
        Files.copy(pom, to.resolve(artifact + "-" + VERSION + ".pom"));
        if (target != null) {
            Path jar = target.resolve(artifact + "-" + VERSION + ".jar");
            assertTrue(Files.exists(jar), jar + " is built before this module's tests (run them through the reactor)");
            Files.copy(jar, to.resolve(jar.getFileName()));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyJavaProgramBuildsAndRunsInAFreshProject() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        List<String> programs = blocks(JAVA, readme);
        List<String> xml = blocks(XML, readme);
        assertTrue(programs.size() >= 3, "the README's first example, DJL and DL4J programs: found " + programs.size());
        String plugins = only(xml, "<plugin>");
        Matcher prints = PRINTS.matcher(readme);
        String printed = prints.find() ? prints.group(1) : null;
        return programs.stream().map(source -> {
            Matcher name = CLASS.matcher(source);
            assertTrue(name.find(), "every java block of the README is a whole program:\n" + source);
            String artifact = source.contains("import ai.djl.") ? "lanestep-djl"
                    : source.contains("import org.deeplearning4j.") ? "lanestep-dl4j" : "lanestep-engine";
            String dependencies = only(xml, "<artifactId>" + artifact + "</artifactId>");
            return DynamicTest.dynamicTest(name.group(1), () -> {
                String output = buildAndRun(name.group(1), source, dependencies, plugins);
                if (name.group(1).equals("FirstSteps")) {
                    assertTrue(printed != null && output.contains(printed),
                            "the README says the first example prints `" + printed + "`; it printed:\n" + output);
                }
            });
        });
    }

    private static String only(List<String> blocks, String marker) {
        List<String> found = blocks.stream().filter(b -> b.contains(marker)).toList();
        assertEquals(1, found.size(), "the README has one XML block with " + marker);
        return found.getFirst();
    }

    private static String buildAndRun(String name, String source, String dependencies, String plugins)
            throws Exception {
        Path project = Files.createDirectories(dir.resolve(name));
        Path sources = Files.createDirectories(project.resolve("src/main/java"));
        Files.writeString(sources.resolve(name + ".java"), source);
        Files.writeString(project.resolve("pom.xml"), POM.formatted(name, dependencies, plugins));
        String tail = System.getProperty("lanestep.localRepository",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        List<String> command = List.of(ROOT.resolve("mvnw").toString(), "-B", "-ntp",
                "-Dmaven.repo.local=" + dir.resolve("repository"), "-Dmaven.repo.local.tail=" + tail,
                "compile", "exec:exec", "-Dexec.mainClass=" + name);
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.environment().put("DJL_OFFLINE", "true");
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), name + " ended");
        assertEquals(0, p.exitValue(), name + " builds and runs with Maven:\n" + output);
        return output;
    }
}
