package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adam;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Example;

/** One engine shared by many threads: disjoint blocks step as if sequentially; a shared state is refused. */
class ConcurrencyTest {

    @Example
    void manyThreadsSteppingDisjointBlocksEqualASequentialRun() throws Exception {
        int threads = 8;
        int blocksPerThread = 25;
        int steps = 2000;
        Adam adam = Adam.defaults();
        Engine engine = Engine.create();
        SplittableRandom random = new SplittableRandom(5);
        try (Arena arena = Arena.ofShared();
             ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<MemorySegment> parallel = new ArrayList<>();
            List<MemorySegment> sequential = new ArrayList<>();
            List<OptimizerState> parallelStates = new ArrayList<>();
            List<OptimizerState> sequentialStates = new ArrayList<>();
            List<MemorySegment> grads = new ArrayList<>();
            for (int b = 0; b < threads * blocksPerThread; b++) {
                int n = 1 + random.nextInt(100);
                float[] p = Data.NORMAL.fill(n, random);
                parallel.add(Floats.copyOf(arena, p));
                sequential.add(Floats.copyOf(arena, p));
                parallelStates.add(adam.newState(n, arena));
                sequentialStates.add(adam.newState(n, arena));
                grads.add(Floats.copyOf(arena, Data.NORMAL.fill(n, random)));
            }
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t * blocksPerThread;
                done.add(pool.submit(() -> {
                    for (int s = 0; s < steps; s++) {
                        for (int b = first; b < first + blocksPerThread; b++) {
                            engine.step(adam, parallelStates.get(b), parallel.get(b), grads.get(b));
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            for (int s = 0; s < steps; s++) {
                for (int b = 0; b < sequential.size(); b++) {
                    engine.step(adam, sequentialStates.get(b), sequential.get(b), grads.get(b));
                }
            }
            for (int b = 0; b < sequential.size(); b++) {
                assertArrayEquals(Floats.toArray(sequential.get(b)), Floats.toArray(parallel.get(b)), "block " + b);
                assertEquals(steps, parallelStates.get(b).step());
            }
        }
    }

    @Example
    void twoThreadsSteppingOneStateAreRefusedNotCorrupted() throws Exception {
        Adam adam = Adam.defaults();
        long n = 8_000_000;
        Engine engine = Engine.create(LaneWidth.SCALAR);
        try (Arena arena = Arena.ofShared();
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            MemorySegment params = Floats.allocate(arena, n);
            MemorySegment grads = Floats.allocate(arena, n);
            grads.fill((byte) 0x3c);
            OptimizerState state = adam.newState(n, arena);
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger applied = new AtomicInteger();
            for (int round = 0; round < 5; round++) {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> both = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    both.add(pool.submit(() -> {
                        start.await();
                        try {
                            engine.step(adam, state, params, grads);
                            applied.incrementAndGet();
                        } catch (ConcurrentModificationException e) {
                            assertTrue(e.getMessage().startsWith("another thread is stepping this state"));
                            refused.incrementAndGet();
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : both) {
                    f.get();
                }
            }
            assertTrue(refused.get() > 0, "two threads never overlapped on one 8M-float state in 5 rounds");
            assertEquals(applied.get(), state.step(), "every applied step, and only those, was counted");
            // Each element saw the same number of complete steps: one value for all of them.
            float first = params.getAtIndex(Floats.LAYOUT, 0);
            assertEquals(first, params.getAtIndex(Floats.LAYOUT, n - 1));
            assertEquals(first, params.getAtIndex(Floats.LAYOUT, n / 2));
        }
    }
}
