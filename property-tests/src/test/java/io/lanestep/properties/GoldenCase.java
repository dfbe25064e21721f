package io.lanestep.properties;

import io.lanestep.replay.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** One case of the PyTorch golden sample: configuration, inputs and PyTorch's trajectory. */
record GoldenCase(Path dir, String optimizer, Map<String, Object> kwargs, int n, int steps) {

    static Path root() {
        return Path.of(System.getProperty("golden.dir", "src/test/resources/pytorch-golden"));
    }

    @SuppressWarnings("unchecked")
    static GoldenCase load(Path dir) {
        try {
            Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("case.json")));
            return new GoldenCase(dir, (String) json.get("optimizer"), (Map<String, Object>) json.get("kwargs"),
                    ((Number) json.get("n")).intValue(), ((Number) json.get("T")).intValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The torch 2.13 sample (cases of {@code ../shared/pytorch2-golden/cases}). */
    static Path root2() {
        return Path.of(System.getProperty("golden2.dir", "src/test/resources/pytorch2-golden")).resolve("cases");
    }

    /** The sample of the optimizers of 2024-26 (cases of {@code ../shared/optimizers-golden/cases}). */
    static Path root3() {
        return Path.of(System.getProperty("golden3.dir", "src/test/resources/optimizers-golden")).resolve("cases");
    }

    static List<GoldenCase> all(List<String> optimizers) {
        return all(root(), optimizers);
    }

    static List<GoldenCase> all(Path root, List<String> optimizers) {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.exists(d.resolve("case.json"))).sorted().map(GoldenCase::load)
                    .filter(c -> optimizers.contains(c.optimizer())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code param_shape} of case.json ({@code [n]} when absent). */
    @SuppressWarnings("unchecked")
    long[] shape() {
        try {
            Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("case.json")));
            List<Object> dims = (List<Object>) json.get("param_shape");
            return dims == null ? new long[] {n} : dims.stream().mapToLong(d -> ((Number) d).longValue()).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return dir.getFileName().toString();
    }

    float[] floats(String file) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(file))).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[bytes.remaining() / Float.BYTES];
            bytes.asFloatBuffer().get(values);
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean has(String file) {
        return Files.exists(dir.resolve(file));
    }

    /**
     * The ULPs a case allows ({@code "ulps"} for the parameters, {@code "state_ulps"} for the state)
     * when its tolerance is {@code measured}: the oracle's reduction order is not reproducible there.
     * 0 for every exact case.
     */
    @SuppressWarnings("unchecked")
    int ulps(String field) {
        try {
            Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("case.json")));
            Map<String, Object> tolerance = (Map<String, Object>) json.get("tolerance");
            if (tolerance == null || !"measured".equals(tolerance.get("kind")) || tolerance.get(field) == null) {
                return 0;
            }
            return ((Number) tolerance.get(field)).intValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A number of case.json's {@code tolerance} (Muon's {@code step_bound}). */
    @SuppressWarnings("unchecked")
    double toleranceNumber(String field) {
        try {
            Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("case.json")));
            Object value = ((Map<String, Object>) json.get("tolerance")).get(field);
            if (!(value instanceof Number number)) {
                throw new IllegalArgumentException(name() + ": tolerance has no number '" + field + "'");
            }
            return number.doubleValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #sameValue}, or finite values at most {@code ulps} apart. */
    static boolean within(float a, float b, int ulps) {
        return sameValue(a, b) || ulps > 0 && Float.isFinite(a) && Float.isFinite(b)
                && Math.abs((long) ordered(a) - ordered(b)) <= ulps;
    }

    private static int ordered(float x) {
        int bits = Float.floatToIntBits(x);
        return bits < 0 ? Integer.MIN_VALUE - bits : bits;
    }

    /** PyTorch's comparison rule: 0 ULP, any NaN equals any NaN, +0 equals -0. */
    static boolean sameValue(float a, float b) {
        return a == b || (Float.isNaN(a) && Float.isNaN(b));
    }
}
