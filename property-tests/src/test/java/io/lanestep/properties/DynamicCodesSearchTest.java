package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lanestep.kernel.DynamicCodes;
import io.lanestep.reference.lowp.BlockQuantizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The 8-bit search against the reference's nearest code, over every float in [-1, 1] (2.13e9 of
 * them per map, -0.0 and the subnormals included). The engine's search runs on each float; the
 * reference's linear scan on each end of every run of equal engine codes, which suffices: the
 * reference's code never decreases as x grows, so agreeing at both ends of a run it agrees on the
 * whole run.
 */
class DynamicCodesSearchTest {
    private static final int BLOCK = 256;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void everyFloatInTheUnitRangeGetsTheReferenceCode(boolean signed) {
        float[] x = new float[BLOCK];
        byte[] codes = new byte[BLOCK];
        Run run = new Run(signed);
        // Ascending: -1 up to -0.0 (bits falling), then +0.0 up to 1 (bits rising).
        long negatives = Float.floatToRawIntBits(1f) + 1L;
        long total = 2 * negatives;
        for (long at = 0; at < total; at += BLOCK) {
            int count = (int) Math.min(BLOCK, total - at);
            for (int j = 0; j < count; j++) {
                long n = at + j;
                int bits = n < negatives ? (int) (0x8000_0000L | negatives - 1 - n) : (int) (n - negatives);
                x[j] = Float.intBitsToFloat(bits);
            }
            DynamicCodes.search(signed, x.clone(), count, codes);
            for (int j = 0; j < count; j++) {
                run.next(x[j], codes[j] & 0xff);
            }
        }
        run.close();
    }

    /** A run of equal engine codes, checked against the reference at its two ends. */
    private static final class Run {
        private final boolean signed;
        private float first = Float.NaN;
        private float last;
        private int code = -1;

        Run(boolean signed) {
            this.signed = signed;
        }

        void next(float x, int engineCode) {
            if (engineCode != code) {
                close();
                first = x;
                code = engineCode;
            }
            last = x;
        }

        void close() {
            if (code >= 0) {
                assertEquals(BlockQuantizer.nearest(first, signed), code, () -> "code of " + first);
                assertEquals(BlockQuantizer.nearest(last, signed), code, () -> "code of " + last);
            }
        }
    }
}
