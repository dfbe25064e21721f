package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Optimizer;
import io.lanestep.pytorch.TorchOptimizers;
import io.lanestep.kernel.Catalogue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitrary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every optimizer the engine permits is in every catalogue that tests or replays optimizers, and
 * in its kernel template's {@code # optimizer} lines (the one list of its formats, unsigned 8-bit
 * slots, torch step type, cycled momentum and reference): a new optimizer without a replay name or
 * a template line fails here, not silently, and the properties draw it even before they have an
 * arbitrary of it; a malformed template stops the build with a message naming its line.
 */
class CatalogueTest {
    private static final Path GENERATOR = Path.of("../engine/src/generator/KernelGenerator.java");
    private static final Pattern REQUIRED = Pattern.compile("needs the kwarg '(\\w+)'");

    static Set<String> permitted() {
        return Arrays.stream(Optimizer.class.getPermittedSubclasses()).map(Class::getSimpleName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Every elementwise optimizer; Muon, which steps matrices, has its own properties (MuonProperties). */
    @Test
    void thePropertiesGenerateEveryOptimizer() {
        Set<String> generated = new TreeSet<>();
        for (Arbitrary<Optimizer> each : Optimizers.each()) {
            generated.add(each.sample().getClass().getSimpleName());
        }
        Set<String> elementwise = new TreeSet<>(permitted());
        elementwise.remove("Muon");
        assertEquals(elementwise, generated, "Optimizers.each() must have one arbitrary per permitted optimizer");
    }

    @Test
    void theReplayToolTakesEveryOptimizer() {
        Set<String> replayable = new TreeSet<>();
        for (String name : TorchOptimizers.supported()) {
            replayable.add(createWithRequiredKwargs(name).getClass().getSimpleName());
        }
        assertEquals(permitted(), replayable, "TorchOptimizers.supported() must name every permitted optimizer");
    }

    @Test
    void everyOptimizerHasOneTemplateLine() {
        assertEquals(permitted(), new TreeSet<>(Catalogue.OPTIMIZERS),
                "add '# optimizer NAME ...' to the template of the kernel that steps each optimizer");
        assertEquals(Catalogue.OPTIMIZERS.size(), permitted().size(), "an optimizer declared twice");
    }

    @Test
    void everyUnsignedSlotIsAStateKey() {
        Set<String> keys = new TreeSet<>();
        for (String name : TorchOptimizers.supported()) {
            keys.addAll(createWithRequiredKwargs(name).stateKeys());
        }
        // The one slot that an option adds.
        keys.addAll(TorchOptimizers.create("Adam", Map.of("amsgrad", true)).stateKeys());
        for (String slot : Catalogue.UNSIGNED_SLOTS) {
            assertTrue(keys.contains(slot), "unsigned=" + slot + " is no optimizer's state key; the keys: " + keys);
        }
    }

    @Test
    void aMalformedTemplateFailsNamingItsLine(@TempDir Path dir) throws Exception {
        String header = "// a template\n# class BadLanes\n# kernel AdamKernel\n";
        assertRefused(dir, header + "# optimizer Adam step=float\n# operands params grads\n## vector\n",
                "Bad.kernel:4: step=float is not one of tensor, torch2, none");
        assertRefused(dir, header + "# optimizer Adam colour=blue\n# operands params grads\n## vector\n",
                "Bad.kernel:4: unknown capability 'colour=blue'");
        assertRefused(dir, header + "# optimizer Adam model=blocks\n# operands params grads\n## vector\n",
                "Bad.kernel:4: model=blocks is not one of block, none");
        assertRefused(dir, header + "# optimizer adam\n# operands params grads\n## vector\n",
                "Bad.kernel:4: '# optimizer' needs the optimizer's class name first");
        assertRefused(dir, header + "# optimizer Adam kernel=NoSuchKernel\n# operands params grads\n## vector\n",
                "Bad.kernel:4: Adam's kernel NoSuchKernel needs a constructor (long length, MemorySegment[] slots,"
                        + " float[] scalars[, Arena arena])");
        assertRefused(dir, header + "# operands params grads\n# fromats\n## vector\n",
                "Bad.kernel:5: unexpected line before a section");
        assertRefused(dir, header + "# operands params grads\n# formats params\n# q8\n## vector\n",
                "Bad.kernel:6: '# q8' stores the state in 8 bits, and '# formats params' keeps it float32");
        String scalars = header + "# operands params grads\n## scalars\n";
        assertRefused(dir, scalars + "final class OtherKernel {\n}\n## vector\n",
                "Bad.kernel:6: the '## scalars' section holds the class the '# kernel AdamKernel' line names");
        assertRefused(dir, scalars + "final class AdamKernel extends MomentKernel {\n}\n## vector\n",
                "Bad.kernel:6: AdamKernel's superclass MomentKernel is not a hand-written class");
        assertRefused(dir, scalars + "final class AdamKernel {\n    float beta1;\n}\n## tail\n"
                + "    static void runTail(AdamKernel k, long from, long to) {\n        float beta1 = k.beta1;\n    }\n",
                "Bad.kernel:11: the local beta1 is unpacked from AdamKernel by the generator; delete this line");
        String loop = header + "# operands params grads\n## tail\n    static void runTail(AdamKernel k, long from, long to) {\n";
        assertRefused(dir, loop + "        float p = params.getAtIndex(F, from);\n    }\n",
                "Bad.kernel:7: write memory accesses as @load(S, seg), @store(seg, value), @get(seg, i) or @set(seg, i, value)");
        String vector = header + "# operands params grads\n## vector\n    static void run(AdamKernel k, long from, long to) {\n";
        assertRefused(dir, vector + "        FloatVector p = g.add(@load(S, params));\n    }\n",
                "Bad.kernel:7: a vector load starts the initialiser of a declaration of its own");
        assertRefused(dir, vector + "        if (go) @store(params, p);\n    }\n",
                "Bad.kernel:7: a vector store is a statement of its own, '@store(seg, value);'");
        assertRefused(dir, loop + "        @set(params, from);\n    }\n",
                "Bad.kernel:7: @set(...) takes 3 arguments, on one line");
    }

    /** Runs the generator on one template; it must exit with 1 and print {@code message}. */
    private static void assertRefused(Path dir, String template, String message) throws Exception {
        Path templates = Files.createDirectories(dir.resolve("templates"));
        Files.writeString(templates.resolve("Bad.kernel"), template, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                GENERATOR.toString(), templates.toString(), dir.resolve("out").toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor(), output);
        assertTrue(output.contains(message), output);
    }

    /** Creates {@code name} with its defaults, giving 1.0 to each kwarg it says it needs. */
    private static Optimizer createWithRequiredKwargs(String name) {
        Map<String, Object> kwargs = new HashMap<>();
        while (true) {
            try {
                return TorchOptimizers.create(name, kwargs);
            } catch (IllegalArgumentException e) {
                Matcher m = REQUIRED.matcher(String.valueOf(e.getMessage()));
                if (!m.find() || kwargs.containsKey(m.group(1))) {
                    throw e;
                }
                kwargs.put(m.group(1), 1.0);
            }
        }
    }
}
