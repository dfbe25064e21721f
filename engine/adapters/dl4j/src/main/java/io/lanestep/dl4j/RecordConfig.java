package io.lanestep.dl4j;

import io.lanestep.Numerics;
import io.lanestep.Optimizer;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A Lanestep configuration as names and strings, for DL4J's configuration JSON: each record
 * component by name, numbers as {@link Double#toString} writes them (exact, NaN included), so a
 * configuration read back is equal to the one written.
 */
final class RecordConfig {
    /**
     * Components added to a record after configurations of it were written: a configuration
     * without them reads as the record meant then (timm's options off, the foreach path, no
     * corrected decay, so the initial learning rate is the learning rate).
     */
    private static final Map<String, Set<String>> ADDED = Map.of(
            "Lion", Set.of("caution", "correctedWeightDecay", "initialLr", "numerics"));

    private RecordConfig() {
    }

    static Map<String, String> encode(Optimizer optimizer) {
        Map<String, String> values = new LinkedHashMap<>();
        for (RecordComponent c : optimizer.getClass().getRecordComponents()) {
            try {
                values.put(c.getName(), String.valueOf(c.getAccessor().invoke(optimizer)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return values;
    }

    /**
     * The configuration of class {@code name} (its simple name) with {@code values}.
     *
     * @throws IllegalArgumentException if the class is not a Lanestep optimizer, a component is
     *                                  missing or unreadable, or the values are refused by the record
     */
    static Optimizer decode(String name, Map<String, String> values) {
        Class<?> type = Arrays.stream(Optimizer.class.getPermittedSubclasses())
                .filter(c -> c.getSimpleName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + name + "' is not a Lanestep optimizer; the"
                        + " configuration names one of " + Arrays.stream(Optimizer.class.getPermittedSubclasses())
                        .map(Class::getSimpleName).toList()));
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            String key = components[i].getName();
            String value = values.get(key);
            if (value == null && ADDED.getOrDefault(name, Set.of()).contains(key)) {
                value = key.equals("initialLr") ? values.get("lr") : key.equals("numerics") ? "TORCH_1_13" : "false";
            }
            if (value == null) {
                throw new IllegalArgumentException(name + "'s configuration has no '" + key + "'; it holds "
                        + values.keySet());
            }
            types[i] = components[i].getType();
            args[i] = parse(name, key, types[i], value);
        }
        try {
            Constructor<?> canonical = type.getDeclaredConstructor(types);
            return (Optimizer) canonical.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException refused) {
                throw refused;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object parse(String name, String key, Class<?> type, String value) {
        try {
            if (type == double.class) {
                return Double.parseDouble(value);
            }
            if (type == long.class) {
                return Long.parseLong(value);
            }
            if (type == boolean.class && (value.equals("true") || value.equals("false"))) {
                return Boolean.parseBoolean(value);
            }
            if (type == Numerics.class) {
                return Numerics.valueOf(value);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the message naming the value
        }
        throw new IllegalArgumentException(name + "'s '" + key + "' is '" + value + "', not a " + type.getSimpleName());
    }
}
