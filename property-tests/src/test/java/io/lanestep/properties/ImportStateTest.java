package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.NAdam;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** State made elsewhere, imported through the API, continues exactly as the state it came from. */
class ImportStateTest {
    @Test
    void anImportedNAdamStateContinuesLikeTheOriginal() {
        NAdam nadam = NAdam.defaults();
        int n = 100;
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (i % 9 - 4) / 16f;
        }
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create(LaneWidth.preferred())) {
            MemorySegment p1 = Floats.allocate(arena, n);
            OptimizerState original = nadam.newState(n, arena);
            for (int t = 0; t < 5; t++) {
                engine.step(nadam, original, p1, MemorySegment.ofArray(g));
            }
            OptimizerState imported = nadam.newState(n, arena);
            imported.importStep(original.step());
            imported.importScalar("mu_product", original.scalar("mu_product"));
            for (String key : original.keys()) {
                imported.slot(key).copyFrom(original.slot(key));
            }
            MemorySegment p2 = Floats.allocate(arena, n).copyFrom(p1);
            for (int t = 0; t < 3; t++) {
                engine.step(nadam, original, p1, MemorySegment.ofArray(g));
                engine.step(nadam, imported, p2, MemorySegment.ofArray(g));
            }
            assertArrayEquals(Floats.toArray(p1), Floats.toArray(p2));
            assertEquals(original.step(), imported.step());
            assertThrows(IllegalArgumentException.class, () -> imported.importStep(-1));
            assertThrows(IllegalArgumentException.class, () -> imported.importScalar("mu_product", Float.NaN));
            assertThrows(IllegalArgumentException.class, () -> imported.importScalar("nothing", 1f));
        }
    }
}
