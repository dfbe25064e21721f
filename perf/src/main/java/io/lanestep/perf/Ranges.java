package io.lanestep.perf;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Runs a roofline kernel over {@code [0, size)} split into {@code parts} ranges on a pool, as the engine splits a step. */
final class Ranges {
    /** A kernel over one range. */
    interface Kernel {
        void run(long from, long to);
    }

    private Ranges() {
    }

    static void run(ExecutorService pool, int parts, long size, Kernel kernel) throws Exception {
        long chunk = size / parts;
        Future<?>[] done = new Future<?>[parts];
        for (int k = 0; k < parts; k++) {
            long from = k * chunk;
            long to = k == parts - 1 ? size : from + chunk;
            done[k] = pool.submit(() -> kernel.run(from, to));
        }
        for (Future<?> f : done) {
            f.get();
        }
    }
}
