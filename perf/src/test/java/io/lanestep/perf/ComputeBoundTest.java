package io.lanestep.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's reading of a missed speed target: compute-bound only where the in-cache step is already too slow. */
class ComputeBoundTest {
    private static Record formats(String format, long size, double ns) {
        return new Record(Workloads.FORMATS_PREFIX + format, Suite.FORMATS, size, 1, ns, 10 / ns, 0.5, null, null, 0, "test");
    }

    @Test
    void saysComputeBoundWhereTheInCacheStepIsSlowerThanAllowed() {
        Tables tables = new Tables(List.of(formats("bf16_q8", 65_536, 3.25), formats("bf16_q8", 16_777_216, 3.5),
                formats("bf16", 65_536, 0.5)), Suite.Mode.QUICK, "test");

        assertEquals("; compute-bound: 3.250 ns/element in cache at 65536, over the 0.200 allowed",
                tables.computeBound("bf16_q8", 0.2));
        assertEquals("", tables.computeBound("bf16_q8", 3.3), "in cache faster than allowed: memory may be the bound");
        assertEquals("", tables.computeBound("bf16", 0.6));
        assertEquals("; compute-bound: 0.500 ns/element in cache at 65536, over the 0.300 allowed",
                tables.computeBound("bf16", 0.3));
        assertEquals("", tables.computeBound("fp16", 0.01), "no in-cache measurement, no verdict");
    }
}
