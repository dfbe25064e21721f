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
 * <p>A {@code # formats} line adds a 16-bit copy of every method, {@code nameHalf} ({@code runTail}
 * becomes {@code runHalfTail}), for blocks whose parameters, gradients or state are stored as bf16
 * or fp16 ({@code io.lanestep.Format}): every load of an operand widens it from the kernel's format
 * for it ({@code k.paramsFormat}, {@code k.gradsFormat}, {@code k.stateFormat} for every other
 * segment) and every store rounds it back, so the float32 math is the template's, untouched, and
 * the float32 loops stay as they were. The copy runs native memory only, and at the 64-bit width on
 * 128-bit vectors: no 32-bit vector of four 16-bit lanes exists to widen from.
 *
 * <p>One macro: {@code FloatVector q = @divide(x, b, negB, invB, enabled);} expands to the
 * division by a per-step constant of {@code Reciprocal}, inline, because a helper method taking
 * vectors that C2 has compiled on its own is not inlined into a large loop, and every vector of
 * that loop is then boxed (100x slower).
 *
 * <p>Run: {@code java engine/src/generator/KernelGenerator.java TEMPLATES OUT}.
 */
public final class KernelGenerator {
    private static final int[] WIDTHS = {64, 128, 256, 512};
    private static final Pattern DIVIDE = Pattern.compile(
            "(?m)^(\\s*)FloatVector (\\w+) = @divide\\((\\w+), (\\w+), (\\w+), (\\w+), (\\w+)\\);$");
    private static final Pattern METHOD = Pattern.compile("(?m)^    static (\\w+) (\\w+)\\(");
    private static final Pattern VECTOR_STORE = Pattern.compile("(?m)^(\\s*)(.+)\\.intoMemorySegment\\((\\w+), o, ORDER\\);$");
    private static final Pattern SCALAR_STORE = Pattern.compile("(?m)^(\\s*)(\\w+)\\.setAtIndex\\(F, (\\w+), (.+)\\);$");
    private static final Pattern HALF_LOAD = Pattern.compile("FloatVector\\.fromMemorySegment\\((?:S|MASKED), (\\w+), o, ORDER\\)");
    private static final Pattern HALF_STORE = Pattern.compile("(?m)^(\\s*)(.+)\\.intoMemorySegment\\((\\w+), o, ORDER\\);$");

    public static void main(String[] args) throws IOException {
        Path templates = Path.of(args[0]);
        Path out = Path.of(args[1]).resolve("io/lanestep/kernel");
        Files.createDirectories(out);
        List<Path> files;
        try (Stream<Path> s = Files.list(templates)) {
            files = s.filter(p -> p.toString().endsWith(".kernel")).sorted().toList();
        }
        for (Path file : files) {
            Template t = Template.parse(file);
            Files.writeString(out.resolve(t.className + ".java"), t.generate(), StandardCharsets.UTF_8);
        }
        System.out.println("generated " + files.size() + " kernel classes into " + out);
    }

