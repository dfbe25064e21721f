package io.lanestep.perf;

/**
 * A known slowdown for proving what the A/B comparison can detect ({@link Ab}'s {@code --plant}):
 * with {@code -Dlanestep.plant=F} each measured step spins for F times its own time after it ends.
 * Unset, {@link #FRACTION} is a constant 0 and C2 drops both calls from the benchmark.
 */
final class Plant {
    static final double FRACTION = Double.parseDouble(System.getProperty("lanestep.plant", "0"));

    private Plant() {
    }

    static long start() {
        return FRACTION > 0 ? System.nanoTime() : 0;
    }

    static void finish(long start) {
        if (FRACTION > 0) {
            long now = System.nanoTime();
            long until = now + (long) ((now - start) * FRACTION);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }
    }
}
