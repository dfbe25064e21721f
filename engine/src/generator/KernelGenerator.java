import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes one Java class per kernel template of engine/src/kernels into the build's generated
 * sources (the build runs it in generate-sources; nothing generated is checked in).
 *
 * <p>A template names its class, the kernel type its methods take and its storage operands, then
 * holds Java methods in two sections. The {@code ## vector} methods are copied into one nested
 * class per lane width whose species is a {@code static final} constant (a species C2 cannot see
 * as a constant drops every vector operation to boxed Java code); the {@code ## tail} methods,
 * which use no species, are copied once. Every method is further copied per storage of each
 * operand: native {@code MemorySegment} (N) or heap {@code float[]} (A). Heap operands need their
 * own loops because C2 profiles the segment kind inside the JDK's access code: one loop seeing heap
 * and native segments loses the vector intrinsics for the rest of the process. With a
 * {@code # kernel} line, each method {@code name(K k, long from, long to)} also gets a dispatcher
 * of that name that picks the width ({@code k.bits}) and the storage of the operands.
 *
 * <p>A {@code # split FLAG} line makes two copies of every method: {@code name} with the flag
 * folded to false and {@code nameFlag} (camel case; {@code runTail} becomes {@code runFlagTail})
 * with it folded to true. For a flag that is
 * rarely set (SGD's first step), C2 otherwise keeps its path alive inside the hot loop, which made
 * SGD with momentum 40% slower.
 *
 * <p>A {@code # formats} line adds 16-bit copies of every method for blocks whose parameters,
 * gradients or state are stored as bf16 or fp16 ({@code io.lanestep.Format}): a dispatcher
 * {@code nameHalf}, one vector copy per 16-bit format ({@code nameBf16}, {@code nameFp16}, with
 * {@code nameBf16M}, {@code nameFp16M} for params with master weights and {@code nameBf16Sr} for
 * bf16 params rounded stochastically) and one
 * scalar tail ({@code runTail} becomes {@code runHalfTail}). Every load of an operand widens it
 * from the kernel's format for it ({@code k.paramsFormat}, {@code k.gradsFormat},
 * {@code k.stateFormat} for every other segment: float32 or the copy's format) and every store
 * rounds it back, so the float32 math is the template's, untouched, and the float32 loops stay as
 * they were. Vector loads must be declarations ({@code FloatVector x = @load(S, seg)...;}): the
 * conversions are expanded inline, because helper methods are not inlined
 * into loops this large (their vectors then box), and one copy per format keeps each loop small
 * enough for C1 (a copy converting both formats made C1 give up and the method never reached C2).
 * The fp16 copy runs its vector loop in chunks instead, through float32 arrays that
 * {@code Fp16Scratch} widens and narrows with the CPU's conversions (the Vector API has none).
 * With master weights ({@code k.masterRead}) the params are the 16-bit copy: the {@code M} copies
 * read the float32 master and write both; the others have no master code at all. One copy for
 * both left a master branch in the loop, and a JVM that stepped bf16 state and master weights
 * through it kept a compilation that boxed a vector per iteration (24 KB per 4K-element step, 3x
 * slower, for good). The copies run native memory only, and at the 64-bit width on 128-bit
 * vectors: no 32-bit vector of two 16-bit lanes exists to widen from.
 *
 * <p>A {@code # q8} line adds an 8-bit-state copy of every method ({@code nameQ8}; {@code runTail}
 * becomes {@code runQ8Tail}), made before the storage and 16-bit copies, so it gets those too
 * ({@code runQ8Half}, ...): every state slot is read from and written to the thread's
 * {@code Q8Scratch}, a float[] of the block's dequantized values indexed from the block's first
 * element, exactly as a heap operand is. {@code Q8Scratch.steps} calls it once per block of 256,
 * between decoding the slots and quantizing them against their new absmax, so the optimizer's
 * math is its template's, untouched. A template with both lines gets {@code nameAnyFormat}, which
 * runs the copy the block's formats need: 8-bit state block by block, else the 16-bit copy when
 * any operand is 16-bit, else the float32 loop.
 *
 * <p>{@code # formats params} makes the same 16-bit copies for an optimizer whose state must stay
 * float32 (LAMB's update direction, which its second pass reads as the first computed it): the
 * library refuses 16-bit and 8-bit state for it ({@code Catalogue.FLOAT32_STATE}), so its copies
 * see float32 state only, and it takes no {@code # q8}. Its {@code nameAnyFormat} picks the
 * 16-bit copy or the float32 loop.
 *
 * <p>A {@code ## scalars} section holds the source of the kernel class the {@code # kernel} line
 * names (its imports, javadoc and class; see {@link Scalars}), written beside the loops as
 * {@code KERNEL.java}; every loop method taking it as {@code k} reads the fields it names into
 * locals at its top, generated, and a template line doing so itself is refused.
 *
 * <p>A {@code ## helpers} section holds vector methods that touch no operand: copied once into
 * each width's class, as they are (they use {@code MASKED}), with no storage or format copies.
 * Moving a loop there keeps it out of the big methods, whose every loop is another on-stack
 * compilation for C2.
 *
 * <p>Memory is read and written through macros, {@code @load}, {@code @store}, {@code @get} and
 * {@code @set} ({@link Macros}), expanded first: the copies above find every access in the one form
 * the expansion writes, and a template spelling an access in Java is refused, naming the line.
 *
 * <p>One more macro: {@code FloatVector q = @divide(x, b, negB, invB, enabled);} expands to the
 * division by a per-step constant of {@code Reciprocal}, inline, because a helper method taking
 * vectors that C2 has compiled on its own is not inlined into a large loop, and every vector of
 * that loop is then boxed (100x slower).
 *
 * <p>The header, before the first section, is {@code //} comments and these lines, each once
 * unless said: {@code # class NAME} and {@code # operands A B} (required), {@code # kernel TYPE},
 * {@code # split FLAG}, {@code # flush-state}, {@code # formats}, {@code # q8}, and one
 * {@code # optimizer NAME key=value ...} line per optimizer the template steps (see
 * {@link Capabilities}), from which the {@code Catalogue} class is generated. Anything else stops
 * the generator with exit status 1 and a message naming the template's line.
 *
 * <p>Run: {@code java engine/src/generator/KernelGenerator.java TEMPLATES OUT}.
 */
public final class KernelGenerator {
    private static final int[] WIDTHS = {64, 128, 256, 512};
    /** The vector copies of a {@code # formats} template, one per 16-bit format. */
    private static final List<String> SIXTEEN_BIT = List.of("Bf16Sr", "Bf16M", "Bf16", "Fp16M", "Fp16");
    private static final Pattern DIVIDE = Pattern.compile(
            "(?m)^(\\s*)FloatVector (\\w+) = @divide\\((\\w+), (\\w+), (\\w+), (\\w+), (\\w+)\\);$");
    private static final Pattern METHOD = Pattern.compile("(?m)^    static (\\w+) (\\w+)\\(");
    private static final Pattern VECTOR_STORE = Pattern.compile("(?m)^(\\s*)(.+)\\.intoMemorySegment\\((\\w+), o, ORDER\\);$");
    private static final Pattern SCALAR_STORE = Pattern.compile("(?m)^(\\s*)(\\w+)\\.setAtIndex\\(F, (\\w+), (.+)\\);$");
    private static final Pattern HALF_LOAD = Pattern.compile(
            "(?m)^(\\s*)FloatVector (\\w+) = FloatVector\\.fromMemorySegment\\((?:S|MASKED), (\\w+), o, ORDER\\)(.*);$");
    private static final Pattern HALF_STORE = Pattern.compile("(?m)^(\\s*)(.+)\\.intoMemorySegment\\((\\w+), o, ORDER\\);$");
    /** The fp16 copy's reads and writes of a chunk's float32 arrays, {@code h16<segment>}. */
    private static final Pattern SCRATCH_LOAD = Pattern.compile("FloatVector\\.fromArray\\(MASKED, h16(\\w+), j16\\)");
    private static final Pattern SCRATCH_STORE = Pattern.compile("\\.intoArray\\(h16(\\w+), j16\\)");
    private static final Pattern METHOD_HEAD = Pattern.compile("(?m)^    static \\w+ \\w+\\(.*\\) \\{$");
    private static final Pattern STATE_SLOT = Pattern.compile("MemorySegment (\\w+) = k\\.");
    /** The vector loops' {@code g = g.mul(gradScale);}, which the 16-bit copies skip when the scale is 1. */
    private static final Pattern GRAD_SCALE = Pattern.compile("(?m)^(\\s*)(\\w+) = \\2\\.mul\\(gradScale\\);$");

    /**
     * {@code KernelGenerator TEMPLATES OUT} writes the kernels and their catalogue;
     * {@code KernelGenerator TEMPLATES OUT --references} writes only the reference module's dispatch
     * ({@code io.lanestep.reference.ReferenceSteps}) from the same {@code # optimizer} lines.
     */
    public static void main(String[] args) throws IOException {
        Path templates = Path.of(args[0]);
        boolean references = args.length > 2 && args[2].equals("--references");
        Path out = Path.of(args[1]).resolve(references ? "io/lanestep/reference" : "io/lanestep/kernel");
        Files.createDirectories(out);
        List<Path> files;
        try (Stream<Path> s = Files.list(templates)) {
            files = s.filter(p -> p.toString().endsWith(".kernel")).sorted().toList();
        }
        List<Capabilities> catalogue = new ArrayList<>();
        for (Path file : files) {
            Template t;
            try {
                t = Template.parse(file);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                System.exit(1);
                return;
            }
            catalogue.addAll(t.optimizers);
            if (references) {
                continue;
            }
            Files.writeString(out.resolve(t.className + ".java"), t.generate(), StandardCharsets.UTF_8);
            if (t.scalars != null) {
                Files.writeString(out.resolve(t.kernel + ".java"), t.scalars.generate(file.getFileName().toString()),
                        StandardCharsets.UTF_8);
            }
        }
        if (references) {
            Files.writeString(out.resolve("ReferenceSteps.java"), Capabilities.references(catalogue),
                    StandardCharsets.UTF_8);
            System.out.println("generated the reference steps of " + catalogue.size() + " optimizers into " + out);
            return;
        }
        Files.writeString(out.resolve("Catalogue.java"), Capabilities.catalogue(catalogue), StandardCharsets.UTF_8);
        System.out.println("generated " + files.size() + " kernel classes, their scalars and their catalogue into " + out);
    }

    /**
     * One {@code # optimizer NAME key=value ...} line: an optimizer this template steps and what
     * the rest of the library must know about it. Keys: {@code step=tensor} (torch keeps its step
     * as a float32 tensor), {@code step=torch2} (only under torch 2.x numerics), {@code step=none}
     * (the default: no tensor); {@code momentum=momentum} or {@code momentum=beta1} (what torch's
     * CyclicLR and OneCycleLR cycle; absent: nothing to cycle); {@code unsigned=a,b} (state slots
     * that are never negative and take the unsigned 8-bit map); {@code kernel=TYPE} (a hand-written
     * subclass of the template's kernel steps it); {@code caution} (the record's {@code caution()}
     * says when a step counts over its whole tensor, timm's caution mask); {@code norm} (every step
     * takes a norm over its whole tensor, MARS's); {@code reference=TYPE} (the class in
     * {@code io.lanestep.reference} whose {@code step(NAME, float[], float[], ReferenceState)} is its
     * scalar reference; the default is {@code NAMEReference}); {@code model=block} (the reference's
     * double-precision model is {@code model(NAME, float[] params, float[] grads, float[][] slots,
     * float[] scalars, long stepsBefore)} over the whole block) or {@code model=none} (it has none;
     * the default is one element at a time, {@code element(NAME, float p, float g, float[] slots,
     * float[] scalars, long t)}). The kernel's constructor is
     * {@code (long length, MemorySegment[] slots, float[] scalars)}, with {@code Arena arena} last
     * when it keeps scratch; the generated {@code Catalogue.kernel} calls it.
     */
    record Capabilities(String name, String step, String momentum, List<String> unsigned, boolean sixteenBit,
                        boolean float32State, String kernel, boolean arena, boolean caution, boolean norm,
                        String reference, String model) {
        private static final Pattern NAME = Pattern.compile("[A-Z]\\w*");

        static Capabilities parse(String where, String spec, boolean sixteenBit, boolean float32State,
                                  String templateKernel, String templateKernelSource, Path handWritten)
                throws IOException {
            String[] words = spec.trim().split("\\s+");
            if (words.length == 0 || !NAME.matcher(words[0]).matches()) {
                throw new IllegalArgumentException(where + ": '# optimizer' needs the optimizer's class name first,"
                        + " got '" + spec.trim() + "'");
            }
            String step = "none";
            String momentum = "none";
            String kernel = templateKernel;
            boolean caution = false;
            boolean norm = false;
            String reference = words[0] + "Reference";
            String model = "element";
            List<String> unsigned = List.of();
            for (int i = 1; i < words.length; i++) {
                String[] kv = words[i].split("=", 2);
                String value = kv.length == 2 ? kv[1] : "";
                switch (kv[0]) {
                    case "step" -> step = oneOf(where, "step", value, "tensor", "torch2", "none");
                    case "momentum" -> momentum = oneOf(where, "momentum", value, "momentum", "beta1");
                    case "unsigned" -> unsigned = List.of(value.split(","));
                    case "kernel" -> kernel = value;
                    case "caution" -> caution = true;
                    case "norm" -> norm = true;
                    case "reference" -> reference = value;
                    case "model" -> model = oneOf(where, "model", value, "block", "none");
                    default -> throw new IllegalArgumentException(where + ": unknown capability '" + words[i]
                            + "'; known: step=tensor|torch2|none, momentum=momentum|beta1, unsigned=slot,slot,"
                            + " kernel=TYPE, caution, norm, reference=TYPE, model=block|none");
                }
            }
            if (kernel == null) {
                throw new IllegalArgumentException(where + ": " + words[0] + " needs a kernel: a '# kernel TYPE' line"
                        + " or kernel=TYPE");
            }
            String source = kernel.equals(templateKernel) ? templateKernelSource : null;
            if (source == null && Files.exists(handWritten.resolve(kernel + ".java"))) {
                source = Files.readString(handWritten.resolve(kernel + ".java"), StandardCharsets.UTF_8);
            }
            Matcher constructor = Pattern.compile("\\b" + kernel
                    + "\\(long length, MemorySegment\\[\\] slots, float\\[\\] scalars(, Arena arena)?\\)")
                    .matcher(source == null ? "" : source);
            if (!constructor.find()) {
                throw new IllegalArgumentException(where + ": " + words[0] + "'s kernel " + kernel + " needs a"
                        + " constructor (long length, MemorySegment[] slots, float[] scalars[, Arena arena]) in its"
                        + " template's '## scalars' section or in " + handWritten.resolve(kernel + ".java"));
            }
            return new Capabilities(words[0], step, momentum, unsigned, sixteenBit, float32State, kernel,
                    constructor.group(1) != null, caution, norm, reference, model);
        }

        private static String oneOf(String where, String key, String value, String... allowed) {
            if (!List.of(allowed).contains(value)) {
                throw new IllegalArgumentException(where + ": " + key + "=" + value + " is not one of "
                        + String.join(", ", allowed));
            }
            return value;
        }

        /** The generated {@code Catalogue} class: every list the rest of the library reads. */
        static String catalogue(List<Capabilities> all) {
            Set<String> unsigned = new java.util.TreeSet<>();
            all.forEach(c -> unsigned.addAll(c.unsigned));
            return "// Generated by engine/src/generator/KernelGenerator.java from the '# optimizer' lines of\n"
                    + "// engine/src/kernels/*.kernel. Do not edit.\n"
                    + "package io.lanestep.kernel;\n\n"
                    + "import java.util.List;\n"
                    + "import java.util.Set;\n\n"
                    + "/** What each optimizer's kernel template declares, by the optimizer's simple class name. */\n"
                    + "public final class Catalogue {\n"
                    + "    private Catalogue() {\n    }\n\n"
                    + "    /** Every optimizer a template steps, in template order. */\n"
                    + "    public static final List<String> OPTIMIZERS = " + list(all, c -> true) + ";\n"
                    + set("Optimizers whose template has 16-bit copies ({@code # formats}) and 8-bit ones ({@code # q8}),"
                            + " or 16-bit copies for float32 state ({@code # formats params}).",
                            "SIXTEEN_BIT", list(all, c -> c.sixteenBit))
                    + set("Optimizers whose 16-bit copies keep float32 state ({@code # formats params}).",
                            "FLOAT32_STATE", list(all, c -> c.float32State))
                    + set("State slots that are never negative: the unsigned 8-bit map.", "UNSIGNED_SLOTS",
                            quoted(unsigned))
                    + set("Optimizers whose torch state keeps {@code step} as a float32 tensor.", "TENSOR_STEP",
                            list(all, c -> c.step.equals("tensor")))
                    + set("Optimizers whose torch state keeps {@code step} as a tensor under torch 2.x numerics only.",
                            "TENSOR_STEP_IN_TORCH2", list(all, c -> c.step.equals("torch2")))
                    + set("Optimizers whose {@code momentum} CyclicLR and OneCycleLR cycle.", "CYCLES_MOMENTUM",
                            list(all, c -> c.momentum.equals("momentum")))
                    + set("Optimizers whose {@code betas[0]} CyclicLR and OneCycleLR cycle.", "CYCLES_BETA1",
                            list(all, c -> c.momentum.equals("beta1")))
                    + "\n    /**\n"
                    + "     * The kernel of a state made for {@code optimizer}: {@code slots} are the loop views of its\n"
                    + "     * state slots, {@code scalars} its scalar state; scratch comes from {@code arena}. Exhaustive\n"
                    + "     * over the sealed {@code Optimizer}: an optimizer no template declares does not compile.\n"
                    + "     */\n"
                    + "    public static Kernel kernel(io.lanestep.Optimizer optimizer, long length,"
                    + " java.lang.foreign.MemorySegment[] slots,\n"
                    + "                                float[] scalars, java.lang.foreign.Arena arena) {\n"
                    + "        return switch (optimizer) {\n"
                    + cases(all, c -> "new " + c.kernel + "(length, slots, scalars" + (c.arena ? ", arena" : "") + ")")
                    + "        };\n    }\n\n"
                    + "    /**\n"
                    + "     * {@code optimizer} with what CyclicLR and OneCycleLR cycle ({@code momentum} or\n"
                    + "     * {@code betas[0]}) set to {@code value}; null when it has neither.\n"
                    + "     */\n"
                    + "    public static io.lanestep.Optimizer withMomentum(io.lanestep.Optimizer optimizer,"
                    + " double value) {\n"
                    + "        return switch (optimizer) {\n"
                    + cases(all, c -> switch (c.momentum) {
                        case "momentum" -> "o.withMomentum(value)";
                        case "beta1" -> "o.withBeta1(value)";
                        default -> "null";
                    })
                    + "        };\n    }\n\n"
                    + "    /**\n"
                    + "     * Whether a step of {@code optimizer} counts or takes a norm over its whole tensor (timm's\n"
                    + "     * caution mask, MARS), so that a shard's piece of a tensor cannot take it alone.\n"
                    + "     */\n"
                    + "    public static boolean countsWholeTensor(io.lanestep.Optimizer optimizer) {\n"
                    + cautious(all)
                    + "        return false;\n    }\n"
                    + "}\n";
        }

        /** The reference module's dispatch: each optimizer's scalar reference, named on its line. */
        static String references(List<Capabilities> all) {
            return "// Generated by engine/src/generator/KernelGenerator.java from the '# optimizer' lines of\n"
                    + "// engine/src/kernels/*.kernel. Do not edit.\n"
                    + "package io.lanestep.reference;\n\n"
                    + "/** Each optimizer's scalar reference, as its kernel template's {@code # optimizer} line names it. */\n"
                    + "final class ReferenceSteps {\n"
                    + "    private ReferenceSteps() {\n    }\n\n"
                    + "    /**\n"
                    + "     * One reference step, the step count left to the caller. Exhaustive over the sealed\n"
                    + "     * {@code Optimizer}: an optimizer without a template line or a reference does not compile.\n"
                    + "     */\n"
                    + "    static void step(io.lanestep.Optimizer optimizer, float[] params, float[] grads,"
                    + " ReferenceState state) {\n"
                    + "        switch (optimizer) {\n"
                    + cases(all, c -> c.reference + ".step(o, params, grads, state)")
                    + "        }\n    }\n\n"
                    + "    /** The double-precision model of one step ({@link Reference#model}). */\n"
                    + "    static Approx[][] model(io.lanestep.Optimizer optimizer, float[] params, float[] grads,"
                    + " float[][] slots,\n"
                    + "                            float[] scalars, long stepsBefore) {\n"
                    + "        long t = stepsBefore + 1;\n"
                    + "        return switch (optimizer) {\n"
                    + cases(all, c -> switch (c.model) {
                        case "block" -> c.reference + ".model(o, params, grads, slots, scalars, stepsBefore)";
                        case "none" -> "throw new UnsupportedOperationException(\"" + c.name
                                + " has no double-precision model\")";
                        default -> {
                            String each = "Models.each(params, grads, slots,\n                    (p, g, s) -> "
                                    + c.reference + ".element(o, p, g, s, scalars, t))";
                            yield c.caution ? "Models.cautious(o.caution(), " + each + ")" : each;
                        }
                    })
                    + "        };\n    }\n"
                    + "}\n";
        }

        private static String cautious(List<Capabilities> all) {
            StringBuilder s = new StringBuilder();
            for (Capabilities c : all) {
                if (c.norm) {
                    s.append("        if (optimizer instanceof io.lanestep.").append(c.name).append(") {\n")
                            .append("            return true;\n        }\n");
                } else if (c.caution) {
                    s.append("        if (optimizer instanceof io.lanestep.").append(c.name)
                            .append(" o && o.caution()) {\n            return true;\n        }\n");
                }
            }
            return s.toString();
        }

        private static String cases(List<Capabilities> all, java.util.function.Function<Capabilities, String> body) {
            StringBuilder s = new StringBuilder();
            for (Capabilities c : all) {
                s.append("            case io.lanestep.").append(c.name).append(" o -> ").append(body.apply(c))
                        .append(";\n");
            }
            return s.toString();
        }

        private static String set(String doc, String name, String list) {
            return "    /** " + doc + " */\n    public static final Set<String> " + name + " = Set.copyOf(" + list + ");\n";
        }

        private static String list(List<Capabilities> all, java.util.function.Predicate<Capabilities> which) {
            return quoted(all.stream().filter(which).map(Capabilities::name).toList());
        }

        private static String quoted(java.util.Collection<String> names) {
            return "List.of(" + String.join(", ", names.stream().map(n -> '"' + n + '"').toList()) + ")";
        }
    }

    private record Template(Path file, String className, String kernel, List<String> operands, String vector,
                            String tail, String helpers, boolean formats, boolean q8, List<Capabilities> optimizers,
                            Scalars scalars) {
        static Template parse(Path file) throws IOException {
            String className = null;
            String kernel = null;
            String split = null;
            boolean flushState = false;
            boolean formats = false;
            boolean float32State = false;
            boolean q8 = false;
            String q8Where = null;
            List<String> operands = List.of();
            StringBuilder vector = new StringBuilder();
            StringBuilder tail = new StringBuilder();
            StringBuilder helpers = new StringBuilder();
            StringBuilder scalarsText = new StringBuilder();
            String scalarsWhere = null;
            List<String[]> loopLines = new ArrayList<>();
            StringBuilder section = null;
            List<String[]> optimizerLines = new ArrayList<>();
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int n = 0; n < lines.size(); n++) {
                String line = lines.get(n);
                String where = file.getFileName() + ":" + (n + 1);
                if (section == null && line.startsWith("# optimizer ")) {
                    optimizerLines.add(new String[] {where, line.substring(12)});
                } else if (line.startsWith("# class ")) {
                    className = line.substring(8).trim();
                } else if (line.startsWith("# kernel ")) {
                    kernel = line.substring(9).trim();
                } else if (line.equals("# flush-state")) {
                    flushState = true;
                } else if (line.equals("# formats")) {
                    formats = true;
                } else if (line.equals("# formats params")) {
                    formats = true;
                    float32State = true;
                } else if (line.equals("# q8")) {
                    q8 = true;
                    q8Where = where;
                } else if (line.startsWith("# split ")) {
                    split = line.substring(8).trim();
                } else if (line.startsWith("# operands ")) {
                    operands = List.of(line.substring(11).trim().split("\\s+"));
                } else if (line.equals("## vector")) {
                    section = vector;
                } else if (line.equals("## tail")) {
                    section = tail;
                } else if (line.equals("## helpers")) {
                    section = helpers;
                } else if (line.equals("## scalars")) {
                    section = scalarsText;
                    scalarsWhere = file.getFileName() + ":" + (n + 2);
                } else if (section != null && section != scalarsText) {
                    String refused = Macros.refusal(line);
                    if (refused != null) {
                        throw new IllegalArgumentException(where + ": " + refused);
                    }
                    section.append(Macros.expand(where, line)).append('\n');
                    loopLines.add(new String[] {where, line});
                } else if (section != null) {
                    section.append(line).append('\n');
                } else if (!line.startsWith("//") && !line.isBlank()) {
                    throw new IllegalArgumentException(where + ": unexpected line before a section ('## scalars',"
                            + " '## vector', '## tail' or '## helpers'): " + line);
                }
            }
            if (className == null || operands.isEmpty()) {
                throw new IllegalArgumentException(file.getFileName() + ":1: the header needs '# class NAME' and"
                        + " '# operands A B'");
            }
            if (q8 && float32State) {
                throw new IllegalArgumentException(q8Where + ": '# q8' stores the state in 8 bits, and '# formats params'"
                        + " keeps it float32; use '# formats' with '# q8', or drop '# q8'");
            }
            Path handWritten = file.toAbsolutePath().getParent().resolveSibling("main/java/io/lanestep/kernel");
            List<Capabilities> optimizers = new ArrayList<>();
            for (String[] o : optimizerLines) {
                optimizers.add(Capabilities.parse(o[0], o[1], formats && (q8 || float32State), float32State, kernel,
                        scalarsWhere == null ? null : scalarsText.toString(), handWritten));
            }
            Scalars scalars = null;
            String v = vector.toString();
            String t = tail.toString();
            if (scalarsWhere != null) {
                scalars = Scalars.parse(scalarsWhere, scalarsText.toString(), kernel, handWritten);
                for (String[] loopLine : loopLines) {
                    String name = scalars.redundant(loopLine[1]);
                    if (name != null) {
                        throw new IllegalArgumentException(loopLine[0] + ": the local " + name + " is unpacked from "
                                + kernel + " by the generator; delete this line");
                    }
                }
                v = scalars.unpack(v);
                t = scalars.unpack(t);
            }
            v = divide(v);
            if (flushState) {
                v = flushVectorStores(v, operands);
                t = flushScalarStores(t, operands);
            }
            if (split != null) {
                List<String> all = new ArrayList<>(names(v));
                all.addAll(names(t));
                v = split(v, split, all);
                t = split(t, split, all);
            }
            if (q8) {
                List<String> all = new ArrayList<>(names(v));
                all.addAll(names(t));
                v = v + "\n" + q8Copy(file, v, operands, all);
                t = t + "\n" + q8Copy(file, t, operands, all);
            }
            return new Template(file, className, kernel, operands, v, t, helpers.toString(), formats, q8, optimizers,
                    scalars);
        }

        /**
         * The {@code # q8} copy of a section: every method renamed {@code nameQ8} ({@code runTail}
         * becomes {@code runQ8Tail}) and every state slot read from and written to the thread's
         * {@code Q8Scratch}, which holds the block's dequantized values (see the class comment).
         */
        static String q8Copy(Path file, String text, List<String> operands, List<String> names) {
            for (String name : names) {
                text = text.replaceAll("\\b" + name + "\\(", half(name, "Q8") + "(");
            }
            text = METHOD_HEAD.matcher(text).replaceAll("$0\n        Q8Scratch q8 = Q8Scratch.get();");
            Matcher slots = STATE_SLOT.matcher(text);
            List<String> state = new ArrayList<>();
            while (slots.find()) {
                if (!operands.contains(slots.group(1)) && !state.contains(slots.group(1))) {
                    state.add(slots.group(1));
                }
            }
            for (String x : state) {
                text = Pattern.compile("MemorySegment " + x + " = (k\\.[\\w()]+);").matcher(text).replaceAll(m ->
                        "float[] " + x + "Array = q8.values(" + m.group(1) + ");\n        int " + x + "Base = q8.base;");
                text = arrayAccesses(file, text, x);
            }
            return text;
        }

        /** Both copies of a section for {@code # split flag}: see the class comment. */
        static String split(String text, String flag, List<String> names) {
            String test = "(flags & " + flag + ") != 0";
            StringBuilder suffix = new StringBuilder();
            for (String part : flag.toLowerCase(java.util.Locale.ROOT).split("_")) {
                suffix.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
            String set = text.replace(test, "true");
            for (String name : names) {
                // A vector method's tail keeps the name Tail at the end: runFirstStep -> runFirstStepTail.
                String renamed = name.endsWith("Tail")
                        ? name.substring(0, name.length() - 4) + suffix + "Tail" : name + suffix;
                set = set.replaceAll("\\b" + name + "\\(", renamed + "(");
            }
            return text.replace(test, "false") + "\n" + set;
        }

        /**
         * Under {@code # flush-state}: every vector store into a segment that is not an operand
         * (a state slot) flushes subnormal lanes to zeros of their sign when the step's flags say
         * so, inline (a helper taking vectors would not be inlined: see {@code @divide}).
         */
        static String flushVectorStores(String text, List<String> operands) {
            return VECTOR_STORE.matcher(text).replaceAll(m -> {
                if (operands.contains(m.group(3))) {
                    return m.group().replace("$", "\\$");
                }
                String pad = m.group(1);
                return (pad + "{\n"
                        + pad + "    FloatVector stored = " + m.group(2) + ";\n"
                        + pad + "    if ((flags & FLUSH_SUBNORMAL) != 0) {\n"
                        + pad + "        stored = stored.blend(stored.mul(0f), stored.abs()\n"
                        + pad + "                .compare(VectorOperators.LT, Float.MIN_NORMAL));\n"
                        + pad + "    }\n"
                        + pad + "    stored.intoMemorySegment(" + m.group(3) + ", o, ORDER);\n"
                        + pad + "}").replace("$", "\\$");
            });
        }

        /** The scalar counterpart: state stores go through {@code Lanes.flush}. */
        static String flushScalarStores(String text, List<String> operands) {
            return SCALAR_STORE.matcher(text).replaceAll(m -> operands.contains(m.group(2))
                    ? m.group().replace("$", "\\$")
                    : (m.group(1) + m.group(2) + ".setAtIndex(F, " + m.group(3) + ", Lanes.flush(" + m.group(4)
                            + ", flags));").replace("$", "\\$"));
        }

        /** Expands every {@code @divide}: see the class comment and Reciprocal. */
        static String divide(String text) {
            return DIVIDE.matcher(text).replaceAll(m -> {
                String pad = m.group(1);
                String q = m.group(2);
                String x = m.group(3);
                return (pad + "FloatVector " + q + ";\n"
                        + pad + "FloatVector " + q + "Size = " + x + ".abs();\n"
                        + pad + "if (" + m.group(7) + " && " + q + "Size.compare(VectorOperators.GE, Reciprocal.MIN_DIVIDEND)\n"
                        + pad + "        .and(" + q + "Size.compare(VectorOperators.LT, Reciprocal.MAX_DIVIDEND)).allTrue()) {\n"
                        + pad + "    FloatVector " + q + "Near = " + x + ".mul(" + m.group(6) + ");\n"
                        + pad + "    " + q + " = " + q + "Near.fma(" + m.group(5) + ", " + x + ").fma(" + m.group(6) + ", "
                        + q + "Near);\n"
                        + pad + "} else {\n"
                        + pad + "    " + q + " = " + x + ".div(" + m.group(4) + ");\n"
                        + pad + "}").replace("$", "\\$");
            });
        }

        String generate() {
            StringBuilder b = new StringBuilder();
            b.append("// Generated by engine/src/generator/KernelGenerator.java from engine/src/kernels/")
                    .append(file.getFileName()).append(": edit the template, not this file.\n")
                    .append("package io.lanestep.kernel;\n\n")
                    .append("import static io.lanestep.kernel.Flags.*;\n\n")
                    .append("import java.lang.foreign.MemorySegment;\n")
                    .append("import java.nio.ByteOrder;\n")
                    .append("import jdk.incubator.vector.FloatVector;\n")
                    .append("import jdk.incubator.vector.IntVector;\n")
                    .append("import jdk.incubator.vector.LongVector;\n")
                    .append("import jdk.incubator.vector.ShortVector;\n")
                    .append("import jdk.incubator.vector.VectorMask;\n")
                    .append("import jdk.incubator.vector.VectorOperators;\n")
                    .append("import jdk.incubator.vector.VectorSpecies;\n\n")
                    .append("@SuppressWarnings(\"unused\")\n")
                    .append("final class ").append(className).append(" {\n")
                    .append("    private static final java.lang.foreign.ValueLayout.OfFloat F = Lanes.F;\n\n")
                    .append("    private ").append(className).append("() {\n    }\n");
            List<String> tailNames = names(tail);
            List<String> vectorNames = names(vector);
            if (kernel != null) {
                for (String name : vectorNames) {
                    String type = returnType(vector, name);
                    boolean value = !type.equals("void");
                    b.append('\n').append("    static ").append(type).append(' ').append(name).append('(')
                            .append(kernel).append(" k, long from, long to) {\n        ")
                            .append(value ? "return switch (k.bits) {\n" : "switch (k.bits) {\n");
                    for (int bits : WIDTHS) {
                        b.append("            case ").append(bits).append(" -> W").append(bits).append('.')
                                .append(name).append("(k, from, to);\n");
                    }
                    b.append("            default -> ").append(name).append("Tail(k, from, to);\n")
                            .append(value ? "        };\n    }\n" : "        }\n    }\n");
                }
                for (String name : tailNames) {
                    b.append(dispatcher(name, returnType(tail, name), "    "));
                }
                if (formats) {
                    for (String name : vectorNames) {
                        String type = returnType(vector, name);
                        String ret = type.equals("void") ? "" : "return ";
                        b.append('\n').append("    static ").append(type).append(' ').append(half(name, "Half")).append('(')
                                .append(kernel).append(" k, long from, long to) {\n");
                        for (String copy : SIXTEEN_BIT) {
                            String test = switch (copy) {
                                case "Bf16Sr" -> "k.sixteenBit == Halves.BF16 && k.stochastic";
                                case "Bf16M" -> "k.sixteenBit == Halves.BF16 && k.masterRead";
                                case "Bf16" -> "k.sixteenBit == Halves.BF16";
                                case "Fp16M" -> "k.sixteenBit == Halves.FP16 && k.masterRead";
                                default -> "k.sixteenBit == Halves.FP16";
                            };
                            b.append("        if (").append(test).append(" && k.bits != 0) {\n            ").append(ret)
                                    .append("switch (k.bits) {\n");
                            for (int bits : WIDTHS) {
                                b.append("                case ").append(bits).append(" -> W").append(bits).append('.')
                                        .append(half(name, copy)).append("(k, from, to);\n");
                            }
                            b.append("                default -> throw new AssertionError(k.bits);\n            }")
                                    .append(ret.isEmpty() ? "\n            return;\n" : ";\n").append("        }\n");
                        }
                        b.append("        ").append(ret).append(half(name + "Tail", "Half")).append("(k, from, to);\n    }\n");
                    }
                }
                if (formats && (q8 || !optimizers.isEmpty())) {
                    for (String name : vectorNames) {
                        if (!name.contains("Q8") && returnType(vector, name).equals("void")) {
                            b.append(anyFormat(name));
                        }
                    }
                }
            }
            for (String suffix : suffixes()) {
                b.append('\n').append(indent(variant(tail, suffix, tailNames), ""));
            }
            if (formats) {
                b.append('\n').append(indent(halfCopy(tail, List.of(), tailNames, null), ""));
            }
            if (!vector.isBlank()) {
                for (int bits : WIDTHS) {
                    b.append("\n    static final class W").append(bits).append(" {\n")
                            .append(species(bits))
                            .append("\n        private W").append(bits).append("() {\n        }\n");
                    if (kernel != null) {
                        for (String name : vectorNames) {
                            b.append(dispatcher(name, returnType(vector, name), "        "));
                        }
                    }
                    for (String suffix : suffixes()) {
                        String text = variant(vector, suffix, vectorNames);
                        for (String name : tailNames) {
                            text = text.replaceAll("\\b" + name + "\\(", name + suffix + "(");
                        }
                        b.append('\n').append(indent(text, "    "));
                    }
                    if (!helpers.isBlank()) {
                        b.append('\n').append(indent(helpers, "    "));
                    }
                    if (formats) {
                        b.append(conversions(bits));
                        for (String copy : SIXTEEN_BIT) {
                            b.append('\n').append(indent(halfCopy(vector, vectorNames, tailNames, copy), "    "));
                        }
                    }
                    b.append("    }\n");
                }
            }
            return b.append("}\n").toString();
        }

        /**
         * {@code nameAnyFormat}, the loop for the block's formats: see the class comment. A loop that
         * stores nothing (a counting pass) leaves 8-bit codes as they are ({@code Q8Scratch.reads}).
         */
        private String anyFormat(String name) {
            String q8Blocks = body(vector, name).contains("intoMemorySegment(") ? "steps" : "reads";
            return "\n    static void " + name + "AnyFormat(" + kernel + " k, long from, long to) {\n"
                    + (q8 ? "        if (k.stateFormat == Halves.Q8) {\n"
                    + "            Q8Scratch." + q8Blocks + "(k, from, to, " + className + "::" + name + "Q8, " + className + "::"
                    + half(name + "Q8", "Half") + ");\n"
                    + "        } else " : "        ") + "if (k.lowPrecision) {\n"
                    + "            " + half(name, "Half") + "(k, from, to);\n"
                    + "        } else {\n"
                    + "            " + name + "(k, from, to);\n"
                    + "        }\n    }\n";
        }

        /** The name of method {@code name} in 16-bit copy {@code copy}: see the class comment. */
        private static String half(String name, String copy) {
            return name.endsWith("Tail") ? name.substring(0, name.length() - 4) + copy + "Tail" : name + copy;
        }

        /** The format field of the kernel that says how segment {@code x} is stored. */
        private String format(String x) {
            return operands.contains(x) ? "k." + x + "Format" : "k.stateFormat";
        }

        /**
         * The {@code # formats} copy of a section: {@code copy} names the 16-bit format of the
         * vector copy ({@code Bf16}, {@code Fp16}), whose loops convert only between it and
         * float32, or is null for the scalar tails, one copy that reads every format.
         */
        private String halfCopy(String text, List<String> vectorNames, List<String> tailNames, String copy) {
            for (String name : vectorNames) {
                text = text.replaceAll("\\b" + name + "\\(", half(name, copy) + "(");
            }
            for (String name : tailNames) {
                text = text.replaceAll("\\b" + name + "\\(", half(name, "Half") + "(");
            }
            // Master weights: params are the 16-bit copy; the float32 master is read from the second step on.
            text = text.replace("MemorySegment params = k.params;", "MemorySegment params = k.params;\n"
                    + "        MemorySegment master = k.master;\n        boolean masterRead = k.masterRead;\n"
                    + "        long srSeed = k.seed;\n        long srStep = k.step;\n        long srOrigin = k.origin;");
            if (copy != null) {
                boolean bf16 = copy.startsWith("Bf16");
                boolean stochastic = copy.equals("Bf16Sr");
                boolean master = copy.endsWith("M");
                if (stochastic) {
                    // The Philox words of blocks srBase, srBase + 1, ... (see philox): none yet.
                    text = text.replace("long srStep = k.step;", "long srStep = k.step;\n"
                            + "        long srBase = Long.MIN_VALUE;\n"
                            + "        IntVector sr0 = IntVector.zero(INTS), sr1 = sr0, sr2 = sr0, sr3 = sr0;\n"
                            + "        LongVector srM0 = LongVector.broadcast(LONGS, 0xD2511F53L).and(0xffffffffL);\n"
                            + "        LongVector srM2 = LongVector.broadcast(LONGS, 0xCD9E8D57L).and(0xffffffffL);\n"
                            + "        VectorMask<Integer> srOdd = VectorMask.fromLong(INTS, 0xAAAAAAAAAAAAAAAAL);");
                }
                if (bf16) {
                    text = text.replace("RECIPROCAL && Reciprocal.exact(", "RECIPROCAL_BF16 && Reciprocal.exact(");
                }
                // Times 1 leaves every bit, and the multiply heads every later operation's chain (Flags#CLIP_VALUE).
                text = GRAD_SCALE.matcher(text).replaceAll("$1if (gradScale != 1f) {\n$1    $2 = $2.mul(gradScale);\n$1}");
                text = text.replaceAll("\\bS\\b", "MASKED").replaceAll("\\bLANES\\b", "MASKED_LANES");
                text = HALF_LOAD.matcher(text).replaceAll(m -> load(m.group(1), m.group(2), m.group(3),
                        format(m.group(3)), m.group(4), bf16, master).replace("$", "\\$"));
                text = HALF_STORE.matcher(text).replaceAll(m -> store(m.group(1), m.group(2), m.group(3),
                        format(m.group(3)), bf16, stochastic && m.group(3).equals("params"), master)
                        .replace("$", "\\$"));
                if (!bf16) {
                    text = chunked(text);
                }
            }
            Matcher segments = Pattern.compile("MemorySegment (\\w+) = ").matcher(text);
            Set<String> names16 = new LinkedHashSet<>();
            while (segments.find()) {
                names16.add(segments.group(1));
            }
            names16.remove("master");
            for (String x : names16) {
                String f = format(x);
                if (x.equals("params")) {
                    text = rewriteCalls(text, "params.getAtIndex(F, ", args -> "(masterRead ? master.getAtIndex(Lanes.F, " + args
                            + ") : Halves.at(params, " + f + ", " + args + "))");
                    text = rewriteCalls(text, "params.setAtIndex(F, ", args -> "Halves.putParam(k, params, master, " + f + ", "
                            + args + ")");
                    continue;
                }
                text = rewriteCalls(text, x + ".getAtIndex(F, ", args -> "Halves.at(" + x + ", " + f + ", " + args + ")");
                text = rewriteCalls(text, x + ".setAtIndex(F, ", args -> "Halves.put(" + x + ", " + f + ", " + args + ")");
            }
            if (Pattern.compile("MemorySegment\\((?:MASKED, )?\\w+, o, ").matcher(text).find() || text.contains("AtIndex(F")) {
                throw new IllegalArgumentException(file + ": an access has no 16-bit form: " + text);
            }
            return text;
        }

        /** The species of the 16-bit copies' conversions, at {@code max(bits, 128)} bits like MASKED. */
        private static String conversions(int bits) {
            int wide = Math.max(bits, 128);
            return "\n        private static final VectorSpecies<Short> HALF = ShortVector.SPECIES_" + wide / 2 + ";\n"
                    + "        private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_" + wide + ";\n"
                    + "        private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_" + wide + ";\n"
                    + "        private static final boolean RECIPROCAL_BF16 = Reciprocal.BF16_ENABLED_FROM_BITS <= " + bits
                    + ";\n";
        }

        /**
         * Declares {@code IntVector q16}, the 16 random bits of stochastic rounding for the lanes'
         * elements {@code origin + i, origin + i + 1, ...} (see {@code io.lanestep.Rounding}). One Philox4x32-10
         * block gives the words of four elements, so the copy runs the ten rounds on a vector of
         * consecutive blocks, {@code srBase, srBase + 1, ...}, keeps the words in {@code sr0..sr3}
         * across iterations and picks each lane's word with a permute; it runs the rounds again
         * when the lanes' elements leave those blocks, every fourth iteration. (Each lane running
         * its own element's block did every block four times.) The rounds stay a loop: unrolled,
         * the method grew past what C1 compiles and never reached C2. The 32x32-bit products are
         * taken in 64-bit lanes, even and odd int lanes apart. C2 multiplies them as unsigned 32-bit
         * ({@code vpmuludq}) only when both factors are masked or shifted vectors, so the
         * multipliers {@code srM0}, {@code srM2} are masked too: as plain constants each product
         * was a full 64-bit multiply of seven instructions (254 against 172 µs per 64K Adam step).
         * The words are put together with blends on the odd int lanes (172 -> 164 µs).
         */
        private static String philox(String pad) {
            StringBuilder b = new StringBuilder();
            String in = pad + "    ";
            String in2 = in + "    ";
            b.append(pad).append("long at16 = srOrigin + i;\n")
                    .append(pad).append("long first16 = at16 >>> 2;\n")
                    .append(pad).append("if (first16 < srBase || ((at16 + MASKED_LANES - 1) >>> 2) >= srBase + MASKED_LANES) {\n")
                    .append(in).append("srBase = first16;\n")
                    .append(in).append("IntVector c0 = IntVector.zero(INTS).addIndex(1).add((int) srBase);\n")
                    .append(in).append("IntVector c1 = IntVector.broadcast(INTS, (int) (srBase >>> 32));\n")
                    .append(in).append("c1 = c1.blend(c1.add(1), c0.compare(VectorOperators.ULT, (int) srBase));\n")
                    .append(in).append("IntVector c2 = IntVector.broadcast(INTS, (int) srStep);\n")
                    .append(in).append("IntVector c3 = IntVector.broadcast(INTS, (int) (srStep >>> 32));\n")
                    .append(in).append("int k0 = (int) srSeed;\n")
                    .append(in).append("int k1 = (int) (srSeed >>> 32);\n")
                    .append(in).append("for (int round = 0; round < 10; round++) {\n");
            for (String m : new String[] {"0", "2"}) {
                b.append(in2).append("LongVector e").append(m).append(" = c").append(m).append(".reinterpretAsLongs();\n")
                        .append(in2).append("LongVector pe").append(m).append(" = e").append(m)
                        .append(".and(0xffffffffL).mul(srM").append(m).append(");\n")
                        .append(in2).append("LongVector po").append(m).append(" = e").append(m)
                        .append(".lanewise(VectorOperators.LSHR, 32).mul(srM").append(m).append(");\n")
                        .append(in2).append("IntVector lo").append(m).append(" = pe").append(m)
                        .append(".reinterpretAsInts().blend(po").append(m)
                        .append(".lanewise(VectorOperators.LSHL, 32).reinterpretAsInts(), srOdd);\n")
                        .append(in2).append("IntVector hi").append(m).append(" = pe").append(m)
                        .append(".lanewise(VectorOperators.LSHR, 32).reinterpretAsInts().blend(po").append(m)
                        .append(".reinterpretAsInts(), srOdd);\n");
            }
            b.append(in2).append("c0 = hi2.lanewise(VectorOperators.XOR, c1).lanewise(VectorOperators.XOR, k0);\n")
                    .append(in2).append("c1 = lo2;\n")
                    .append(in2).append("c2 = hi0.lanewise(VectorOperators.XOR, c3).lanewise(VectorOperators.XOR, k1);\n")
                    .append(in2).append("c3 = lo0;\n")
                    .append(in2).append("k0 += 0x9E3779B9;\n")
                    .append(in2).append("k1 += 0xBB67AE85;\n")
                    .append(in).append("}\n")
                    .append(in).append("sr0 = c0;\n").append(in).append("sr1 = c1;\n")
                    .append(in).append("sr2 = c2;\n").append(in).append("sr3 = c3;\n")
                    .append(pad).append("}\n");
            return b.append(pad).append("IntVector lane16 = IntVector.zero(INTS).addIndex(1).add((int) (at16 - (srBase << 2)));\n")
                    .append(pad).append("IntVector block16 = lane16.lanewise(VectorOperators.LSHR, 2);\n")
                    .append(pad).append("IntVector word16 = lane16.and(3);\n")
                    .append(pad).append("IntVector q16 = block16.selectFrom(sr0)\n")
                    .append(pad).append("        .blend(block16.selectFrom(sr1), word16.compare(VectorOperators.EQ, 1))\n")
                    .append(pad).append("        .blend(block16.selectFrom(sr2), word16.compare(VectorOperators.EQ, 2))\n")
                    .append(pad).append("        .blend(block16.selectFrom(sr3), word16.compare(VectorOperators.EQ, 3))\n")
                    .append(pad).append("        .lanewise(VectorOperators.LSHR, 16);\n")
                    .toString();
        }

        /**
         * A load of a 16-bit copy, {@code FloatVector x = load(seg)rest;}, expanded inline: bf16
         * widens by a shift; fp16 reads the chunk's float32 copy (see {@link #chunked}); the
         * {@code M} copies read the params from the float32 master.
         */
        private static String load(String pad, String x, String seg, String format, String rest, boolean bf16,
                                   boolean master) {
            String in = pad + "    ";
            if (master && seg.equals("params")) {
                return pad + "FloatVector " + x + " = FloatVector.fromMemorySegment(MASKED, master, i * Float.BYTES, ORDER)"
                        + rest + ";\n";
            }
            return pad + "FloatVector " + x + ";\n"
                    + pad + "if (" + format + " == Halves.FP32) {\n"
                    + in + x + " = FloatVector.fromMemorySegment(MASKED, " + seg + ", i * Float.BYTES, ORDER);\n"
                    + pad + "} else {\n"
                    + (bf16 ? in + "IntVector h16 = (IntVector) ShortVector.fromMemorySegment(HALF, " + seg + ", i * 2, ORDER)\n"
                    + in + "        .convertShape(VectorOperators.S2I, INTS, 0);\n"
                    + in + x + " = h16.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();\n"
                    : in + x + " = FloatVector.fromArray(MASKED, h16" + seg + ", j16);\n")
                    + pad + "}\n"
                    + (rest.isEmpty() ? "" : pad + x + " = " + x + rest + ";\n");
        }

        /**
         * A store of a 16-bit copy, expanded inline: bf16 rounds to nearest even as
         * {@code io.lanestep.kernel.Halves} does, lane for lane (NaN {@code 0x7fc0}), or
         * stochastically; fp16 writes the chunk's float32 copy (see {@link #chunked}).
         */
        private static String store(String pad, String value, String seg, String format, boolean bf16,
                                    boolean stochastic, boolean master) {
            String in = pad + "    ";
            String in2 = in + "    ";
            String head = pad + "{\n"
                    + in + "FloatVector w16 = " + value + ";\n"
                    + (master && seg.equals("params") ? in + "w16.intoMemorySegment(master, i * Float.BYTES, ORDER);\n" : "")
                    + in + "if (" + format + " == Halves.FP32) {\n"
                    + in2 + "w16.intoMemorySegment(" + seg + ", i * Float.BYTES, ORDER);\n"
                    + in + "} else {\n";
            if (!bf16) {
                // fp16: into the chunk's float32 copy, which Fp16Scratch narrows after the chunk's loop.
                return head + in2 + "w16.intoArray(h16" + seg + ", j16);\n"
                        + in2 + "stored16" + seg + " = true;\n"
                        // x - x is NaN only for NaN (and infinities): the chunk's NaN test, off the narrowing pass.
                        + in2 + "nan16" + seg + " = nan16" + seg + ".add(w16.sub(w16));\n"
                        + in + "}\n" + pad + "}";
            }
            return head + in2 + "IntVector x16 = w16.reinterpretAsInts();\n"
                    + in2 + "IntVector r16;\n"
                    + (stochastic ? philox(in2)
                    + in2 + "r16 = x16.add(q16).lanewise(VectorOperators.LSHR, 16)\n"
                    + in2 + "        .blend(0x7fc0, w16.compare(VectorOperators.NE, w16).cast(INTS));\n"
                    : in2 + "r16 = x16.add(x16.lanewise(VectorOperators.LSHR, 16).and(1)).add(0x7fff)\n"
                    + in2 + "        .lanewise(VectorOperators.LSHR, 16)\n"
                    + in2 + "        .blend(0x7fc0, w16.compare(VectorOperators.NE, w16).cast(INTS));\n")
                    + in2 + "((ShortVector) r16.convertShape(VectorOperators.I2S, HALF, 0)).intoMemorySegment(" + seg
                    + ", i * 2, ORDER);\n"
                    + in + "}\n"
                    + pad + "}";
        }

        /**
         * The fp16 copy's vector loops, {@code for (long i = from; i < end; i += MASKED_LANES)}, run
         * in chunks of {@code Fp16Scratch.CHUNK}: before a chunk, each fp16 operand a loop loads
         * is widened into its float32 array of the thread's Fp16Scratch; after it, each one it
         * stores is narrowed back.
         */
        private String chunked(String text) {
            String header = "for (long i = from; i < end; i += MASKED_LANES) {\n";
            for (int at = text.indexOf(header); at >= 0; at = text.indexOf(header, at + 1)) {
                int lineStart = text.lastIndexOf('\n', at) + 1;
                int close = at + header.length() - 2;
                for (int depth = 0; ; close++) {
                    char c = text.charAt(close);
                    depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                    if (depth == 0) {
                        break;
                    }
                }
                String body = text.substring(at + header.length(), text.lastIndexOf('\n', close) + 1);
                String loop = chunk(text.substring(lineStart, at), body);
                text = text.substring(0, lineStart) + loop + text.substring(close + 1);
                at = lineStart + loop.length();
            }
            return text;
        }

        /** One loop of {@link #chunked}, at indentation {@code pad}, with the old loop's {@code body}. */
        private String chunk(String pad, String body) {
            Set<String> loaded = new LinkedHashSet<>();
            SCRATCH_LOAD.matcher(body).results().forEach(m -> loaded.add(m.group(1)));
            Set<String> stored = new LinkedHashSet<>();
            SCRATCH_STORE.matcher(body).results().forEach(m -> stored.add(m.group(1)));
            Set<String> operands = new LinkedHashSet<>(loaded);
            operands.addAll(stored);
            if (operands.size() > 8) {
                throw new IllegalArgumentException(file + ": more fp16 operands than Fp16Scratch has slots: " + operands);
            }
            String in = pad + "    ";
            String in2 = in + "    ";
            StringBuilder b = new StringBuilder(pad + "Fp16Scratch f16 = Fp16Scratch.get();\n");
            int slot = 0;
            for (String x : operands) {
                b.append(pad).append("float[] h16").append(x).append(" = f16.slot(").append(slot++).append(");\n");
            }
            b.append(pad).append("for (long c16 = from; c16 < end; c16 += Fp16Scratch.CHUNK) {\n")
                    .append(in).append("int n16 = (int) Math.min(Fp16Scratch.CHUNK, end - c16);\n");
            for (String x : loaded) {
                // Slots a step leaves out (AMSGrad's maximum without AMSGrad) are empty segments.
                b.append(in).append("if (").append(format(x)).append(" == Halves.FP16 && ").append(x)
                        .append(".byteSize() != 0) {\n")
                        .append(in2).append("f16.widen(").append(x).append(", c16, n16, h16").append(x).append(");\n")
                        .append(in).append("}\n");
            }
            for (String x : stored) {
                b.append(in).append("boolean stored16").append(x).append(" = false;\n");
                b.append(in).append("FloatVector nan16").append(x).append(" = FloatVector.zero(MASKED);\n");
            }
            b.append(in).append("for (long i = c16; i < c16 + n16; i += MASKED_LANES) {\n")
                    .append(in2).append("int j16 = (int) (i - c16);\n")
                    .append(indent(body, "    "))
                    .append(in).append("}\n");
            for (String x : stored) {
                b.append(in).append("if (stored16").append(x).append(") {\n")
                        .append(in2).append("f16.narrow(h16").append(x).append(", ").append(x)
                        .append(", c16, n16, nan16").append(x).append(".reduceLanes(VectorOperators.ADD));\n")
                        .append(in).append("}\n");
            }
            return b.append(pad).append("}").toString();
        }

        private static String species(int bits) {
            // C2 on x86 has no 64-bit float compare or blend (they run boxed, 100x slower), so kernels
            // that compare lanes run them on MASKED, 128-bit vectors at 64 bits: the same bits.
            return "        private static final VectorSpecies<Float> S = FloatVector.SPECIES_" + bits + ";\n"
                    + "        private static final int LANES = S.length();\n"
                    + "        private static final VectorSpecies<Float> MASKED = FloatVector.SPECIES_"
                    + Math.max(bits, 128) + ";\n"
                    + "        private static final int MASKED_LANES = MASKED.length();\n"
                    + "        private static final ByteOrder ORDER = ByteOrder.nativeOrder();\n"
                    + "        private static final boolean RECIPROCAL = Reciprocal.ENABLED_FROM_BITS <= " + bits
                    + ";\n";
        }

        private String dispatcher(String name, String type, String pad) {
            boolean value = !type.equals("void");
            StringBuilder b = new StringBuilder("\n" + pad + "static " + type + " " + name + "(" + kernel
                    + " k, long from, long to) {\n");
            List<String> suffixes = suffixes();
            for (String suffix : suffixes) {
                StringBuilder cond = new StringBuilder();
                for (int i = 0; i < operands.size(); i++) {
                    cond.append(i == 0 ? "" : " && ").append("k.").append(operands.get(i)).append("Array")
                            .append(suffix.charAt(i) == 'N' ? " == null" : " != null");
                }
                b.append(pad).append("    if (").append(cond).append(") {\n").append(pad).append("        ")
                        .append(value ? "return " : "").append(name).append(suffix).append("(k, from, to);\n")
                        .append(value ? "" : pad + "        return;\n").append(pad).append("    }\n");
            }
            return b.append(pad).append("    throw new AssertionError(\"unreachable\");\n").append(pad)
                    .append("}\n").toString();
        }

        private List<String> suffixes() {
            List<String> result = new ArrayList<>();
            for (int mask = 0; mask < 1 << operands.size(); mask++) {
                StringBuilder s = new StringBuilder();
                for (int i = 0; i < operands.size(); i++) {
                    s.append((mask >> (operands.size() - 1 - i) & 1) == 0 ? 'N' : 'A');
                }
                result.add(s.toString());
            }
            return result;
        }

        /** The text of method {@code name} of {@code section}, up to the next method. */
        private static String body(String section, String name) {
            Matcher m = METHOD.matcher(section);
            while (m.find()) {
                if (m.group(2).equals(name)) {
                    int start = m.start();
                    return section.substring(start, m.find() ? m.start() : section.length());
                }
            }
            throw new IllegalArgumentException("no method " + name);
        }

        private static String returnType(String section, String name) {
            Matcher m = METHOD.matcher(section);
            while (m.find()) {
                if (m.group(2).equals(name)) {
                    return m.group(1);
                }
            }
            throw new IllegalArgumentException("no method " + name);
        }

        private static List<String> names(String section) {
            Set<String> names = new LinkedHashSet<>();
            Matcher m = METHOD.matcher(section);
            while (m.find()) {
                names.add(m.group(2));
            }
            return List.copyOf(names);
        }

        private String variant(String text, String suffix, List<String> names) {
            for (String name : names) {
                text = text.replaceAll("\\b" + name + "\\(", name + suffix + "(");
            }
            if (kernel != null) {
                text = text.replaceAll("(?m)^    static ", "    private static ");
            }
            for (int i = 0; i < operands.size(); i++) {
                if (suffix.charAt(i) == 'A') {
                    text = heap(text, operands.get(i));
                }
            }
            return text;
        }

        /** Rewrites every access to operand {@code x} from a native segment to a float[] and its base index. */
        private String heap(String text, String x) {
            text = text.replace("MemorySegment " + x + " = k." + x + ";",
                    "float[] " + x + "Array = k." + x + "Array;\n        int " + x + "Base = k." + x + "Base;");
            text = arrayAccesses(file, text, x);
            if (text.contains("k." + x + "Array, ")) {
                throw new IllegalArgumentException(file + ": an access to " + x + " has no heap form: " + text);
            }
            return text;
        }

        /**
         * Rewrites every access to segment {@code x}, declared already as {@code float[] xArray}
         * and {@code int xBase} (the index of element 0 in it), to that array.
         */
        private static String arrayAccesses(Path file, String text, String x) {
            String arr = x + "Array";
            String base = x + "Base";
            text = text.replace("MemorySegment " + x + ",", "float[] " + arr + ", int " + base + ",");
            Matcher load = Pattern.compile("FloatVector\\.fromMemorySegment\\(([\\w.]+), " + x
                    + ", o( \\+ (\\d+))?, [\\w.]*ORDER\\)").matcher(text);
            text = load.replaceAll(r -> "FloatVector.fromArray(" + r.group(1) + ", " + arr + ", " + base
                    + " + (int) i" + (r.group(3) == null ? "" : " + " + Integer.parseInt(r.group(3)) / Float.BYTES)
                    + ")");
            text = text.replaceAll("\\.intoMemorySegment\\(" + x + ", o, [\\w.]*ORDER\\)", ".intoArray(" + arr + ", "
                    + base + " + (int) i)");
            text = rewriteCalls(text, x + ".getAtIndex(F, ", args -> arr + "[" + base + " + (int) (" + args + ")]");
            text = rewriteCalls(text, x + ".setAtIndex(F, i, ", args -> arr + "[" + base + " + (int) i] = " + args);
            text = text.replaceAll("(?<!\\.)\\b" + x + "\\b(?!\\.|Array|Base)", arr + ", " + base);
            if (Pattern.compile("\\b" + x + "\\.").matcher(text).find()) {
                throw new IllegalArgumentException(file + ": an access to " + x + " has no array form: " + text);
            }
            return text;
        }

        private static String rewriteCalls(String text, String head, java.util.function.UnaryOperator<String> body) {
            StringBuilder b = new StringBuilder();
            int at = 0;
            for (int i = text.indexOf(head); i >= 0; i = text.indexOf(head, at)) {
                int depth = 1;
                int j = i + head.length();
                for (; depth > 0; j++) {
                    char c = text.charAt(j);
                    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                }
                b.append(text, at, i).append(body.apply(text.substring(i + head.length(), j - 1)));
                at = j;
            }
            return b.append(text.substring(at)).toString();
        }

        private static String indent(String text, String pad) {
            return text.lines().map(l -> l.isEmpty() ? l : pad + l).reduce("", (a, l) -> a + l + "\n");
        }
    }
}
