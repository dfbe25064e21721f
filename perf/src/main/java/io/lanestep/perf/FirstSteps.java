package io.lanestep.perf;

import io.lanestep.Adam;
import io.lanestep.Engine;
import io.lanestep.LaneWidth;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Locale;

/**
 * The first steps of a fresh JVM: 1000 steps of a 64K Adam at the preferred width, timed in
 * blocks of 100, with or without {@link Engine#warmUp} first. Run it in a new JVM each time
 * (JMH's warm-up would hide exactly what this measures), for example pinned to one core:
 * {@code taskset -c 0 java --add-modules jdk.incubator.vector -cp ... io.lanestep.perf.FirstSteps warm}.
 */
public final class FirstSteps {
    private static final int SIZE = 65_536;
    private static final int STEPS = 1000;
    private static final int BLOCK = 100;

    private FirstSteps() {
    }

    public static void main(String[] args) {
        boolean warm = args.length > 0 && args[0].equals("warm");
        Adam adam = Adam.defaults();
        try (Arena arena = Arena.ofShared(); Engine engine = Engine.create(LaneWidth.preferred())) {
            long t0 = System.nanoTime();
            if (warm) {
                engine.warmUp(List.of(adam));
            }
            long warmNanos = System.nanoTime() - t0;
            MemorySegment params = Blocks.params(arena, SIZE);
            MemorySegment grads = Blocks.grads(arena, SIZE);
            OptimizerState state = adam.newState(SIZE, arena);
            StringBuilder blocks = new StringBuilder();
            StringBuilder first = new StringBuilder();
            long start = System.nanoTime();
            long blockStart = start;
            for (int t = 1; t <= STEPS; t++) {
                long stepStart = System.nanoTime();
                engine.step(adam, state, params, grads);
                if (t <= 5) {
                    first.append(String.format(Locale.ROOT, " %.0f", (System.nanoTime() - stepStart) / 1e3));
                }
                if (t % BLOCK == 0) {
                    long now = System.nanoTime();
                    blocks.append(String.format(Locale.ROOT, " %.2f", (now - blockStart) / (double) BLOCK / SIZE));
                    blockStart = now;
                }
            }
            long total = System.nanoTime() - start;
            System.out.printf(Locale.ROOT, "%s: warm-up %.0f ms, first %d steps %.1f ms (%.2f ns/element);"
                            + " ns/element per %d steps:%s; the first 5 steps, µs:%s%n", warm ? "warm" : "cold",
                    warmNanos / 1e6, STEPS, total / 1e6, total / (double) STEPS / SIZE, BLOCK, blocks, first);
        }
    }
}
