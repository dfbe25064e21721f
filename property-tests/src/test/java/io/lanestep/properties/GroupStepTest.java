package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.AdamW;
import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Group;
import io.lanestep.NonFinite;
import io.lanestep.Optimizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.Tag;

/** Parameter groups in one call: as if each group were stepped alone; refused or skipped as a whole. */
@Tag("default-width")
class GroupStepTest {
    private static final Optimizer DECAYED = new AdamW(1e-2, 0.9, 0.999, 1e-8, 0.1, false, false);
    private static final Optimizer PLAIN = new AdamW(1e-2, 0.9, 0.999, 1e-8, 0, false, false);

    private static List<Block> blocks(Arena arena, Optimizer optimizer, SplittableRandom random, int count) {
        List<Block> blocks = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            int n = 1 + random.nextInt(300);
            blocks.add(new Block(optimizer.newState(n, arena), Floats.copyOf(arena, Data.NORMAL.fill(n, random)),
                    Floats.copyOf(arena, Data.NORMAL.fill(n, random))));
        }
        return blocks;
    }

    private static List<Block> copy(Arena arena, Optimizer optimizer, List<Block> blocks) {
        List<Block> copies = new ArrayList<>();
        for (Block b : blocks) {
            copies.add(new Block(optimizer.newState(b.state().length(), arena),
                    Floats.copyOf(arena, Floats.toArray(b.params())), b.grads()));
        }
        return copies;
    }

    @Example
    void groupsInOneCallEqualOneCallPerGroup() {
        Engine engine = Engine.create();
        SplittableRandom random = new SplittableRandom(3);
        try (Arena arena = Arena.ofConfined()) {
            List<Block> weights = blocks(arena, DECAYED, random, 20);
            List<Block> biases = blocks(arena, PLAIN, random, 20);
            List<Block> weightsAlone = copy(arena, DECAYED, weights);
            List<Block> biasesAlone = copy(arena, PLAIN, biases);
            List<Group> model = List.of(new Group(DECAYED, weights), new Group(PLAIN, biases));
            for (int t = 0; t < 5; t++) {
                assertTrue(engine.step(model, NonFinite.SKIP));
                engine.step(DECAYED, weightsAlone);
                engine.step(PLAIN, biasesAlone);
            }
            for (int b = 0; b < 20; b++) {
                assertArrayEquals(Floats.toArray(weightsAlone.get(b).params()), Floats.toArray(weights.get(b).params()));
                assertArrayEquals(Floats.toArray(biasesAlone.get(b).params()), Floats.toArray(biases.get(b).params()));
            }
        }
    }

    @Example
    void aBadBlockInAnyGroupStopsTheWholeStep() {
        Engine engine = Engine.create();
        SplittableRandom random = new SplittableRandom(4);
        try (Arena arena = Arena.ofConfined()) {
            List<Block> weights = blocks(arena, DECAYED, random, 3);
            List<Block> biases = blocks(arena, PLAIN, random, 3);
            float[] before = Floats.toArray(weights.get(0).params());
            biases.get(2).grads().setAtIndex(Floats.LAYOUT, 0, Float.NaN);
            List<Group> model = List.of(new Group(DECAYED, weights), new Group(PLAIN, biases));
            assertFalse(engine.step(model, NonFinite.SKIP));
            assertArrayEquals(before, Floats.toArray(weights.get(0).params()));
            assertEquals(0, weights.get(0).state().step());
            List<Group> mismatched = List.of(new Group(DECAYED, weights),
                    new Group(PLAIN, List.of(new Block(biases.get(0).state(), biases.get(0).params(),
                            MemorySegment.ofArray(new float[1_000])))));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> engine.step(mismatched, NonFinite.PROPAGATE));
            assertTrue(e.getMessage().startsWith("blocks[3].grads holds 4000 bytes"), e.getMessage());
            assertArrayEquals(before, Floats.toArray(weights.get(0).params()));
        }
    }
}
