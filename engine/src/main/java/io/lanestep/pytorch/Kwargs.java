package io.lanestep.pytorch;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PyTorch-style keyword arguments of one constructor: typed reads with defaults, and a check that
 * nothing was passed that the constructor does not take. Numbers may be any {@link Number}; an
 * integer kwarg also takes an integral {@code Double} (JSON has no integers).
 */
final class Kwargs {
    private final String className;
    private final Map<String, ?> values;
    private final Set<String> used = new HashSet<>();

    Kwargs(String className, Map<String, ?> values) {
        this.className = className;
        this.values = values == null ? Map.of() : values;
    }

    String className() {
        return className;
    }

    boolean has(String key) {
        return values.get(key) != null;
    }

    /** The kwarg's value, or {@code defaultValue}; a NaN default means the kwarg is required. */
    double number(String key, double defaultValue) {
        used.add(key);
        Object v = values.get(key);
        if (v == null) {
            if (Double.isNaN(defaultValue)) {
                throw new IllegalArgumentException(className + " needs the kwarg '" + key + "'");
            }
            return defaultValue;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException(className + " kwarg '" + key + "' must be a number, got " + v);
        }
        return n.doubleValue();
    }

    /**
     * As {@link #number}, except that Python's {@code None} given explicitly (an option turned off)
     * reads as NaN, and an absent key as {@code defaultValue} even when that is NaN (None by default).
     */
    double numberOrNone(String key, double defaultValue) {
        if (values.get(key) == null) {
            used.add(key);
            return values.containsKey(key) ? Double.NaN : defaultValue;
        }
        return number(key, defaultValue);
    }

    /** An integer kwarg; {@code required} when it has no default. */
    long integer(String key, long defaultValue, boolean required) {
        used.add(key);
        Object v = values.get(key);
        if (v == null) {
            if (required) {
                throw new IllegalArgumentException(className + " needs the kwarg '" + key + "'");
            }
            return defaultValue;
        }
        return integral(key, v);
    }

    private long integral(String key, Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p53) {
            return d.longValue();
        }
        throw new IllegalArgumentException(className + " kwarg '" + key + "' must be an integer, got " + v);
    }

    double[] pair(String key, double first, double second) {
        double[] pair = optionalPair(key, first, second);
        Object v = values.get(key);
        if (v instanceof List<?> list && (list.get(0) == null || list.get(1) == null)) {
            throw new IllegalArgumentException(className + " kwarg '" + key + "' must be a pair of numbers, got " + v);
        }
        return pair;
    }

    /** A tuple of three numbers ({@code betas} of Adan), or the defaults when absent. */
    double[] triple(String key, double first, double second, double third) {
        if (!has(key)) {
            used.add(key);
            return new double[] {first, second, third};
        }
        List<?> given = list(key);
        if (given.size() != 3 || given.stream().anyMatch(x -> !(x instanceof Number))) {
            throw new IllegalArgumentException(className + " kwarg '" + key + "' must be three numbers, got " + given);
        }
        return given.stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
    }

    /** A pair whose entries may be null (Python's {@code None}), read as NaN. */
    double[] optionalPair(String key, double first, double second) {
        used.add(key);
        Object v = values.get(key);
        if (v == null) {
            return new double[] {first, second};
        }
        if (!(v instanceof List<?> list) || list.size() != 2 || !(list.get(0) == null || list.get(0) instanceof Number)
                || !(list.get(1) == null || list.get(1) instanceof Number)) {
            throw new IllegalArgumentException(className + " kwarg '" + key + "' must be a pair of numbers or None,"
                    + " got " + v);
        }
        double[] out = new double[2];
        for (int i = 0; i < 2; i++) {
            out[i] = list.get(i) == null ? Double.NaN : ((Number) list.get(i)).doubleValue();
        }
        return out;
    }

    boolean flag(String key, boolean defaultValue) {
        return typed(key, defaultValue, Boolean.class, "true or false");
    }

    String string(String key, String defaultValue) {
        return typed(key, defaultValue, String.class, "a string");
    }

    private <T> T typed(String key, T defaultValue, Class<T> type, String what) {
        used.add(key);
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException(className + " kwarg '" + key + "' must be " + what + ", got " + v);
        }
        return type.cast(v);
    }

    /** A list of integers (milestones). */
    long[] integers(String key) {
        List<?> list = list(key);
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integral(key + "[" + i + "]", list.get(i));
        }
        return out;
    }

    List<?> list(String key) {
        used.add(key);
        Object v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException(className + " needs the kwarg '" + key + "'");
        }
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException(className + " kwarg '" + key + "' must be a list, got " + v);
        }
        return new ArrayList<>(list);
    }

    /**
     * Refuses every kwarg not read, as Python does ({@code TypeError: unexpected keyword argument}),
     * except {@code harmlessWhenOff} ones passed as {@code null} or {@code false}.
     */
    void rejectUnused(Set<String> harmlessWhenOff) {
        for (Map.Entry<String, ?> e : values.entrySet()) {
            String key = e.getKey();
            if (used.contains(key)) {
                continue;
            }
            boolean harmless = harmlessWhenOff.contains(key)
                    && (e.getValue() == null || Boolean.FALSE.equals(e.getValue()));
            if (!harmless) {
                throw new IllegalArgumentException(className + " option '" + key + "' = " + e.getValue()
                        + " is not supported by Lanestep; remove it");
            }
        }
    }

    /** Refuses every kwarg not read with Python's reason: the constructor takes no such argument. */
    void rejectUnknown() {
        for (String key : values.keySet()) {
            if (!used.contains(key)) {
                throw new IllegalArgumentException(className + ".__init__() got an unexpected keyword argument '"
                        + key + "'");
            }
        }
    }
}
