package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lanestep.Optimizer;
import io.lanestep.pytorch.TorchOptimizers;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitrary;
import org.junit.jupiter.api.Test;

/**
 * Every optimizer the engine permits is in every catalogue that tests or replays optimizers: a
 * new optimizer without property coverage or a replay name fails here, not silently.
 */
class CatalogueTest {
    private static final Pattern REQUIRED = Pattern.compile("needs the kwarg '(\\w+)'");

    static Set<String> permitted() {
        return Arrays.stream(Optimizer.class.getPermittedSubclasses()).map(Class::getSimpleName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void thePropertiesGenerateEveryOptimizer() {
        Set<String> generated = new TreeSet<>();
        for (Arbitrary<Optimizer> each : Optimizers.each()) {
            generated.add(each.sample().getClass().getSimpleName());
        }
        assertEquals(permitted(), generated, "Optimizers.each() must have one arbitrary per permitted optimizer");
    }

    @Test
    void theReplayToolTakesEveryOptimizer() {
        Set<String> replayable = new TreeSet<>();
        for (String name : TorchOptimizers.supported()) {
            replayable.add(createWithRequiredKwargs(name).getClass().getSimpleName());
        }
        assertEquals(permitted(), replayable, "TorchOptimizers.supported() must name every permitted optimizer");
    }

    /** Creates {@code name} with its defaults, giving 1.0 to each kwarg it says it needs. */
    private static Optimizer createWithRequiredKwargs(String name) {
        Map<String, Object> kwargs = new HashMap<>();
        while (true) {
            try {
                return TorchOptimizers.create(name, kwargs);
            } catch (IllegalArgumentException e) {
                Matcher m = REQUIRED.matcher(String.valueOf(e.getMessage()));
                if (!m.find() || kwargs.containsKey(m.group(1))) {
                    throw e;
                }
                kwargs.put(m.group(1), 1.0);
            }
        }
    }
}
