package io.lanestep.replay;

import io.lanestep.Adafactor;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.LaneWidth;
import io.lanestep.Mars;
import io.lanestep.Muon;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.pytorch.TorchOptimizers;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Replays recorded gradients through an optimizer configured the PyTorch way, case by case, in
 * the layout of PyTorch golden trajectories: {@code case.json} (class name and kwargs, {@code n},
 * {@code T}), {@code params0.f32}, {@code grads.f32}; writes {@code params_steps.f32},
 * {@code params_final.f32} and one {@code <key>.f32} per PyTorch state tensor, little-endian
 * float32. A case that cannot run gets one line on the error stream and the others still run.
 * A case's optional {@code dtype} (PyTorch's name) stores params, grads and state in that format
 * (every file stays float32; inputs are rounded to the dtype, outputs widened exactly), with
 * Lanestep's optional {@code master_weights} and {@code rounding}/{@code seed}.
 *
 * <p>The torch version whose arithmetic a case is replayed with is {@code --torch}, else the
 * {@code torch_version} of the nearest {@code index.json} from the case's directory up to ROOT,
 * else 1.13.1; from 2.0 on, the kwargs {@code foreach} and {@code fused} pick the path.
 *
 * <p>Usage: {@code replay --cases ROOT --out DIR [--lanes W] [--torch VERSION]}; exit status 0 when
 * every case ran, 1 when some did not, 2 on a usage error.
 */
public final class Replay {
    /** Floats one case may hold per file: what one byte[] can read. */
    private static final int MAX_FLOATS = (Integer.MAX_VALUE - 8) / Float.BYTES;
    /** Bytes a case.json may have. */
    private static final long MAX_CASE_JSON = 1 << 20;
    private static final String USAGE = "usage: replay --cases ROOT --out DIR [--lanes scalar|64|128|256|512|preferred]"
            + " [--torch VERSION]";

    private Replay() {
    }

    /** Runs {@link #run} and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Replays every case under {@code --cases}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path cases = null;
        Path outDir = null;
        LaneWidth width = LaneWidth.fromSystemProperty();
        String torch = null;
        Engine engine;
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--cases" -> cases = Path.of(require(value, "--cases"));
                    case "--out" -> outDir = Path.of(require(value, "--out"));
                    case "--lanes" -> width = LaneWidth.parse(require(value, "--lanes"));
                    case "--torch" -> torch = require(value, "--torch");
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
                i++;
            }
            if (cases == null || outDir == null) {
                throw new IllegalArgumentException("--cases and --out are required");
            }
            if (!Files.isDirectory(cases)) {
                throw new IllegalArgumentException("--cases " + cases + " is not a directory");
            }
            engine = Engine.create(width);
        } catch (IllegalArgumentException e) {
            err.println("replay: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        List<String> unreadable = new ArrayList<>();
        List<Path> dirs = caseDirectories(cases, unreadable);
        for (String problem : unreadable) {
            err.println(problem);
        }
        int failed = 0;
        for (Path dir : dirs) {
            Path relative = dir.equals(cases) ? dir.toAbsolutePath().getFileName() : cases.relativize(dir);
            try {
                replay(engine, dir, outDir.resolve(relative.toString()), torch != null ? torch : version(cases, dir));
            } catch (Throwable e) {
                // One case's failure of any kind, a StackOverflowError or OutOfMemoryError included,
                // is that case's line; the others still run and the summary is always printed.
                failed++;
                err.println("case " + relative + ": " + describe(e));
            }
        }
        int total = dirs.size() + unreadable.size();
        failed += unreadable.size();
        out.println("replayed " + (total - failed) + " of " + total + " cases at " + width
                + (failed == 0 ? "" : "; " + failed + " could not run"));
        return failed == 0 ? 0 : 1;
    }

    private static String require(String value, String flag) {
        if (value == null) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return value;
    }

    private static String describe(Throwable e) {
        return switch (e) {
            case ClassCastException c -> "malformed case.json: a field has the wrong type";
            case UncheckedIOException u -> describe(u.getCause());
            case MalformedInputException m -> "case.json is not valid UTF-8; save it as UTF-8";
            case AccessDeniedException a -> "cannot read " + a.getFile() + ": permission denied; make it readable";
            case NoSuchFileException f -> f.getFile() + " does not exist";
            case StackOverflowError s -> "too deeply nested to replay (stack overflow)";
            case OutOfMemoryError o -> "needs more memory than this JVM has (" + o.getMessage() + ")";
            default -> e.getMessage() == null ? e.toString() : e.getMessage();
        };
    }

    /**
     * The directories under {@code root} holding a regular {@code case.json}; a directory that
     * cannot be read is one line in {@code unreadable} and the walk goes on.
     */
    private static List<Path> caseDirectories(Path root, List<String> unreadable) {
        List<Path> found = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (Files.isRegularFile(dir.resolve("case.json"))) {
                        found.add(dir);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    unreadable.add("case " + root.relativize(file) + ": cannot be read (" + describe(e) + ")");
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            unreadable.add("case " + root + ": cannot be read (" + describe(e) + ")");
        }
        found.sort(null);
        return found;
    }

