package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Schedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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

    /** Issue 16: equal periods looped once per restart, forever once t - 1 passed 2^53. */
    @Test
    @Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void cosineRestartsAnswersAtOnceForAnyStep() {
        Schedule equal = Schedule.cosineRestarts(1, 0, 1);
        assertEquals(1.0, equal.factor((1L << 54) + 2));
        Schedule seven = Schedule.cosineRestarts(7, 0.5, 1);
        assertEquals(seven.factor(3), seven.factor(3 + 7L * 1_000_000_000_000L));
        for (long t : new long[] {20_000_000L, Long.MAX_VALUE}) {
            double f = Schedule.cosineRestarts(10, 0.01, 1.0000001).factor(t);
            assertTrue(f >= 0.01 && f <= 1, "factor " + f + " at " + t);
        }
    }

    /** Growing periods start where the sum of the earlier ones ends, at every boundary. */
    @Test
    void growingPeriodsRestartAtTheirBoundaries() {
        for (double growth : new double[] {2, 3}) {
            Schedule s = Schedule.cosineRestarts(10, 0, growth);
            double length = 10;
            long start = 1;
            for (int k = 0; k < 12; k++) {
                assertEquals(1.0, s.factor(start), 1e-12, "restart " + k + " at " + start + ", growth " + growth);
                double expectedLast = 0.5 * (1 + Math.cos(Math.PI * (Math.ceil(length) - 1) / length));
                long last = start + (long) Math.ceil(length) - 1;
                assertEquals(expectedLast, s.factor(last), 1e-9, "end of period " + k + ", growth " + growth);
                start += (long) Math.ceil(length);
                length *= growth;
            }
        }
    }
}
