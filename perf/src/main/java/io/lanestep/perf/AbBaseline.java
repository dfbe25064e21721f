package io.lanestep.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The baseline of an A/B comparison: the tree of a git commit, unpacked beside the working tree
 * and built by its own Maven wrapper. Built once per commit: later comparisons against the same
 * commit reuse it (the directory is named by the commit, whose content never changes).
 */
final class AbBaseline {
    private AbBaseline() {
    }

    /** The full commit id {@code ref} names in the repository at {@code root}. */
    static String commit(Path root, String ref) throws IOException, InterruptedException {
        List<String> out = run(root, null, List.of("git", "rev-parse", "--verify", "--quiet", ref + "^{commit}"));
        if (out == null || out.isEmpty()) {
            throw new IllegalArgumentException("--baseline '" + ref + "' names no commit in " + root
                    + "; give a branch, tag or commit (e.g. origin/main, HEAD~1), fetched first if remote");
        }
        return out.getFirst().trim();
    }

    /** The class path of the benchmarks built from {@code commit}, building them if needed. */
    static String classPath(Path root, String commit, Path cache) throws IOException, InterruptedException {
        Path dir = cache.resolve(commit);
        Path classPathFile = dir.resolve("classpath.txt");
        if (!Files.exists(classPathFile)) {
            deleteTree(dir);
            Files.createDirectories(dir);
            Path tar = cache.resolve(commit + ".tar");
            require(run(root, dir.resolve("archive.log"),
                    List.of("git", "archive", "--format=tar", "-o", tar.toString(), commit)), "git archive", dir);
            require(run(dir, dir.resolve("archive.log"), List.of("tar", "-xf", tar.toString())), "tar", dir);
            Files.delete(tar);
            System.out.println("building the baseline " + commit.substring(0, 12) + " in " + dir + " (minutes; once per commit)");
            Path listed = dir.resolve("classpath.partial");
            require(run(dir, dir.resolve("build.log"), List.of("./mvnw", "-B", "-q", "-DskipTests",
                    "-Dmaven.javadoc.skip=true", "-pl", "perf", "-am", "package",
                    "org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath",
                    "-Dmdep.outputFile=" + listed)), "the baseline build", dir);
            String dependencies = Files.readString(listed).trim();
            Files.writeString(classPathFile, dir.resolve("perf/target/classes") + java.io.File.pathSeparator + dependencies);
        }
        return Files.readString(classPathFile).trim();
    }

    private static void require(List<String> out, String what, Path dir) {
        if (out == null) {
            throw new IllegalStateException(what + " failed; its output is in " + dir + " (archive.log, build.log)");
        }
    }

    /** The command's output lines, or null when it exits non-zero; {@code log} keeps them when given. */
    private static List<String> run(Path dir, Path log, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        // Run from Maven, this program inherits the variables that tell Maven where its project is.
        builder.environment().keySet().removeIf(k -> k.startsWith("MAVEN_") && !k.equals("MAVEN_OPTS")
                && !k.equals("MAVEN_USER_HOME"));
        Process p = builder.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        int status = p.waitFor();
        if (log != null) {
            Files.write(log, bytes, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
        return status == 0 ? new ArrayList<>(new String(bytes, StandardCharsets.UTF_8).lines().toList()) : null;
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