    @SuppressWarnings("unchecked")
    /** The {@code torch_version} of the nearest {@code index.json} from {@code dir} up to {@code root}. */
    private static String version(Path root, Path dir) throws IOException {
        for (Path d = dir; d != null && d.startsWith(root); d = d.getParent()) {
            Path index = d.resolve("index.json");
            if (Files.isRegularFile(index)) {
                if (Files.size(index) > 64 * MAX_CASE_JSON) {
                    throw new IllegalArgumentException(index + " is too large to be an index");
                }
                if (Json.parse(Files.readString(index)) instanceof Map<?, ?> json
                        && json.get("torch_version") instanceof String v) {
                    return v;
                }
                throw new IllegalArgumentException(index + " has no torch_version; pass --torch VERSION");
            }
        }
        return "1.13.1";
    }

    private static void replay(Engine engine, Path dir, Path out, String torchVersion) throws IOException {
        Path caseFile = dir.resolve("case.json");
        if (Files.size(caseFile) > MAX_CASE_JSON) {
            throw new IllegalArgumentException("case.json holds " + Files.size(caseFile) + " bytes, more than the "
                    + MAX_CASE_JSON + " a case description can need");
        }
        Object parsed = Json.parse(Files.readString(caseFile));
        if (!(parsed instanceof Map<?, ?> json)) {
            throw new IllegalArgumentException("malformed case.json: not a JSON object");
        }
        String className = field(json, "optimizer", String.class);
        Map<String, Object> kwargs = json.get("kwargs") == null ? Map.of() : field(json, "kwargs", Map.class);
        int n = size(json, "n");
        int steps = size(json, "T");
        if ((long) steps * n > MAX_FLOATS) {
            throw new IllegalArgumentException("n = " + n + " and T = " + steps + " make " + (long) steps * n
                    + " floats per trajectory, more than one case can hold (" + MAX_FLOATS + "); split the case");
        }
        Optimizer optimizer = TorchOptimizers.create(className, kwargs, torchVersion);
        if (optimizer instanceof Mars m && shape(json, n).length < 2) {
            optimizer = m.forVectors(); // timm picks MARS's rule by the parameter's rank
        }
        Formats formats = formats(json);
        Path params0File = checkedFile(dir.resolve("params0.f32"), n);
        Path gradsFile = checkedFile(dir.resolve("grads.f32"), (long) steps * n);
        float[] params0 = read(params0File, n);
        float[] grads = read(gradsFile, (long) steps * n);
        float[] trajectory = new float[steps * n];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = segment(arena, params0, 0, n, formats.params());
            MemorySegment g = arena.allocate((long) n * formats.grads().bytes(), Floats.ALIGNMENT);
            OptimizerState state = formats.equals(Formats.FP32) ? newState(optimizer, shape(json, n), n, arena)
                    : optimizer.newState(n, arena, formats);
            for (int t = 0; t < steps; t++) {
                fill(g, grads, t * n, n, formats.grads());
                engine.step(optimizer, state, params, g);
                for (int i = 0; i < n; i++) {
                    trajectory[t * n + i] = formats.params().get(params, i);
                }
            }
            Files.createDirectories(out);
            write(out.resolve("params_steps.f32"), trajectory);
            write(out.resolve("params_final.f32"), floats(params, formats.params()));
            for (String key : state.keys()) {
                write(out.resolve(key + ".f32"), floats(state.slot(key), formats.state()));
            }
            if (formats.masterWeights()) {
                write(out.resolve("master_weights.f32"), Floats.toArray(state.master()));
            }
            for (String key : optimizer.scalarKeys()) {
                write(out.resolve(key + ".f32"), new float[] {state.scalar(key)});
            }
            if (TorchOptimizers.stepIsTensor(optimizer)) {
                write(out.resolve("step.f32"), new float[] {state.step()});
            }
        }
    }

    /**
     * The block's formats from case.json: {@code dtype} (PyTorch's name, float32 when absent) for
     * params, grads and state, as torch makes the state like the parameter; Lanestep's own
     * {@code "master_weights": true} (float32 master and state, params their {@code dtype} copy)
     * and {@code "rounding": "stochastic"} with its {@code "seed"}.
     */
    private static Formats formats(Map<?, ?> json) {
        Format dtype = json.get("dtype") == null ? Format.FP32 : Format.ofTorch(field(json, "dtype", String.class));
        boolean master = Boolean.TRUE.equals(json.get("master_weights"));
        Object rounding = json.get("rounding");
        if (rounding != null && !"stochastic".equals(rounding) && !"nearest".equals(rounding)) {
            throw new IllegalArgumentException("case.json's rounding is " + rounding + "; use \"nearest\" or"
                    + " \"stochastic\"");
        }
        if ("stochastic".equals(rounding)) {
            if (!(json.get("seed") instanceof Number seed)) {
                throw new IllegalArgumentException("case.json asks for stochastic rounding but has no seed; add"
                        + " \"seed\": an integer, the key of the rounding's random bits");
            }
            return Formats.stochasticRounding(dtype, dtype, seed.longValue());
        }
        return master ? Formats.masterWeights(dtype, dtype) : Formats.all(dtype);
    }

    /** {@code n} values of {@code values} from {@code from}, stored in {@code format} (rounded to nearest even). */
    private static MemorySegment segment(Arena arena, float[] values, int from, int n, Format format) {
        MemorySegment s = arena.allocate((long) n * format.bytes(), Floats.ALIGNMENT);
        fill(s, values, from, n, format);
        return s;
    }

    private static void fill(MemorySegment s, float[] values, int from, int n, Format format) {
        for (int i = 0; i < n; i++) {
            format.set(s, i, values[from + i]);
        }
    }

    private static float[] floats(MemorySegment s, Format format) {
        float[] values = new float[(int) (s.byteSize() / format.bytes())];
        for (int i = 0; i < values.length; i++) {
            values[i] = format.get(s, i);
        }
        return values;
    }

    /** A matrix's Adafactor state is factored by its shape, Muon's knows it; every other state is flat. */
    private static OptimizerState newState(Optimizer optimizer, long[] shape, int n, Arena arena) {
        if (optimizer instanceof Adafactor a && shape.length == 2) {
            return a.newState(shape[0], shape[1], arena);
        }
        if (optimizer instanceof Adafactor && shape.length > 2) {
            throw new IllegalArgumentException("param_shape " + java.util.Arrays.toString(shape) + ": Lanestep's"
                    + " Adafactor factors vectors and matrices only");
        }
        if (optimizer instanceof Muon m) {
            if (shape.length != 2) {
                throw new IllegalArgumentException("param_shape " + java.util.Arrays.toString(shape) + ": Muon steps"
                        + " 2-D parameters only, as torch.optim.Muon");
            }
            return m.newState(shape[0], shape[1], arena);
        }
        return optimizer.newState(n, arena);
    }

    /** {@code param_shape}, whose product must be {@code n}; {@code [n]} when absent. */
    private static long[] shape(Map<?, ?> json, int n) {
        Object value = json.get("param_shape");
        if (value == null) {
            return new long[] {n};
        }
        if (!(value instanceof List<?> dims) || dims.isEmpty() || dims.size() > 8) {
            throw new IllegalArgumentException("malformed case.json: 'param_shape' must list 1 to 8 sizes");
        }
        long[] shape = new long[dims.size()];
        long product = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Double d) || d != Math.rint(d) || d < 1 || d > MAX_FLOATS) {
                throw new IllegalArgumentException("malformed case.json: param_shape[" + i + "] = " + dims.get(i)
                        + " is not a size");
            }
            shape[i] = d.longValue();
            product *= shape[i];
            if (product > MAX_FLOATS) {
                break;
            }
        }
        if (product != n) {
            throw new IllegalArgumentException("param_shape " + java.util.Arrays.toString(shape) + " does not hold n = "
                    + n + " elements; make them agree");
        }
        return shape;
    }

    private static <T> T field(Map<?, ?> json, String key, Class<T> type) {
        Object value = json.get(key);
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("malformed case.json: '" + key + "' is missing or not a "
                    + type.getSimpleName().toLowerCase(java.util.Locale.ROOT));
        }
        return type.cast(value);
    }

    /** A whole number in [0, MAX_FLOATS]: {@code 2.9}, {@code -1} and {@code 1e12} are refused by name. */
    private static int size(Map<?, ?> json, String key) {
        double v = field(json, key, Number.class).doubleValue();
        if (!(v >= 0 && v <= MAX_FLOATS && v == Math.rint(v))) {
            throw new IllegalArgumentException("malformed case.json: '" + key + "' = " + v + " must be a whole number"
                    + " from 0 to " + MAX_FLOATS);
        }
        return (int) v;
    }

    /**
     * {@code file} if it is a regular file of exactly {@code floats} floats; checked before anything
     * is allocated or read, so a FIFO or device (which would block or never end) and a claimed size
     * that the file does not have are refused by name.
     */
    private static Path checkedFile(Path file, long floats) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file.getFileName() + " is missing");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file.getFileName() + " is not a regular file (a directory, FIFO or"
                    + " device); replace it with the recorded floats");
        }
        long size = Files.size(file);
        if (size != floats * Float.BYTES) {
            throw new IllegalArgumentException(file.getFileName() + " holds " + size + " bytes, expected " + floats
                    + " floats (" + floats * Float.BYTES + " bytes): truncated or from another case");
        }
        return file;
    }

    private static float[] read(Path file, long floats) throws IOException {
        float[] values = new float[(int) floats];
        ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static void write(Path file, float[] values) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        Files.write(file, bytes.array());
    }
}
