package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.lanestep.Lanestep;
import io.lanestep.Numerics;
import io.lanestep.Optimizer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Every optimizer is configurable by name: {@link Lanestep} makes each at its defaults, and each
 * record component has a wither that gives what the canonical constructor gives for the new value
 * (the same record, or the same refusal), everything else unchanged.
 */
class NamedConfigurationTest implements OptimizerDomain {
    private static final List<Double> DOUBLES = List.of(0.0, 0.5, 0.9, 0.999, 1e-8, 2.0, 7.0, -1.0, Double.NaN,
            Double.POSITIVE_INFINITY, 1e6);
    private static final List<Long> LONGS = List.of(0L, 1L, 10L, -1L);

    @Test
    void lanestepMakesEveryOptimizer() {
        Set<String> made = new TreeSet<>();
        for (Method m : Lanestep.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && Optimizer.class.isAssignableFrom(m.getReturnType())) {
                made.add(m.getReturnType().getSimpleName());
            }
        }
        assertEquals(CatalogueTest.permitted(), made, "Lanestep must have a factory for every permitted optimizer");
    }

    @Property(tries = 400)
    void aWitherGivesWhatTheConstructorGives(@ForAll("optimizers") Optimizer optimizer,
                                             @ForAll @IntRange(min = 0, max = 63) int component,
                                             @ForAll @IntRange(min = 0, max = 63) int value) throws Exception {
        Class<?> type = optimizer.getClass();
        RecordComponent[] components = type.getRecordComponents();
        RecordComponent changed = components[component % components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            args[i] = components[i].getAccessor().invoke(optimizer);
        }
        int index = Arrays.asList(components).indexOf(changed);
        Object newValue = newValue(changed.getType(), args[index], value);
        args[index] = newValue;

        Object expected = outcome(() -> type.getDeclaredConstructor(
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new)).newInstance(args));
        Method wither = wither(type, changed);
        assertNotNull(wither, type.getSimpleName() + " has no wither for " + changed.getName());
        Object actual = outcome(() -> wither.invoke(optimizer, newValue));
        assertEquals(expected, actual, type.getSimpleName() + "." + wither.getName() + "(" + newValue + ")");
    }

    private static Method wither(Class<?> type, RecordComponent c) {
        String name = switch (c.getName()) {
            case "lr" -> "withLearningRate";
            default -> "with" + Character.toUpperCase(c.getName().charAt(0)) + c.getName().substring(1);
        };
        try {
            return type.getMethod(name, c.getType());
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Object newValue(Class<?> type, Object old, int pick) {
        if (type == double.class) {
            return DOUBLES.get(pick % DOUBLES.size());
        }
        if (type == long.class) {
            return LONGS.get(pick % LONGS.size());
        }
        if (type == boolean.class) {
            return !(Boolean) old;
        }
        if (type == Numerics.class) {
            return Numerics.values()[pick % Numerics.values().length];
        }
        throw new AssertionError("no values for components of type " + type);
    }

    private interface Make {
        Object make() throws ReflectiveOperationException;
    }

    /** The record made, or the refusal's class and message. */
    private static Object outcome(Make make) throws ReflectiveOperationException {
        try {
            return make.make();
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException refusal) {
                return "refused: " + refusal.getMessage();
            }
            throw e;
        }
    }
}
