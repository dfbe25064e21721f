package io.lanestep;

import io.lanestep.kernel.Catalogue;
import io.lanestep.kernel.Halves;
import io.lanestep.kernel.Kernel;
import io.lanestep.kernel.SquareSums;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;

/**
 * Applies optimizer steps at one lane width, on one thread or several. Thread-safe; the states it
 * steps are not (one thread per state at a time).
 *
 * <p>A step validates every argument first, then makes one fused pass over the block: a refused
 * step leaves parameters and state as they were. With more than one thread, blocks of at least
 * 131 072 floats are split by element range across persistent worker threads; the result does not
 * depend on the thread count. Close a multi-threaded engine to stop its threads; a close waits
 * for the steps in progress.
 *
 * <p>Memory: parameters and gradients may be heap segments over a {@code float[]} or native
 * segments of any kind (confined, shared, automatic or global arenas, {@code ofAddress} views,
 * direct buffers), mixed freely within a call and across calls, with the same bits and at full
 * speed (see {@code io.lanestep.kernel.Memory} for what each form assumes). Segments of a
 * confined arena are stepped by worker threads too: the owner thread, the only one that could
 * close the arena, waits inside the step until they are done. Read-only heap segments and heap
 * segments over other arrays than {@code float[]} are refused.
 */
public final class Engine implements AutoCloseable {
    private static final ThreadLocal<SquareSum> NORM_SCRATCH = ThreadLocal.withInitial(SquareSum::new);
    /** A sharded step's pieces of trust-ratio tensors, their optimizers and partial sums (see {@link NormExchange}). */
    private static final ThreadLocal<List<Block>> PIECES = ThreadLocal.withInitial(ArrayList::new);
    private static final ThreadLocal<List<Optimizer>> PIECE_OPTIMIZERS = ThreadLocal.withInitial(ArrayList::new);
    private static final ThreadLocal<List<SquareSum>> PIECE_SUMS = ThreadLocal.withInitial(ArrayList::new);
    private static final int MAX_THREADS = 1024;
    /** Numbers multi-block calls, so a state seen twice in one call is found in one pass. */
    private static final AtomicLong CALLS = new AtomicLong();
    /** A clip value that clamps nothing: every float, infinities included, lies within it. */
    static final float NO_CLIP = Float.POSITIVE_INFINITY;

    private final LaneWidth width;
    private final StepWorkers workers;
    private final boolean flushSubnormalState;
    /** Read-held by every step, write-held by {@link #close}. */
    private final StampedLock gate = new StampedLock();
    private volatile boolean closed;

    private Engine(LaneWidth width, StepWorkers workers, boolean flushSubnormalState) {
        this.width = width;
        this.flushSubnormalState = flushSubnormalState;
        this.workers = workers;
    }

    /** An engine at the width of the system property {@value LaneWidth#PROPERTY}, by default the CPU's preferred. */
    public static Engine create() {
        return create(LaneWidth.fromSystemProperty());
    }

    /**
     * An engine at {@code width}.
     *
     * @throws IllegalArgumentException if the CPU has no registers that wide
     */
    public static Engine create(LaneWidth width) {
        return create(width, 1);
    }

    /**
     * An engine at {@code width} that splits large blocks across {@code threads} threads (the
     * caller's and {@code threads - 1} workers).
     *
     * @throws IllegalArgumentException if the CPU has no registers that wide, or threads is not in 1..1024
     * @throws IllegalStateException    if the JVM was started without {@code --add-modules jdk.incubator.vector}
     */
    public static Engine create(LaneWidth width, int threads) {
        return create(width, threads, false);
    }

