package io.lanestep;

import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * One parameter block's optimizer state: a float segment per state key, the step counter, and the
 * optimizer and length it was made for. Step one state from one thread at a time: a second thread
 * stepping it meanwhile is refused with {@link java.util.ConcurrentModificationException}.
 */
public final class OptimizerState {
    private static final VarHandle BUSY;

    static {
        try {
            BUSY = MethodHandles.lookup().findVarHandle(OptimizerState.class, "busy", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Optimizer optimizer;
    private final long length;
    private final List<String> keys;
    private final MemorySegment[] slots;
    private final float[] scalars;
    // Per-chunk sums of squares for the trust-ratio optimizers (two doubles per 4096 floats):
    // threads fill their chunks, then every thread adds them in chunk order, so the norms do not
    // depend on the thread count. Scratch, not state: never checkpointed.
    private final MemorySegment chunkSums;
    private long step;
    private long lastCall;
    @SuppressWarnings("unused")
    private volatile int busy;

    private OptimizerState(Optimizer optimizer, long length, List<String> keys, MemorySegment[] slots,
                           MemorySegment chunkSums) {
        this.optimizer = optimizer;
        this.length = length;
        this.keys = keys;
        this.slots = slots;
        this.chunkSums = chunkSums;
        List<String> scalarKeys = optimizer.scalarKeys();
        this.scalars = new float[scalarKeys.size()];
        for (int i = 0; i < scalars.length; i++) {
            scalars[i] = optimizer.initialScalarValue(scalarKeys.get(i));
        }
    }

    static OptimizerState allocate(Optimizer optimizer, long length, Arena arena) {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(arena, "arena");
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        List<String> keys = optimizer.stateKeys();
        MemorySegment[] slots = new MemorySegment[keys.size()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = Floats.allocate(arena, length);
            float initial = optimizer.initialStateValue(keys.get(i));
            if (initial != 0f) {
                for (long j = 0; j < length; j++) {
                    slots[i].setAtIndex(Floats.LAYOUT, j, initial);
                }
            }
        }
        MemorySegment sums = Steps.twoPass(optimizer)
                ? arena.allocate(2 * Steps.chunks(length) * Double.BYTES, Floats.ALIGNMENT) : MemorySegment.NULL;
        return new OptimizerState(optimizer, length, keys, slots, sums);
    }

    /** The configuration this state was created with. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** Number of floats in the block this state belongs to. */
    public long length() {
        return length;
    }

    /** Steps taken so far (PyTorch's {@code state['step']}). */
    public long step() {
        return step;
    }

    /** The state slot names, in {@link Optimizer#stateKeys()} order. */
    public List<String> keys() {
        return keys;
    }

    /**
     * The segment of state slot {@code key}. Writing to it changes the optimizer's state.
     *
     * @throws IllegalArgumentException if this optimizer has no such slot
     */
    public MemorySegment slot(String key) {
        int i = keys.indexOf(key);
        if (i < 0) {
            throw new IllegalArgumentException("no state slot '" + key + "'; this state has " + keys);
        }
        return slots[i];
    }

    /**
     * The per-block scalar state {@code key} (for example NAdam's {@code mu_product}).
     *
     * @throws IllegalArgumentException if this optimizer has no such scalar
     */
    public float scalar(String key) {
        int i = optimizer.scalarKeys().indexOf(key);
        if (i < 0) {
            throw new IllegalArgumentException("no scalar state '" + key + "'; this state has "
                    + optimizer.scalarKeys());
        }
        return scalars[i];
    }

    float scalar(int index) {
        return scalars[index];
    }

    void setScalar(int index, float value) {
        scalars[index] = value;
    }

    MemorySegment slot(int index) {
        return slots[index];
    }

    /** Scratch for {@link Steps}: two doubles per chunk of the block. */
    MemorySegment chunkSums() {
        return chunkSums;
    }

    int slotCount() {
        return slots.length;
    }

    /** Records that multi-block call {@code call} includes this state; false if it already did. */
    boolean mark(long call) {
        if (lastCall == call) {
            return false;
        }
        lastCall = call;
        return true;
    }

    /** Claims this state for one step; false if another thread is stepping it. */
    boolean tryAcquire() {
        return BUSY.compareAndSet(this, 0, 1);
    }

    void release() {
        busy = 0;
    }

    void setStep(long value) {
        step = value;
    }

    void advance() {
        step++;
    }
}
