package io.lanestep;

import io.lanestep.kernel.Catalogue;
import io.lanestep.kernel.Halves;
import io.lanestep.kernel.Kernel;
import io.lanestep.kernel.Memory;
import java.lang.foreign.Arena;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One parameter block's optimizer state: a float segment per state key, the step counter, and the
 * optimizer and length it was made for. Step one state from one thread at a time: a second thread
 * stepping it meanwhile is refused with {@link java.util.ConcurrentModificationException}.
 */
public final class OptimizerState {
    private static final VarHandle BUSY;
    private static final AtomicLong CLAIMS = new AtomicLong();

    static {
        try {
            BUSY = MethodHandles.lookup().findVarHandle(OptimizerState.class, "busy", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Optimizer optimizer;
    private final Formats formats;
    private final long length;
    private final List<String> keys;
    private final MemorySegment[] slots;
    /** The float32 master weights under {@link Formats#masterWeights()}; empty otherwise. */
    private final MemorySegment master;
    private final float[] scalars;
    private final Kernel kernel;
    /** The last multi-block aliasing check this state's block passed; read and written under the claim. */
    Aliasing.Stamp aliasStamp;
    /** Orders claims of several states (checkpoints) so that two of them can never wait on each other. */
    final long claimOrder = CLAIMS.getAndIncrement();
    private long step;
    private long lastCall;
    /** The length of the tensor this block is a piece of ({@link Optimizer#newShardState}); its own otherwise. */
    private long tensorLength;
    /** Whether a step stopped between its passes (its norm exchange failed): the state is half-stepped. */
    private boolean torn;
    @SuppressWarnings("unused")
    private volatile int busy;

    private OptimizerState(Optimizer optimizer, Formats formats, long length, List<String> keys,
                           MemorySegment[] slots, Arena arena) {
        this.optimizer = optimizer;
        this.formats = formats;
        this.master = formats.masterWeights() ? Floats.allocate(arena, length) : MemorySegment.NULL;
        this.length = length;
        this.tensorLength = length;
        this.keys = keys;
        this.slots = slots;
        List<String> scalarKeys = optimizer.scalarKeys();
        this.scalars = new float[scalarKeys.size()];
        for (int i = 0; i < scalars.length; i++) {
            scalars[i] = optimizer.initialScalarValue(scalarKeys.get(i));
        }
        MemorySegment[] views = new MemorySegment[slots.length];
        for (int i = 0; i < slots.length; i++) {
            views[i] = Memory.loopView(slots[i]);
        }
        this.kernel = Catalogue.kernel(optimizer, length, views, scalars, arena);
        kernel.formats(formats.params().ordinal(), formats.grads().ordinal(), formats.state().ordinal());
        if (formats.state() == Format.Q8) {
            boolean[] signed = new boolean[keys.size()];
            for (int i = 0; i < signed.length; i++) {
                signed[i] = Format.q8Signed(keys.get(i));
            }
            kernel.q8Maps(signed);
        }
        if (formats.masterWeights()) {
            kernel.master(Memory.loopView(master));
        }
        if (formats.rounding().stochastic()) {
            kernel.stochasticRounding(formats.rounding().seed());
        }
    }

    static OptimizerState allocate(Optimizer optimizer, long length, Arena arena) {
        return allocate(optimizer, length, arena, Formats.FP32);
    }

    static OptimizerState allocate(Optimizer optimizer, long length, Arena arena, Formats formats) {
        return allocate(optimizer, length, arena, formats, length);
    }

    /** {@code length} elements of a tensor of {@code tensorLength}, whose length picks the formats. */
    static OptimizerState allocate(Optimizer optimizer, long length, Arena arena, Formats formats, long tensorLength) {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(arena, "arena");
        Objects.requireNonNull(formats, "formats");
        VectorModule.require();
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        checkFormats(optimizer, formats);
        List<String> keys = optimizer.stateKeys();
        formats = formats.forLength(tensorLength, keys.size());
        MemorySegment[] slots = new MemorySegment[keys.size()];
        Format format = formats.state();
        for (int i = 0; i < slots.length; i++) {
            slots[i] = arena.allocate(format.slotBytes(length), Floats.ALIGNMENT);
            float initial = optimizer.initialStateValue(keys.get(i));
            if (format == Format.Q8) {
                Halves.fillQ8(slots[i], length, Format.q8Signed(keys.get(i)), initial);
                continue;
            }
            if (initial != 0f) {
                for (long j = 0; j < length; j++) {
                    Halves.set(slots[i], j, format, initial);
                }
            }
        }
        OptimizerState state = new OptimizerState(optimizer, formats, length, keys, slots, arena);
        state.tensorLength = tensorLength;
        state.kernel.tensorLength(tensorLength);
        return state;
    }

    /**
     * A float32 state over memory the caller owns, zero-copy: another framework's state arrays.
     * The slots are used as they are (initialise them with {@link Optimizer#initialStateValue});
     * the caller keeps them alive and writable while the state is stepped or saved.
     */
    static OptimizerState over(Optimizer optimizer, long length, List<MemorySegment> slots) {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(slots, "slots");
        VectorModule.require();
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        List<String> keys = optimizer.stateKeys();
        if (slots.size() != keys.size()) {
            throw new IllegalArgumentException(optimizer.getClass().getSimpleName() + " has " + keys.size()
                    + " state slots " + keys + ", but " + slots.size() + " segments were given; pass one per key");
        }
        MemorySegment[] own = new MemorySegment[keys.size()];
        for (int i = 0; i < own.length; i++) {
            MemorySegment slot = Objects.requireNonNull(slots.get(i), "slots[" + i + "]");
            if (slot.byteSize() != length * Float.BYTES) {
                throw new IllegalArgumentException("slots[" + i + "] (" + keys.get(i) + ") has " + slot.byteSize()
                        + " bytes, but a state of " + length + " floats needs " + length * Float.BYTES
                        + "; slice it to the block's length");
            }
            Checks.usable("slots[" + i + "] (" + keys.get(i) + ")", slot, true);
            own[i] = slot;
        }
        return new OptimizerState(optimizer, Formats.FP32, length, keys, own, Arena.ofAuto());
    }

    /** Refuses formats {@code optimizer} has no kernels for, before anything is allocated. */
    private static void checkFormats(Optimizer optimizer, Formats formats) {
        if (formats.lowPrecision() && !Formats.supports(optimizer)) {
            throw new IllegalArgumentException(optimizer.getClass().getSimpleName() + " has no kernel for 16-bit"
                    + " operands (" + formats + "); make its state with Formats.FP32, or use one of "
                    + Catalogue.OPTIMIZERS.stream().filter(Catalogue.SIXTEEN_BIT::contains).toList());
        }
        if (formats.state() != Format.FP32 && !Formats.supportsLowPrecisionState(optimizer)) {
            throw new IllegalArgumentException(optimizer.getClass().getSimpleName() + " keeps float32 state, got "
                    + formats + "; store the state as FP32, for example Formats.halfParams(" + formats.params() + ")");
        }
        if (formats.mixesSixteenBitFormats()) {
            throw new IllegalArgumentException("formats (" + formats + ") mix bf16 and fp16 in one block; store its"
                    + " 16-bit operands in one of them (convert the others first) or in FP32");
        }
    }

    /**
     * Adafactor's factored state of a {@code rows x cols} matrix: a row and a column statistic,
     * float32, for parameters and gradients stored as {@code formats}.
     */
    static OptimizerState allocateMatrix(Adafactor optimizer, long rows, long cols, Arena arena, Formats formats) {
        Objects.requireNonNull(formats, "formats");
        checkFormats(optimizer, formats);
        long length = matrixLength(rows, cols, arena);
        MemorySegment[] slots = {Floats.allocate(arena, rows), Floats.allocate(arena, cols)};
        return new OptimizerState(optimizer, formats, length, List.of(Adafactor.ROW_VAR, Adafactor.COL_VAR), slots,
                arena);
    }

    /** Muon's state of a {@code rows x cols} matrix: its momentum buffer; the kernel keeps the iterations' scratch. */
    static OptimizerState allocateMuon(Muon optimizer, long rows, long cols, Arena arena) {
        long length = matrixLength(rows, cols, arena);
        OptimizerState state = new OptimizerState(optimizer, Formats.FP32, length, optimizer.stateKeys(),
                new MemorySegment[] {Floats.allocate(arena, length)}, arena);
        state.kernel.shape(rows, cols);
        return state;
    }

    /** The elements of a {@code rows x cols} matrix, checked, with the arena and the vector module. */
    private static long matrixLength(long rows, long cols, Arena arena) {
        Objects.requireNonNull(arena, "arena");
        VectorModule.require();
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("a matrix needs rows >= 1 and cols >= 1, got " + rows + " x " + cols
                    + "; pass the parameter's shape");
        }
        try {
            return Math.multiplyExact(rows, cols);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(rows + " x " + cols + " overflows a long; pass the parameter's shape");
        }
    }

    /** The configuration this state was created with. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * The float32 master weights of a state made with {@link Formats#masterWeights()}: the
     * parameters the steps update, of which the block's 16-bit params are the rounded copy. The
     * first step ({@link #step()} 0) fills them from the params; a state imported at a later step
     * needs them written here too.
     *
     * @throws IllegalStateException if this state has no master weights
     */
    public MemorySegment master() {
        if (!formats.masterWeights()) {
            throw new IllegalStateException("this state has no master weights (" + formats + "); make it with"
                    + " Formats.masterWeights(copy, grads)");
        }
        return master;
    }

    /** Slots a checkpoint records: the state slots, then the master weights when the state has them. */
    int savedSlotCount() {
        return slots.length + (formats.masterWeights() ? 1 : 0);
    }

    /** Saved slot {@code k} (see {@link #savedSlotCount()}). */
    MemorySegment savedSlot(int k) {
        return k < slots.length ? slots[k] : master;
    }

    /** The format of saved slot {@code k}: the state's, float32 for the master weights. */
    Format savedSlotFormat(int k) {
        return k < slots.length ? formats.state() : Format.FP32;
    }

    /** Elements in saved slot {@code k}. */
    long savedSlotLength(int k) {
        return savedSlotFormat(k) == Format.Q8 ? length : savedSlot(k).byteSize() / savedSlotFormat(k).bytes();
    }

    /** The master weights, or an empty segment. */
    MemorySegment masterOrEmpty() {
        return master;
    }

    /** The formats of the block's parameters, gradients and state slots. */
    public Formats formats() {
        return formats;
    }

    /** Elements in slot {@code index}: the block's length, except for Adafactor's factored statistics. */
    long slotLength(int index) {
        return formats.state() == Format.Q8 ? length : slots[index].byteSize() / formats.state().bytes();
    }

    /** Number of floats in the block this state belongs to. */
    public long length() {
        return length;
    }

    /**
     * The length of the tensor this state's block is a piece of, as given to
     * {@link Optimizer#newShardState}; the block's own length for every other state.
     */
    public long tensorLength() {
        return tensorLength;
    }

    /** Whether this state's block is a piece of a longer tensor (a ZeRO-1 shard's). */
    boolean isPiece() {
        return tensorLength > length;
    }

    /** Whether a step stopped between its passes and left this state half-stepped; cleared by a restore. */
    boolean torn() {
        return torn;
    }

    void tear() {
        torn = true;
    }

    /** Steps taken so far (PyTorch's {@code state['step']}). */
    public long step() {
        return step;
    }

    /** Where this state's block starts in the model's flat parameter vector; 0 until {@link #placeAt}. */
    public long offset() {
        return kernel.origin();
    }

    /**
     * Places this state's block at element {@code offset} of the model's flat parameter vector, as
     * a shard of a larger model (ZeRO-1). Stochastic rounding keys each element's random bits by
     * its place in the model, {@code offset + i}, so a shard rounds exactly as the whole model
     * would and {@link Checkpoint#restoreParts} into another split continues the same sequence.
     * Place a shard before its first step; {@code restoreParts} places the states it restores.
     *
     * @throws IllegalArgumentException if {@code offset} is negative or the block would end past
     *                                  {@code Long.MAX_VALUE}
     * @throws java.util.ConcurrentModificationException if another thread is stepping, saving or
     *                                  restoring this state
     */
    public void placeAt(long offset) {
        if (offset < 0 || offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("offset must be in [0, Long.MAX_VALUE - length], got " + offset
                    + "; pass the block's first element in the model's flat parameter vector");
        }
        hold();
        try {
            kernel.origin(offset);
        } finally {
            release();
        }
    }

    /** {@link #placeAt} for a caller already holding the claim. */
    void place(long offset) {
        kernel.origin(offset);
    }

    /** The state slot names, in {@link Optimizer#stateKeys()} order. */
    public List<String> keys() {
        return keys;
    }

    /**
     * The segment of state slot {@code key}, in the state's format ({@link #formats()}). Writing
     * to it changes the optimizer's state.
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

    /**
     * Imports state made elsewhere (another framework's optimizer, a converted checkpoint): sets
     * the steps taken so far, which the bias corrections and schedules count from. Write the
     * slots through {@link #slot(String)}.
     *
     * @throws IllegalArgumentException if {@code steps} is negative
     * @throws java.util.ConcurrentModificationException if another thread is stepping, saving or
     *                                  restoring this state
     */
    public void importStep(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps + "; pass the number of steps the"
                    + " state has taken");
        }
        hold();
        try {
            step = steps;
        } finally {
            release();
        }
    }

    /**
     * Imports scalar state {@code key} (for example NAdam's {@code mu_product}) made elsewhere.
     *
     * @throws IllegalArgumentException if this optimizer has no such scalar, or {@code value} is not finite
     * @throws java.util.ConcurrentModificationException if another thread is stepping, saving or
     *                                  restoring this state
     */
    public void importScalar(String key, float value) {
        int i = optimizer.scalarKeys().indexOf(key);
        if (i < 0) {
            throw new IllegalArgumentException("no scalar state '" + key + "'; this state has "
                    + optimizer.scalarKeys());
        }
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException(key + " must be finite, got " + value);
        }
        hold();
        try {
            scalars[i] = value;
        } finally {
            release();
        }
    }

    private void hold() {
        if (!tryAcquire()) {
            throw new java.util.ConcurrentModificationException("another thread is stepping, saving or restoring"
                    + " this state; import its values before training or between steps");
        }
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

    /** The fused update of this state's block; use it only while holding the claim ({@link #tryAcquire}). */
    Kernel kernel() {
        return kernel;
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
        torn = false;
    }

    void advance() {
        step++;
    }
}
