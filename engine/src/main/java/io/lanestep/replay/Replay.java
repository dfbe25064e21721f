package io.lanestep.replay;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Replays recorded gradients through an optimizer configured the PyTorch way, case by case, in
 * the layout of PyTorch golden trajectories: {@code case.json} (class name and kwargs, {@code n},
 * {@code T}), {@code params0.f32}, {@code grads.f32}; writes {@code params_steps.f32},
 * {@code params_final.f32} and one {@code <key>.f32} per PyTorch state tensor, little-endian
 * float32. A case that cannot run gets one line on the error stream and the others still run.
 *
 * <p>Usage: {@code replay --cases ROOT --out DIR [--lanes W]}; exit status 0 when every case ran,
 * 1 when some did not, 2 on a usage error.
 */
public final class Replay {
    private static final String USAGE = "usage: replay --cases ROOT --out DIR [--lanes scalar|64|128|256|512|preferred]";

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
        Engine engine;
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--cases" -> cases = Path.of(require(value, "--cases"));
                    case "--out" -> outDir = Path.of(require(value, "--out"));
                    case "--lanes" -> width = LaneWidth.parse(require(value, "--lanes"));
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
        List<Path> dirs = caseDirectories(cases);
        int failed = 0;
        for (Path dir : dirs) {
            Path relative = dir.equals(cases) ? dir.toAbsolutePath().getFileName() : cases.relativize(dir);
            try {
                replay(engine, dir, outDir.resolve(relative.toString()));
            } catch (RuntimeException | IOException e) {
                failed++;
                err.println("case " + relative + ": " + describe(e));
            }
        }
        out.println("replayed " + (dirs.size() - failed) + " of " + dirs.size() + " cases at " + width
                + (failed == 0 ? "" : "; " + failed + " could not run"));
        return failed == 0 ? 0 : 1;
    }

    private static String require(String value, String flag) {
        if (value == null) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return value;
    }

    private static String describe(Exception e) {
        return switch (e) {
            case ClassCastException c -> "malformed case.json: a field has the wrong type";
            case UncheckedIOException u -> u.getCause().toString();
            default -> e.getMessage() == null ? e.toString() : e.getMessage();
        };
    }

    private static List<Path> caseDirectories(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> Files.isRegularFile(p.resolve("case.json"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void replay(Engine engine, Path dir, Path out) throws IOException {
        Object parsed = Json.parse(Files.readString(dir.resolve("case.json")));
        if (!(parsed instanceof Map<?, ?> json)) {
            throw new IllegalArgumentException("malformed case.json: not a JSON object");
        }
        String className = field(json, "optimizer", String.class);
        Map<String, Object> kwargs = json.get("kwargs") == null ? Map.of() : field(json, "kwargs", Map.class);
        int n = field(json, "n", Number.class).intValue();
        int steps = field(json, "T", Number.class).intValue();
        if (n < 0 || steps < 0) {
            throw new IllegalArgumentException("malformed case.json: n = " + n + " and T = " + steps
                    + " must not be negative");
        }
        Optimizer optimizer = TorchOptimizers.create(className, kwargs);
        float[] params0 = read(dir.resolve("params0.f32"), n);
        float[] grads = read(dir.resolve("grads.f32"), (long) steps * n);
        float[] trajectory = new float[steps * n];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = Floats.copyOf(arena, params0);
            MemorySegment g = Floats.allocate(arena, n);
            OptimizerState state = optimizer.newState(n, arena);
            for (int t = 0; t < steps; t++) {
                MemorySegment.copy(grads, t * n, g, Floats.LAYOUT, 0, n);
                engine.step(optimizer, state, params, g);
                MemorySegment.copy(params, Floats.LAYOUT, 0, trajectory, t * n, n);
            }
            Files.createDirectories(out);
            write(out.resolve("params_steps.f32"), trajectory);
            write(out.resolve("params_final.f32"), Floats.toArray(params));
            for (String key : state.keys()) {
                write(out.resolve(key + ".f32"), Floats.toArray(state.slot(key)));
            }
            for (String key : optimizer.scalarKeys()) {
                write(out.resolve(key + ".f32"), new float[] {state.scalar(key)});
            }
            if (TorchOptimizers.stepIsTensor(optimizer)) {
                write(out.resolve("step.f32"), new float[] {state.step()});
            }
        }
    }

    private static <T> T field(Map<?, ?> json, String key, Class<T> type) {
        Object value = json.get(key);
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("malformed case.json: '" + key + "' is missing or not a "
                    + type.getSimpleName().toLowerCase(java.util.Locale.ROOT));
        }
        return type.cast(value);
    }

    private static float[] read(Path file, long floats) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file.getFileName() + " is missing");
        }
        long size = Files.size(file);
        if (size != floats * Float.BYTES) {
            throw new IllegalArgumentException(file.getFileName() + " holds " + size + " bytes, expected " + floats
                    + " floats (" + floats * Float.BYTES + " bytes): truncated or from another case");
        }
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
