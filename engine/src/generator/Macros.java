import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The memory accesses of a template's loops, written as macros so that every copy the generator
 * makes (widths, heap arrays, 16-bit formats, 8-bit state, flushed stores) finds them in one form:
 * <pre>
 * &#64;load(SPECIES, seg)          the lanes at element i of a vector loop (byte offset o)
 * &#64;load(SPECIES, seg, offset)  the lanes at another byte offset
 *                               (the byte order is ORDER, or X.ORDER for a species X.NAME)
 * &#64;store(seg, value);          value's lanes to element i of a vector loop (a statement)
 * &#64;get(seg, index)             one element, in a scalar tail
 * &#64;set(seg, index, value);     one element stored (a statement)
 * </pre>
 * A vector load starts the initialiser of a {@code FloatVector} declaration and a store is a
 * statement of its own line, so a 16-bit copy has a statement to replace; either elsewhere, and the
 * Java calls these stand for anywhere, are refused in a template, naming the line.
 */
final class Macros {
    private static final Pattern RAW = Pattern.compile("fromMemorySegment\\(|intoMemorySegment\\(|[gs]etAtIndex\\(F,");
    private static final Pattern LOAD_LINE = Pattern.compile("\\s*FloatVector \\w+ = @load\\(.*;");
    private static final Pattern STORE_LINE = Pattern.compile("\\s*@store\\(.*\\);");

    private Macros() {
    }

    /** The message for a template line that accesses memory without a macro, or null. */
    static String refusal(String line) {
        return RAW.matcher(line).find()
                ? "write memory accesses as @load(S, seg), @store(seg, value), @get(seg, i) or @set(seg, i, value): "
                        + line.trim()
                : null;
    }

    /** {@code line} (of a template, at {@code where}) with every macro expanded to the Java the copies rewrite. */
    static String expand(String where, String line) {
        if (line.contains("@load(") && (!LOAD_LINE.matcher(line).matches()
                || line.indexOf("@load(") != line.lastIndexOf("@load("))) {
            throw new IllegalArgumentException(where + ": a vector load starts the initialiser of a declaration of"
                    + " its own, 'FloatVector x = @load(S, seg)...;', so that the 16-bit copies can replace it: "
                    + line.trim());
        }
        if (line.contains("@store(") && !STORE_LINE.matcher(line).matches()) {
            throw new IllegalArgumentException(where + ": a vector store is a statement of its own,"
                    + " '@store(seg, value);': " + line.trim());
        }
        line = expand(where, line, "@load(", 2, 3, a -> "FloatVector.fromMemorySegment(" + a.get(0) + ", " + a.get(1)
                + ", " + (a.size() == 3 ? a.get(2) : "o") + ", " + order(a.get(0)) + ")");
        line = expand(where, line, "@store(", 2, 2, a -> a.get(1) + ".intoMemorySegment(" + a.get(0) + ", o, ORDER)");
        line = expand(where, line, "@get(", 2, 2, a -> a.get(0) + ".getAtIndex(F, " + a.get(1) + ")");
        return expand(where, line, "@set(", 3, 3, a -> a.get(0) + ".setAtIndex(F, " + a.get(1) + ", " + a.get(2) + ")");
    }

    /** The byte order beside the species: {@code ORDER}, or {@code X.ORDER} for a species {@code X.NAME}. */
    private static String order(String species) {
        int dot = species.lastIndexOf('.');
        return dot < 0 ? "ORDER" : species.substring(0, dot) + ".ORDER";
    }

    private static String expand(String where, String line, String head, int min, int max,
                                 Function<List<String>, String> java) {
        StringBuilder b = new StringBuilder();
        int at = 0;
        for (int i = line.indexOf(head); i >= 0; i = line.indexOf(head, at)) {
            List<String> args = new ArrayList<>();
            int depth = 1;
            int start = i + head.length();
            int j = start;
            for (; depth > 0 && j < line.length(); j++) {
                char c = line.charAt(j);
                if (c == '(') {
                    depth++;
                } else if (c == ')' && --depth == 0 || c == ',' && depth == 1) {
                    args.add(line.substring(start, j).trim());
                    start = j + 1;
                }
            }
            if (depth > 0 || args.size() < min || args.size() > max) {
                throw new IllegalArgumentException(where + ": " + head + "...) takes "
                        + (min == max ? min : min + " or " + max) + " arguments, on one line: " + line.trim());
            }
            b.append(line, at, i).append(java.apply(args));
            at = j;
        }
        return b.append(line.substring(at)).toString();
    }
}
