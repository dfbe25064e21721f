package io.lanestep.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Lanestep;
import io.lanestep.Lion;
import io.lanestep.Optimizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DL4J's configuration JSON holds a Lanestep configuration component by component. */
class RecordConfigTest {
    @Test
    void everyConfigurationReadsBackEqual() {
        for (Optimizer o : List.of(Lanestep.adamW().withLearningRate(0.3), Lanestep.lion().withCaution(true),
                Lanestep.adopt().withClipExponent(Double.NaN), Lanestep.adamWLegacy().withCaution(true))) {
            assertEquals(o, RecordConfig.decode(o.getClass().getSimpleName(), RecordConfig.encode(o)));
        }
    }

    /** A Lion written before it had timm's options reads as what it meant then. */
    @Test
    void anOlderLionReadsWithTimmsOptionsOff() {
        Map<String, String> written = new LinkedHashMap<>(Map.of("lr", "0.01", "beta1", "0.8", "beta2", "0.95",
                "weightDecay", "0.1", "maximize", "true"));
        assertEquals(new Lion(0.01, 0.8, 0.95, 0.1, true), RecordConfig.decode("Lion", written));
        written.remove("maximize");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecordConfig.decode("Lion", written))
                .getMessage().contains("no 'maximize'"));
    }
}