    private record Template(Path file, String className, String kernel, List<String> operands, String vector,
                            String tail, boolean formats) {
        static Template parse(Path file) throws IOException {
            String className = null;
            String kernel = null;
            String split = null;
            boolean flushState = false;
            boolean formats = false;
            List<String> operands = List.of();
            StringBuilder vector = new StringBuilder();
            StringBuilder tail = new StringBuilder();
            StringBuilder section = null;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("# class ")) {
                    className = line.substring(8).trim();
                } else if (line.startsWith("# kernel ")) {
                    kernel = line.substring(9).trim();
                } else if (line.equals("# flush-state")) {
                    flushState = true;
                } else if (line.equals("# formats")) {
                    formats = true;
                } else if (line.startsWith("# split ")) {
                    split = line.substring(8).trim();
                } else if (line.startsWith("# operands ")) {
                    operands = List.of(line.substring(11).trim().split("\\s+"));
                } else if (line.equals("## vector")) {
                    section = vector;
                } else if (line.equals("## tail")) {
                    section = tail;
                } else if (section != null) {
                    section.append(line).append('\n');
                } else if (!line.startsWith("//") && !line.isBlank()) {
                    throw new IllegalArgumentException(file + ": unexpected line before a section: " + line);
                }
            }
            if (className == null || operands.isEmpty()) {
                throw new IllegalArgumentException(file + " needs '# class NAME' and '# operands A B'");
            }
            String v = divide(vector.toString());
            String t = tail.toString();
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
            return new Template(file, className, kernel, operands, v, t, formats);
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
                    .append("import jdk.incubator.vector.ShortVector;\n")
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
                        b.append('\n').append("    static ").append(type).append(' ').append(half(name)).append('(')
                                .append(kernel).append(" k, long from, long to) {\n        ")
                                .append(type.equals("void") ? "switch (k.bits) {\n" : "return switch (k.bits) {\n");
                        for (int bits : WIDTHS) {
                            b.append("            case ").append(bits).append(" -> W").append(bits).append('.')
                                    .append(half(name)).append("(k, from, to);\n");
                        }
                        b.append("            default -> ").append(half(name + "Tail")).append("(k, from, to);\n")
                                .append(type.equals("void") ? "        }\n    }\n" : "        };\n    }\n");
                    }
                }
            }
            for (String suffix : suffixes()) {
                b.append('\n').append(indent(variant(tail, suffix, tailNames), ""));
            }
            if (formats) {
                b.append('\n').append(indent(halfCopy(tail, tailNames, false), ""));
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
                    if (formats) {
                        List<String> all = new ArrayList<>(vectorNames);
                        all.addAll(tailNames);
                        b.append(conversions(bits)).append('\n').append(indent(halfCopy(vector, all, true), "    "));
                    }
                    b.append("    }\n");
                }
            }
            return b.append("}\n").toString();
        }

        /** The 16-bit copy's name of method {@code name}: see the class comment. */
        private static String half(String name) {
            return name.endsWith("Tail") ? name.substring(0, name.length() - 4) + "HalfTail" : name + "Half";
        }

        /** The format field of the kernel that says how segment {@code x} is stored. */
        private String format(String x) {
            return operands.contains(x) ? "k." + x + "Format" : "k.stateFormat";
        }

        /** The {@code # formats} copy of a section: see the class comment. */
        private String halfCopy(String text, List<String> names, boolean vectors) {
            for (String name : names) {
                text = text.replaceAll("\\b" + name + "\\(", half(name) + "(");
            }
            if (vectors) {
                text = text.replaceAll("\\bS\\b", "MASKED").replaceAll("\\bLANES\\b", "MASKED_LANES");
                text = HALF_LOAD.matcher(text).replaceAll(m -> "load(" + m.group(1) + ", i, " + format(m.group(1)) + ")");
                text = HALF_STORE.matcher(text).replaceAll(m -> (m.group(1) + "store(" + m.group(2) + ", " + m.group(3)
                        + ", i, " + format(m.group(3)) + ");").replace("$", "\\$"));
            }
            Matcher segments = Pattern.compile("MemorySegment (\\w+) = ").matcher(text);
            Set<String> names16 = new LinkedHashSet<>();
            while (segments.find()) {
                names16.add(segments.group(1));
            }
            for (String x : names16) {
                String f = format(x);
                text = rewriteCalls(text, x + ".getAtIndex(F, ", args -> "Halves.at(" + x + ", " + f + ", " + args + ")");
                text = rewriteCalls(text, x + ".setAtIndex(F, ", args -> "Halves.put(" + x + ", " + f + ", " + args + ")");
            }
            if (text.contains("fromMemorySegment(") || text.contains("intoMemorySegment(") || text.contains("AtIndex(F")) {
                throw new IllegalArgumentException(file + ": an access has no 16-bit form: " + text);
            }
            return text;
        }

        /**
         * Each width's conversions of the 16-bit copy, at {@code max(bits, 128)} bits: bf16 widens by
         * a shift; fp16 rebiases normals, scales subnormals from an exact integer conversion (no
         * subnormal float is ever formed) and keeps infinities and NaN payloads; stores round to
         * nearest even as {@code io.lanestep.kernel.Halves} does, lane for lane.
         */
        private static String conversions(int bits) {
            int wide = Math.max(bits, 128);
            return "\n        private static final VectorSpecies<Short> HALF = ShortVector.SPECIES_" + wide / 2 + ";\n"
                    + "        private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_" + wide + ";\n"
                    + "\n"
                    + "        static FloatVector load(MemorySegment s, long i, int format) {\n"
                    + "            if (format == Halves.FP32) {\n"
                    + "                return FloatVector.fromMemorySegment(MASKED, s, i * Float.BYTES, ORDER);\n"
                    + "            }\n"
                    + "            IntVector h = (IntVector) ShortVector.fromMemorySegment(HALF, s, i * 2, ORDER)\n"
                    + "                    .convertShape(VectorOperators.S2I, INTS, 0);\n"
                    + "            if (format == Halves.BF16) {\n"
                    + "                return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();\n"
                    + "            }\n"
                    + "            IntVector mag = h.and(0x7fff);\n"
                    + "            IntVector shifted = mag.lanewise(VectorOperators.LSHL, 13);\n"
                    + "            IntVector subnormal = ((FloatVector) mag.convert(VectorOperators.I2F, 0)).mul(0x1p-24f)\n"
                    + "                    .reinterpretAsInts();\n"
                    + "            IntVector bits = shifted.add(112 << 23)\n"
                    + "                    .blend(subnormal, mag.compare(VectorOperators.LT, 0x400))\n"
                    + "                    .blend(shifted.or(0x7f800000), mag.compare(VectorOperators.GE, 0x7c00));\n"
                    + "            return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();\n"
                    + "        }\n"
                    + "\n"
                    + "        static void store(FloatVector v, MemorySegment s, long i, int format) {\n"
                    + "            if (format == Halves.FP32) {\n"
                    + "                v.intoMemorySegment(s, i * Float.BYTES, ORDER);\n"
                    + "                return;\n"
                    + "            }\n"
                    + "            IntVector x = v.reinterpretAsInts();\n"
                    + "            IntVector h;\n"
                    + "            if (format == Halves.BF16) {\n"
                    + "                h = x.add(x.lanewise(VectorOperators.LSHR, 16).and(1)).add(0x7fff)\n"
                    + "                        .lanewise(VectorOperators.LSHR, 16)\n"
                    + "                        .blend(0x7fc0, v.compare(VectorOperators.NE, v).cast(INTS));\n"
                    + "            } else {\n"
                    + "                IntVector a = x.and(0x7fffffff);\n"
                    + "                IntVector normal = a.add(((15 - 127) << 23) + 0xfff).add(a.lanewise(VectorOperators.LSHR, 13)\n"
                    + "                        .and(1)).lanewise(VectorOperators.LSHR, 13);\n"
                    + "                // Adding 0.5 rounds to a multiple of 2^-24, fp16's smallest subnormal, to nearest even.\n"
                    + "                IntVector subnormal = a.reinterpretAsFloats().add(0.5f).reinterpretAsInts().sub(0x3f000000);\n"
                    + "                h = normal.blend(subnormal, a.compare(VectorOperators.LT, 0x38800000))\n"
                    + "                        .blend(0x7c00, a.compare(VectorOperators.GE, 0x47800000))\n"
                    + "                        .blend(0x7e00, a.compare(VectorOperators.GT, 0x7f800000))\n"
                    + "                        .or(x.lanewise(VectorOperators.LSHR, 16).and(0x8000));\n"
                    + "            }\n"
                    + "            ((ShortVector) h.convertShape(VectorOperators.I2S, HALF, 0)).intoMemorySegment(s, i * 2, ORDER);\n"
                    + "        }\n";
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
            String arr = x + "Array";
            String base = x + "Base";
            text = text.replace("MemorySegment " + x + " = k." + x + ";",
                    "float[] " + arr + " = k." + arr + ";\n        int " + base + " = k." + base + ";");
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
            text = text.replaceAll("\\b" + x + "\\b(?!\\.|Array|Base)", arr + ", " + base);
            if (Pattern.compile("\\b" + x + "\\.").matcher(text).find() || text.contains("k." + arr + ", ")) {
                throw new IllegalArgumentException(file + ": an access to " + x + " has no heap form: " + text);
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
