package io.lanestep;

import io.lanestep.kernel.Kernel;
import io.lanestep.kernel.SquareSums;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Persistent worker threads that share one large block's step by element range. Every element's
 * update is independent of the others, so the split cannot change a single bit; the per-step
 * scalars are computed identically in every range and the state's bookkeeping is done once by the
 * caller. Nothing is allocated per step: the job is published through fields and a volatile
 * generation counter, and the threads park between steps.
 */
final class StepWorkers implements AutoCloseable {
    /** Blocks shorter than this are stepped by the calling thread alone: waking workers costs more. */
    static final long MIN_PARALLEL_LENGTH = 1 << 17;
    /**
     * How long a thread spins for the next job, or for the others to finish, before it parks.
     * Waking a parked thread took about 50 µs on the machines measured, as long as a whole step of
     * a 64K block; back-to-back steps (a training loop) find their workers still spinning.
     */
    private static final long SPIN_NANOS = 50_000;
    /**
     * Range boundaries fall on multiples of this many elements: whole cache lines, whole vectors,
     * and whole chunks of the norms the trust-ratio optimizers sum (see ChunkNorms); a kernel may
     * shift them ({@code Kernel.cutOffset}).
     */
    private static final long ALIGN = SquareSums.CHUNK;

    private final Thread[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;
    private Kernel kernel;
    private long length;
    private int pass;

    StepWorkers(int threads) {
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int part = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("lanestep-step-" + part).unstarted(() -> work(part));
            workers[i].start();
        }
    }

    int threads() {
        return workers.length + 1;
    }

    /** Runs one pass of a bound kernel over a block of {@code length} floats, split across all threads. */
    void run(Kernel kernel, int pass, long length) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("this engine was closed; create a new Engine to keep stepping");
            }
            this.kernel = kernel;
            this.length = length;
            this.pass = pass;
            failure = null;
            caller = Thread.currentThread();
            pending.set(workers.length);
            generation++;
            for (Thread worker : workers) {
                LockSupport.unpark(worker);
            }
            runPart(0);
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (pending.get() > 0) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            this.kernel = null;
            Throwable thrown = failure;
            if (thrown != null) {
                throw new IllegalStateException("a step worker failed", thrown);
            }
        } finally {
            lock.unlock();
        }
    }

    private void work(int part) {
        int seen = 0;
        long spinUntil = 0;
        while (!closed) {
            int current = generation;
            if (current == seen) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
                continue;
            }
            seen = current;
            try {
                runPart(part);
            } catch (Throwable t) {
                failure = t;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
            spinUntil = System.nanoTime() + SPIN_NANOS;
        }
    }

    private void runPart(int part) {
        kernel.runRange(pass, bound(length, part), bound(length, part + 1));
    }

    private long bound(long n, int part) {
        if (part == 0) {
            return 0;
        }
        if (part >= threads()) {
            return n;
        }
        long b = n / threads() * part;
        return Math.min(n, b - b % ALIGN + kernel.cutOffset());
    }

    @Override
    public void close() {
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }
}
