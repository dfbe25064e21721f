package io.lanestep.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A/B benchmark names map to the JMH selection they promise, and a wrong name says how to write one. */
class AbCaseTest {
    @Test
    void namesSelectTheirBenchmarkAndParameters() {
        assertEquals(List.of("^io\\.lanestep\\.perf\\.OptimizerBench\\.step$", "-p", "optimizer=lion", "-p",
                "size=1048576", "-p", "width=BITS_256", "-p", "state=fp32", "-p", "threads=1"),
                AbCase.parse("lion@1m/256").jmhArgs());
        assertEquals(List.of("format=fp32_q8", "size=65536", "threads=1"), AbCase.parse("fp32_q8@64k").params());
        assertEquals("io.lanestep.perf.MultiBlockBench.manyBlocks", AbCase.parse("many_blocks").benchmark());
        assertEquals("size=4096", AbCase.parse("adam@4096").params().get(1));
    }

    @Test
    void theDefaultSelectionParses() {
        assertEquals(AbCase.DEFAULT.size(), AbCase.parseAll(String.join(",", AbCase.DEFAULT)).size());
    }

    @Test
    void wrongNamesAreRefusedWithTheGrammar() {
        for (String bad : List.of("adam", "adamx@64k", "adam@0", "adam@64q", "adam@64k/100", "bf16@1m/256", " , ")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AbCase.parseAll(bad), bad);
            assertTrue(e.getMessage().contains("WORKLOAD@SIZE"), e.getMessage());
        }
    }
}
