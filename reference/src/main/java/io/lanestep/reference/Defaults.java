package io.lanestep.reference;

import io.lanestep.Lanestep;
import io.lanestep.Optimizer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Each optimizer as {@link Lanestep}'s factory makes it, found by its class: where the benchmarks
 * and the property tests have no configuration of their own for an optimizer, they start here, so
 * that a new optimizer is measured and tested without being listed again.
 */
public final class Defaults {
    /** What a factory taking one argument (a learning rate) is given. */
    static final double LEARNING_RATE = 1e-3;

    private Defaults() {
    }

    /** {@code type} at its defaults; Lanestep has a factory of every optimizer (a catalogue test checks it). */
    public static <T extends Optimizer> T of(Class<T> type) {
        for (Method m : Lanestep.class.getMethods()) {
            if (m.getReturnType() != type || !Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            try {
                return switch (m.getParameterCount()) {
                    case 0 -> type.cast(m.invoke(null));
                    case 1 -> type.cast(m.invoke(null, LEARNING_RATE));
                    default -> throw new IllegalStateException("Lanestep." + m.getName()
                            + " takes more than a learning rate; give " + type.getSimpleName()
                            + " a configuration of its own where this was called");
                };
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("Lanestep." + m.getName() + " failed", e);
            }
        }
        throw new IllegalArgumentException("Lanestep has no factory of " + type.getSimpleName() + "; add one");
    }
}
