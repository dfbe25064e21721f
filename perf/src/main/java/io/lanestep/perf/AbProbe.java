package io.lanestep.perf;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.annotation.Annotation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One build's side of an A/B comparison ({@link Ab}): a JVM holding one JMH benchmark, set up as
 * JMH would (its {@code @Param} fields, its trial {@code @Setup} methods), that measures only when
 * told on stdin ({@code measure MILLIS} answers {@code ab-probe NANOS_PER_CALL}, the median over
 * the turn's batches of about a millisecond; {@code quit} tears down). Two probes, one per build, take turns measuring, so each pair of measurements lies a
 * fraction of a second apart and both builds meet the same load from the rest of the machine;
 * JMH runs one JVM's iterations back to back and cannot. Reads the benchmark reflectively, so it
 * runs unchanged on a baseline built from an older tree.
 *
 * <p>The benchmark is named by system properties {@code ab.class}, {@code ab.method} and
 * {@code ab.params} ({@code name=value;...}): a static final method handle that C2 inlines, as
 * JMH's generated loop calls the method directly.
 */
public final class AbProbe {
    private static final Object BENCHMARK;
    private static final MethodHandle CALL;
    private static final long BATCH_NANOS = 1_000_000;
    private static final int MAX_BATCHES = 100_000;

    static {
        try {
            Class<?> type = Class.forName(System.getProperty("ab.class"));
            BENCHMARK = type.getConstructor().newInstance();
            // A parameter the case does not name takes its first @Param value, as the only one JMH would run.
            for (Field f : type.getFields()) {
                for (Annotation a : f.getAnnotations()) {
                    if (a.annotationType().getName().equals("org.openjdk.jmh.annotations.Param")) {
                        set(f, ((String[]) a.annotationType().getMethod("value").invoke(a))[0]);
                    }
                }
            }
            for (String pair : System.getProperty("ab.params", "").split(";")) {
                if (!pair.isEmpty()) {
                    set(type.getField(pair.substring(0, pair.indexOf('='))), pair.substring(pair.indexOf('=') + 1));
                }
            }
            for (Method m : type.getMethods()) {
                if (isTrial(m, "Setup")) {
                    m.invoke(BENCHMARK);
                }
            }
            CALL = MethodHandles.publicLookup().findVirtual(type, System.getProperty("ab.method"),
                    MethodType.methodType(void.class)).bindTo(BENCHMARK);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private AbProbe() {
    }

    public static void main(String[] args) throws Throwable {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ab-probe ready");
        // A turn is cut into batches of about a millisecond of calls, and answers its median
        // batch: a burst of other work on the core (a neighbour on the sibling hardware thread,
        // an interrupt) lengthens a few batches and leaves the median where it was. The turn's
        // mean time moved by 5% from turn to turn where this median moves by 1.5% (64K Adam).
        long perBatch = 1;
        double[] batches = new double[MAX_BATCHES];
        for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
            long nanos = Long.parseLong(line.substring("measure ".length())) * 1_000_000;
            long calls = 0;
            int n = 0;
            long start = System.nanoTime();
            long batchStart = start;
            long now;
            do {
                for (long i = 0; i < perBatch; i++) {
                    CALL.invokeExact();
                }
                calls += perBatch;
                now = System.nanoTime();
                batches[n++] = (double) (now - batchStart) / perBatch;
                batchStart = now;
            } while (now - start < nanos && n < MAX_BATCHES);
            perBatch = Math.max(1, BATCH_NANOS * calls / (now - start));
            Arrays.sort(batches, 0, n);
            System.out.println("ab-probe " + batches[n / 2]);
        }
        for (Method m : BENCHMARK.getClass().getMethods()) {
            if (isTrial(m, "TearDown")) {
                m.invoke(BENCHMARK);
            }
        }
    }

    private static void set(Field f, String value) throws IllegalAccessException {
        Class<?> t = f.getType();
        f.set(BENCHMARK, t == long.class ? Long.valueOf(value) : t == int.class ? Integer.valueOf(value) : value);
    }

    /** Whether {@code m} carries JMH's {@code @Setup} or {@code @TearDown} at the trial level (the default). */
    private static boolean isTrial(Method m, String annotation) throws ReflectiveOperationException {
        for (Annotation a : m.getAnnotations()) {
            if (a.annotationType().getName().equals("org.openjdk.jmh.annotations." + annotation)) {
                return a.annotationType().getMethod("value").invoke(a).toString().equals("Trial");
            }
        }
        return false;
    }
}
