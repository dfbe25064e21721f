package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lanestep.Schedule;
import org.junit.jupiter.api.Test;

/** A decay delayed behind a warm-up starts where the warm-up ends. */
class ScheduleTest {
    @Test
    void aDelayedDecayStartsAfterTheWarmUp() {
        Schedule cosine = Schedule.cosineRestarts(1000, 0.1, 1);
        Schedule s = Schedule.linearWarmup(500).times(cosine.delayed(500));
        assertEquals(1.0 / 500, s.factor(1));
        assertEquals(250.0 / 500, s.factor(250));
        assertEquals(1.0, s.factor(500));
        assertEquals(1.0, s.factor(501));
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 499 / 1000)), s.factor(1000), 1e-15);
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 999 / 1000)), s.factor(1500), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> cosine.delayed(-1));
    }
}