    /**
     * An engine as {@link #create(LaneWidth, int)} that, with {@code flushSubnormalState}, turns
     * every optimizer state value that a step leaves subnormal into a zero of the same sign (what
     * PyTorch's {@code set_flush_denormal} does to the state): a long run whose moments decay into
     * the subnormal range no longer pays the CPU's slow path on them every step (numbers in the
     * README). The parameters are never flushed, and a step computes its parameters from the
     * unflushed values, so only the state left for the next step changes. LAMB's, Adafactor's and
     * Prodigy's state, which a later pass of the same step reads (Prodigy's second sum is over the
     * gradient sums the first pass writes), is left as it is.
     *
     * @throws IllegalArgumentException as {@link #create(LaneWidth, int)}
     * @throws IllegalStateException    if the JVM was started without {@code --add-modules jdk.incubator.vector}
     */
    public static Engine create(LaneWidth width, int threads, boolean flushSubnormalState) {
        Objects.requireNonNull(width, "width");
        VectorModule.require();
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be in 1.." + MAX_THREADS + ", got " + threads
                    + "; pass 1 for single-threaded steps or Runtime.getRuntime().availableProcessors()");
        }
        width.requireSupported(LaneWidth.maxSupportedBits());
        return new Engine(width, threads == 1 ? null : new StepWorkers(threads), flushSubnormalState);
    }

    /**
     * Compiles the kernels of {@code optimizers} before the first real step: C2 needs about 0.8 s
     * of stepping per kernel, and until then a step runs up to 100x slower. Steps small scratch
     * blocks (native and heap, which have loops of their own) until C2 has compiled them; takes
     * about a second per optimizer and leaves nothing behind. Optional: without it the first
     * steps of a run are just slow.
     *
     * @param optimizers the configurations the run will step; other configurations of the same
     *                   optimizer with other options may still compile their own branches later
     */
    public void warmUp(List<? extends Optimizer> optimizers) {
        requireOpen();
        Objects.requireNonNull(optimizers, "optimizers");
        for (Optimizer o : optimizers) {
            Objects.requireNonNull(o, "optimizers contains null");
            Warmup.run(this, o);
        }
    }

    /** The width this engine's kernels run at. */
    public LaneWidth laneWidth() {
        return width;
    }

    /** The number of threads a large block's step is split across. */
    public int threads() {
        return workers == null ? 1 : workers.threads();
    }

    /**
     * One optimizer step of one block, in place: updates {@code params} and {@code state} from
     * {@code grads}. Non-finite gradients {@linkplain NonFinite#PROPAGATE propagate}, as in PyTorch:
     * a NaN or infinite gradient makes NaN or infinite parameters and state, silently, and nothing
     * reads the gradients twice. To skip such a step or refuse it instead, pass a {@link NonFinite}
     * policy ({@link #step(Optimizer, OptimizerState, MemorySegment, MemorySegment, NonFinite)}).
     *
     * @throws IllegalArgumentException on a length mismatch, a state made for another optimizer,
     *                                  read-only params or state, overlapping segments, or heap
     *                                  memory the engine cannot step (see the class comment)
     * @throws IllegalStateException    if a segment's arena is closed or confined to another thread
     */
    public void step(Optimizer optimizer, OptimizerState state, MemorySegment params, MemorySegment grads) {
        step(optimizer, state, params, grads, NonFinite.PROPAGATE);
    }

    /**
     * One step of one block with a policy for non-finite gradients.
     *
     * @return false if the step was skipped under {@link NonFinite#SKIP}: nothing was written
     * @throws NonFiniteGradientException under {@link NonFinite#THROW}, nothing written
     * @throws java.util.ConcurrentModificationException if another thread is stepping {@code state}
     * @throws IllegalArgumentException  as {@link #step(Optimizer, OptimizerState, MemorySegment, MemorySegment)}
     */
    public boolean step(Optimizer optimizer, OptimizerState state, MemorySegment params, MemorySegment grads,
                        NonFinite policy) {
        requireOpen();
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(policy, "policy");
        Checks.block(optimizer, state, params, grads, -1);
        requireWhole(optimizer, state, -1);
        requireUncut(optimizer, state, -1);
        long stamp = enter();
        try {
            acquire(state);
            try {
                bind(state, params, grads, 1f, NO_CLIP);
                if (!finite(state, grads, -1, policy)) {
                    return false;
                }
                apply(optimizer, state);
            } finally {
                state.release();
            }
        } finally {
            gate.unlockRead(stamp);
        }
        return true;
    }

    /**
     * One step of every block with the same optimizer configuration; all blocks are validated
     * before any is written. Blocks must not share memory with each other. Non-finite gradients
     * propagate, as in PyTorch; {@link #step(Optimizer, List, NonFinite)} skips or refuses them.
     *
     * @throws IllegalArgumentException as {@link #step(Optimizer, OptimizerState, MemorySegment, MemorySegment)},
     *                                  naming the block's index, or if a state appears twice
     */
    public void step(Optimizer optimizer, List<Block> blocks) {
        step(optimizer, blocks, NonFinite.PROPAGATE);
    }

    /**
     * One step of every block with a policy for non-finite gradients: under {@link NonFinite#SKIP}
     * a NaN or infinity in any block's gradients skips the whole step, every block untouched.
     *
     * @return false if the step was skipped
     * @throws NonFiniteGradientException under {@link NonFinite#THROW}, naming the block and element
     */
    public boolean step(Optimizer optimizer, List<Block> blocks, NonFinite policy) {
        requireOpen();
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(blocks, "blocks");
        Objects.requireNonNull(policy, "policy");
        return run(null, optimizer, blocks, policy, 1f, NO_CLIP, null);
    }

    /**
     * One step of a whole model made of parameter groups, each with its own configuration (for
     * example no weight decay on biases). Every block of every group is validated, and under
     * {@link NonFinite#SKIP} or {@link NonFinite#THROW} checked, before any is written; block
     * indices in messages count across the groups in order.
     *
     * @return false if the step was skipped
     */
    public boolean step(List<Group> groups, NonFinite policy) {
        return step(groups, policy, 1f);
    }

    /**
     * One step of a whole model with every gradient multiplied by {@code gradScale} inside the
     * fused update, as PyTorch's {@code clip_grad_norm_} multiplies them before the step: pass
     * {@code (float) clipCoefficient(maxNorm, globalNorm(grads))}. The gradients themselves are
     * not written, and nothing reads them twice but the norm.
     *
     * <p>A norm that overflowed (a gradient above about 1.8e19, whose square float32 cannot hold)
     * gives the coefficient 0, as in PyTorch: the step then runs on zeroed gradients.
     *
     * @throws IllegalArgumentException if {@code gradScale} is negative, infinite or NaN
     */
    public boolean step(List<Group> groups, NonFinite policy, float gradScale) {
        return step(groups, policy, gradScale, NO_CLIP);
    }

    /**
     * One step of a whole model with every gradient multiplied by {@code gradScale}, then clamped
     * to {@code [-clipValue, clipValue]} inside the fused update: PyTorch's {@code clip_grad_value_}
     * (after {@code clip_grad_norm_}, if both) followed by the step, bit for bit, with the
     * gradients left unwritten. {@code clipValue} infinite clamps nothing. NaN gradients stay NaN;
     * {@link NonFinite} policies look at the gradients as given, before any clipping, as PyTorch's
     * {@code GradScaler} does.
     *
     * @throws IllegalArgumentException if {@code gradScale} is negative, infinite or NaN, or
     *                                  {@code clipValue} is negative or NaN
     */
    public boolean step(List<Group> groups, NonFinite policy, float gradScale, float clipValue) {
        return step(groups, policy, gradScale, clipValue, null);
    }

    /**
     * One step of this rank's shard of a model (ZeRO-1) whose LARS or LAMB tensors may be cut
     * across ranks: as {@link #step(List, NonFinite, float, float)}, with {@code exchange}
     * completing the trust ratios' norms of the blocks whose states are pieces of a tensor
     * ({@link Optimizer#newShardState}). Every other block steps as it would without it. The
     * pieces' first passes run first, then one exchange for all of them, then their second passes.
     * The exchange is called once per step taken, with empty lists when this rank holds no piece,
     * so that a collective over every rank can run inside it.
     *
     * @param exchange adds the other ranks' partial sums of squares; null when no block is such a piece
     * @throws IllegalArgumentException as the step without it, or if {@code exchange} is null and
     *                                  a block is a piece of a LARS or LAMB tensor
     * @throws IllegalStateException    if the exchange threw (the cause) or did not leave two sums
     *                                  per piece; the pieces are then half-stepped (see {@link NormExchange})
     */
    public boolean step(List<Group> groups, NonFinite policy, float gradScale, float clipValue,
                        NormExchange exchange) {
        requireOpen();
        if (!(gradScale >= 0) || Float.isInfinite(gradScale)) {
            throw new IllegalArgumentException("gradScale must be finite and >= 0, got " + gradScale
                    + "; pass Engine.clipCoefficient(maxNorm, norm), which lies in [0, 1], and skip steps whose"
                    + " norm is NaN (NonFinite.SKIP)");
        }
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("clipValue must be >= 0, got " + clipValue
                    + "; pass the largest gradient magnitude to keep, or Float.POSITIVE_INFINITY to clip nothing");
        }
        Objects.requireNonNull(groups, "groups");
        Objects.requireNonNull(policy, "policy");
        for (int g = 0; g < groups.size() && clipValue < NO_CLIP; g++) {
            if (groups.get(g).optimizer() instanceof Lars) {
                throw new IllegalArgumentException("groups[" + g + "] is LARS, whose trust ratio takes the norm of the"
                        + " unclamped gradient, so clipValue must be Float.POSITIVE_INFINITY; clip by norm instead");
            }
        }
        return run(groups, null, null, policy, gradScale, clipValue, exchange);
    }

    /**
     * The one multi-block path: the blocks of every group ({@code groups}), or {@code blocks} with
     * {@code optimizer} when groups is null. Validates every block, claims every state, binds every
     * block and checks every gradient before any is written.
     */
    private boolean run(List<Group> groups, Optimizer optimizer, List<Block> blocks, NonFinite policy,
                        float gradScale, float gradClip, NormExchange exchange) {
        long stamp = enter();
        try {
            return runOpen(groups, optimizer, blocks, policy, gradScale, gradClip, exchange);
        } finally {
            gate.unlockRead(stamp);
        }
    }

    private boolean runOpen(List<Group> groups, Optimizer optimizer, List<Block> blocks, NonFinite policy,
                            float gradScale, float gradClip, NormExchange exchange) {
        int groupCount = groups == null ? 1 : groups.size();
        long call = CALLS.incrementAndGet();
        for (int g = 0, first = 0; g < groupCount; g++) {
            List<Block> group = blocks(groups, blocks, g);
            Optimizer o = optimizer(groups, optimizer, g);
            WeightEma ema = groups == null ? null : groups.get(g).ema();
            for (int i = 0; i < group.size(); i++) {
                Block b = group.get(i);
                Checks.block(o, b.state(), b.params(), b.grads(), first + i);
                Checks.ema(ema, b.ema(), b.params(), b.grads(), first + i);
                if (exchange == null) {
                    requireWhole(o, b.state(), first + i);
                }
                requireUncut(o, b.state(), first + i);
                if (!b.state().mark(call)) {
                    throw new IllegalArgumentException("blocks[" + (first + i) + "] has the state of an earlier"
                            + " block; give every block its own state so that none is stepped twice");
                }
            }
            first += group.size();
        }
        int held = 0;
        try {
            for (; held < groupCount; held++) {
                acquire(blocks(groups, blocks, held));
            }
            Aliasing.check(groups, blocks);
            for (int g = 0, first = 0; g < groupCount; g++) {
                List<Block> group = blocks(groups, blocks, g);
                WeightEma ema = groups == null ? null : groups.get(g).ema();
                for (int i = 0; i < group.size(); i++) {
                    Block b = group.get(i);
                    bind(b.state(), b.params(), b.grads(), gradScale, gradClip);
                    if (ema != null) {
                        b.state().kernel().bindEma(b.params(), b.ema(), ema.weightAt(b.state().step() + 1));
                    }
                    if (!finite(b.state(), b.grads(), first + i, policy)) {
                        return false;
                    }
                }
                first += group.size();
            }
            List<Block> pieces = exchange == null ? null : PIECES.get();
            List<Optimizer> pieceOptimizers = exchange == null ? null : PIECE_OPTIMIZERS.get();
            if (exchange != null) {
                pieces.clear();
                pieceOptimizers.clear();
                PIECE_SUMS.get().clear();
            }
            for (int g = 0; g < groupCount; g++) {
                List<Block> group = blocks(groups, blocks, g);
                Optimizer o = optimizer(groups, optimizer, g);
                for (int i = 0; i < group.size(); i++) {
                    OptimizerState state = group.get(i).state();
                    if (exchange != null && state.isPiece() && sumsTensor(o)) {
                        begin(o, state);
                        passes(state, 0, 1);
                        pieces.add(group.get(i));
                        pieceOptimizers.add(o);
                    } else {
                        apply(o, state);
                    }
                }
            }
            if (exchange != null) {
                completePieces(pieces, pieceOptimizers, exchange);
            }
        } finally {
            for (int g = 0; g < held; g++) {
                List<Block> group = blocks(groups, blocks, g);
                release(group, group.size());
            }
        }
        return true;
    }

    /**
     * The global L2 norm of all {@code grads} together, as PyTorch's {@code clip_grad_norm_}
     * computes it: {@link #addSquares} into a zeroed sum, then its square root, rounded once. The
     * same bits at every lane width and thread count, and for a model sharded at multiples of 4096
     * elements of each tensor; within a relative 1.5e-5 of the exact norm of the floats. Reads
     * only; allocates nothing once warm.
     *
     * @throws IllegalStateException if a segment's arena is closed or confined to another thread
     */
    public double globalNorm(List<MemorySegment> grads) {
        SquareSum sum = NORM_SCRATCH.get();
        sum.clear();
        addSquares(grads, sum);
        return sum.norm();
    }

    /**
     * Adds the squares of every element of {@code grads} to {@code sum}: each segment is cut into
     * chunks of 4096 elements from its start, each chunk summed in one fixed SIMD order (see
     * {@code SquareSums}: float partial sums, so gradients whose squares overflow float32, above
     * about 1.8e19, can make the sum infinite), and each chunk's sum added exactly.
     *
     * <p>For a model sharded across processes (ZeRO-1), cut every tensor at multiples of 4096
     * elements from its start (or at its ends): then each shard's chunks are the whole tensor's,
     * each shard adds its own gradients into its own sum, the shards add the sums together through
     * their own all-reduce ({@link SquareSum#toLongs()}), in any order, and every shard gets the
     * unsharded {@link SquareSum#norm()} bit for bit, for {@link #clipCoefficient}.
     *
     * @throws IllegalStateException if a segment's arena is closed or confined to another thread
     */
    public void addSquares(List<MemorySegment> grads, SquareSum sum) {
        requireOpen();
        Objects.requireNonNull(grads, "grads");
        Objects.requireNonNull(sum, "sum");
        for (int i = 0; i < grads.size(); i++) {
            MemorySegment g = grads.get(i);
            if (g == null) {
                throw new NullPointerException("grads[" + i + "] is null");
            }
            Checks.readable(g, i);
        }
        for (MemorySegment g : grads) {
            long n = g.byteSize() / Float.BYTES;
            for (long c = 0; c < n; c += SquareSums.CHUNK) {
                sum.add(SquareSums.of(width.bits(), g, c, Math.min(n, c + SquareSums.CHUNK), 1f));
            }
        }
    }

    /**
     * PyTorch's clipping coefficient for a global norm: {@code min(1, maxNorm / (norm + 1e-6))}.
     * Pass it to {@link #step(List, NonFinite, float)}, which applies it inside the fused update.
     */
    public static double clipCoefficient(double maxNorm, double norm) {
        Hyper.positive("maxNorm", maxNorm);
        return Math.min(1, maxNorm / (norm + 1e-6));
    }

    /** Group {@code g}'s blocks in {@link #run}'s two shapes of call. */
    static List<Block> blocks(List<Group> groups, List<Block> blocks, int g) {
        return groups == null ? blocks : groups.get(g).blocks();
    }

    private static Optimizer optimizer(List<Group> groups, Optimizer optimizer, int g) {
        return groups == null ? optimizer : groups.get(g).optimizer();
    }

    /** Claims every block's state, or none: on a refusal it releases those it claimed. */
    private static void acquire(List<Block> blocks) {
        int held = 0;
        try {
            for (; held < blocks.size(); held++) {
                acquire(blocks.get(held).state());
            }
        } catch (RuntimeException e) {
            release(blocks, held);
            throw e;
        }
    }

    private static void release(List<Block> blocks, int count) {
        for (int i = 0; i < count; i++) {
            blocks.get(i).state().release();
        }
    }

    private static void acquire(OptimizerState state) {
        if (!state.tryAcquire()) {
            throw new ConcurrentModificationException("another thread is stepping this state; step each state from"
                    + " one thread at a time (blocks may be stepped in parallel, each with its own state)");
        }
    }

    private void bind(OptimizerState state, MemorySegment params, MemorySegment grads, float gradScale,
                      float gradClip) {
        state.kernel().bind(params, grads, width.bits(), gradScale, gradClip, flushSubnormalState);
    }

    /** Whether the bound gradients are all finite or the policy ignores them; throws under {@link NonFinite#THROW}. */
    private static boolean finite(OptimizerState state, MemorySegment grads, int block, NonFinite policy) {
        if (policy == NonFinite.PROPAGATE || state.kernel().gradsFinite()) {
            return true;
        }
        if (policy == NonFinite.THROW) {
            Format format = state.formats().grads();
            long n = grads.byteSize() / format.bytes();
            for (long i = 0; i < n; i++) {
                float g = Halves.get(grads, i, format);
                if (!Float.isFinite(g)) {
                    throw new NonFiniteGradientException(block, i, g);
                }
            }
        }
        return false;
    }

    /** Whether the optimizer's step takes norms over the whole tensor, which pieces of it must exchange. */
    private static boolean sumsTensor(Optimizer optimizer) {
        return optimizer instanceof Lars || optimizer instanceof Lamb;
    }

    /** Refuses a piece of a tensor whose step counts or sums over the whole tensor: no exchange carries it. */
    private static void requireUncut(Optimizer optimizer, OptimizerState state, int block) {
        if (state.isPiece() && Catalogue.countsWholeTensor(optimizer)) {
            throw new IllegalArgumentException(name(block) + " is " + state.length() + " elements of a "
                    + optimizer.getClass().getSimpleName() + " tensor of " + state.tensorLength() + ", whose step"
                    + " counts or sums over the whole tensor (timm's caution mask, MARS's norm, Prodigy's sums); keep"
                    + " the tensor in one shard (or turn caution off)");
        }
    }

    /** Refuses a trust-ratio tensor's piece stepped without a {@link NormExchange}: its ratio would be the piece's. */
    private static void requireWhole(Optimizer optimizer, OptimizerState state, int block) {
        if (state.isPiece() && sumsTensor(optimizer)) {
            throw new IllegalArgumentException(name(block) + " is " + state.length() + " elements of a "
                    + optimizer.getClass().getSimpleName() + " tensor of " + state.tensorLength() + ", whose trust"
                    + " ratio takes the whole tensor's norms; step it with a NormExchange that adds the other"
                    + " shards' sums (Engine.step(groups, policy, gradScale, clipValue, exchange))");
        }
    }

    /** A block's name in messages, built only when one is thrown: the step itself allocates nothing. */
    private static String name(int block) {
        return block < 0 ? "state" : "blocks[" + block + "]";
    }

    /** Every pass of the bound kernel over the whole block, split across the workers when it is large. */
    private void apply(Optimizer optimizer, OptimizerState state) {
        begin(optimizer, state);
        passes(state, 0, state.kernel().passes());
        end(optimizer, state);
    }

    private static void begin(Optimizer optimizer, OptimizerState state) {
        Kernel kernel = state.kernel();
        kernel.begin(state.step());
        kernel.prepare(optimizer, state.step());
    }

    /** Passes {@code [from, to)} of the bound kernel. */
    private void passes(OptimizerState state, int from, int to) {
        Kernel kernel = state.kernel();
        boolean split = workers != null && state.length() >= StepWorkers.MIN_PARALLEL_LENGTH;
        for (int pass = from; pass < to; pass++) {
            kernel.beforePass(pass);
            if (split) {
                workers.run(kernel, pass, state.length());
            } else {
                kernel.runRange(pass, 0, state.length());
            }
        }
    }

    private static void end(Optimizer optimizer, OptimizerState state) {
        state.kernel().finish(optimizer, state.step());
        state.advance();
    }

    /**
     * The pieces' exchange of partial sums, after their first pass, then their remaining passes.
     * The exchange is given this thread's scratch lists: nothing is allocated per step.
     */
    private void completePieces(List<Block> pieces, List<Optimizer> optimizers, NormExchange exchange) {
        try {
            List<SquareSum> sums = PIECE_SUMS.get();
            for (Block b : pieces) {
                SquareSum[] own = b.state().kernel().tensorSums();
                sums.add(own[0]);
                sums.add(own[1]);
            }
            try {
                exchange.exchange(pieces, sums);
            } catch (RuntimeException | Error e) {
                tear(pieces);
                throw new IllegalStateException("the norm exchange failed; the " + pieces.size() + " pieces it was"
                        + " given are half-stepped: restore them from the last checkpoint", e);
            }
            if (sums.size() != 2 * pieces.size()) {
                tear(pieces);
                throw new IllegalStateException("the norm exchange left " + sums.size() + " sums for " + pieces.size()
                        + " pieces; add into the two sums of each piece and leave the list as it is (the pieces"
                        + " are half-stepped: restore them from the last checkpoint)");
            }
            for (int k = 0; k < pieces.size(); k++) {
                OptimizerState state = pieces.get(k).state();
                SquareSum[] own = state.kernel().tensorSums();
                for (int j = 0; j < 2; j++) {
                    if (sums.get(2 * k + j) != own[j]) {
                        own[j].clear();
                        own[j].add(sums.get(2 * k + j));
                    }
                }
                passes(state, 1, state.kernel().passes());
                end(optimizers.get(k), state);
            }
        } finally {
            pieces.clear();
            optimizers.clear();
            PIECE_SUMS.get().clear();
        }
    }

    private static void tear(List<Block> pieces) {
        for (Block b : pieces) {
            b.state().tear();
        }
    }

    /**
     * Enters a step: a read hold on the gate that {@link #close} takes for writing, so a close
     * waits for every step in progress and no step starts after it.
     */
    private long enter() {
        long stamp = gate.readLock();
        if (closed) {
            gate.unlockRead(stamp);
            requireOpen();
        }
        return stamp;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this engine was closed; create a new Engine to keep stepping");
        }
    }

    /**
     * Stops the worker threads of a multi-threaded engine; steps after this are refused. Waits for
     * the steps in progress on other threads to finish first, so every step is whole: all its
     * blocks and passes, or (when it started after the close) none.
     */
    @Override
    public void close() {
        long stamp = gate.writeLock();
        try {
            closed = true;
            if (workers != null) {
                workers.close();
            }
        } finally {
            gate.unlockWrite(stamp);
        }
    }

    @Override
    public String toString() {
        return "Engine[" + width + ", " + threads() + " thread" + (threads() == 1 ? "" : "s") + "]";
    }
}
