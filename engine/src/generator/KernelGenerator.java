import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes VectorKernels64/128/256 from the hand-written template VectorKernels512: the width lives
 * in class names and a static final species, never in a field a loop reads.
 *
 * <p>Run from the repository root: {@code java engine/src/generator/KernelGenerator.java} to
 * regenerate, {@code --check} to fail when a generated file is stale (the build does this).
 */
public final class KernelGenerator {
    private static final Path DIR = Path.of("src/main/java/io/lanestep/kernel");
    private static final String TEMPLATE_DOC = """
             * Kernels at 512 bits. This class is the template of the other widths: KernelGenerator derives
             * them from it by renaming the width, so edit this one and rerun the generator.
            """;

    public static void main(String[] args) throws IOException {
        boolean check = List.of(args).contains("--check");
        Path dir = Files.isDirectory(DIR) ? DIR : Path.of("engine").resolve(DIR);
        String template = Files.readString(dir.resolve("VectorKernels512.java"), StandardCharsets.UTF_8);
        if (!template.contains(TEMPLATE_DOC)) {
            throw new IllegalStateException("VectorKernels512.java lost its template comment; restore it");
        }
        int stale = 0;
        for (int bits : new int[] {64, 128, 256}) {
            String masked = "MASKED = FloatVector.SPECIES_" + Math.max(bits, 128);
            String text = template
                    .replace("MASKED = FloatVector.SPECIES_512", masked)
                    .replace("VectorKernels512", "VectorKernels" + bits)
                    .replace("SPECIES_512", "SPECIES_" + bits)
                    .replace("SquareSums.of512", "SquareSums.of" + bits)
                    .replace(TEMPLATE_DOC, " * Kernels at " + bits + " bits. Generated from VectorKernels512 by"
                            + " engine/src/generator/KernelGenerator.java: do not edit.\n");
            Path target = dir.resolve("VectorKernels" + bits + ".java");
            boolean current = Files.exists(target) && Files.readString(target, StandardCharsets.UTF_8).equals(text);
            if (current) {
                continue;
            }
            if (check) {
                System.err.println(target + " is stale: run java engine/src/generator/KernelGenerator.java");
                stale++;
            } else {
                Files.writeString(target, text, StandardCharsets.UTF_8);
                System.out.println("wrote " + target);
            }
        }
        if (stale > 0) {
            System.exit(1);
        }
    }
}
