package io.lanestep.kernel;

import io.lanestep.Optimizer;
import io.lanestep.SquareSum;
import java.lang.foreign.MemorySegment;

/**
 * One block's fused update: the operands of the step being taken and its per-step scalars, named
 * fields computed once per step by {@link #prepare}, then read by every range of the block. Each
 * optimizer's subclass holds its scalars, flags, passes, scratch and bookkeeping; its loops are
 * generated from its template in {@code engine/src/kernels} at every lane width and storage kind.
 *
 * <p>One instance per optimizer state, made by {@link Catalogue#kernel}; the engine holds the
 * state's exclusive claim while it binds, prepares and runs it, so nothing here is shared
 * between two steps. Nothing is allocated per step.
 */
public abstract class Kernel {
    /** Native params (null when {@link #paramsArray} holds them). */
    MemorySegment params;
    /** Heap params and the index of element 0 in it (null when native). */
    float[] paramsArray;
    int paramsBase;
    /** The gradients, in the same two forms. */
    MemorySegment grads;
    float[] gradsArray;
    int gradsBase;
    /** The lane width of this step in bits; 0 for the scalar kernels. */
    int bits;
    /** Every gradient is first multiplied by this, then clamped to {@code ±gradClip} under CLIP_VALUE. */
    float gradScale;
    float gradClip;
    /** Whether this step flushes subnormal state values to zero (see {@code Engine.create}). */
    boolean flushState;
    /** How params, grads and every state slot are stored ({@code Format} ordinals, see {@link Halves}). */
    int paramsFormat;
    int gradsFormat;
    int stateFormat;
    /** Whether any of them is not float32: the steps then run the templates' {@code Half} loops (or Q8's). */
    boolean lowPrecision;
    /** The block's one 16-bit format ({@link Halves#BF16} or {@link Halves#FP16}), when it has one. */
    int sixteenBit;
    /** The code maps of the state slots when they are 8-bit ({@code Format.Q8}), in slot order. */
    DynamicCodes[] q8Maps = new DynamicCodes[0];
    /** The float32 master weights of a block whose params are their 16-bit copy; empty when it has none. */
    MemorySegment master = MemorySegment.NULL;
    /** Whether the block has {@link #master} weights, which every step reads the parameters from. */
    boolean masterRead;
    /** Whether bf16 params are written with stochastic rounding, keyed by {@link #seed}; see {@code Rounding}. */
    boolean stochastic;
    long seed;
    /** The block's first element in the model's flat parameter vector: the rounding keys element i by origin + i. */
    long origin;
    /** The steps the state took before this one: the counter of the rounding's random bits. */
    long step;
    /**
     * Where torch's fused CPU kernels start their scalar tail: after the last whole vector of
     * {@code Vectorized<float>} (8 lanes) or {@code Vectorized<BFloat16/Half>} (16 lanes).
     */
    long fusedFrom;

    /**
     * The block's moving average of its parameters and the caller's parameter segment it
     * follows, in the parameters' format; {@code NULL} for none (see {@link #runRange}).
     */
    MemorySegment ema = MemorySegment.NULL;
    MemorySegment emaParams = MemorySegment.NULL;
    /** This step's lerp weight {@code 1 - decay}; 1 copies. */
    float emaWeight;

    /** Floats in the block. */
    final long length;
    /** Floats in the tensor the block is a piece of (a shard's); {@link #length} for a whole tensor. */
    long tensorLength;
    /** Native views of the state slots, in {@link Optimizer#stateKeys()} order. */
    final MemorySegment[] slots;
    /** The state's scalar entries ({@link Optimizer#scalarKeys()}), shared with the state. */
    final float[] scalars;

    private final Operand paramsSource = new Operand();
    private final Operand gradsSource = new Operand();

    Kernel(long length, MemorySegment[] slots, float[] scalars) {
        this.length = length;
        this.slots = slots;
        this.scalars = scalars;
        this.fusedFrom = length - length % 8;
        this.tensorLength = length;
    }

    /** Gives a matrix optimizer's kernel (Muon's) its parameter's shape, once, when its state is made. */
    public void shape(long rows, long cols) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " steps flat blocks, not matrices");
    }

    /** Sets {@link #tensorLength}, once, when a shard's piece of a tensor is made. */
    public final void tensorLength(long tensorLength) {
        this.tensorLength = tensorLength;
    }

    /** Sets the operands' formats ({@code Format} ordinals), once, when the state is made. */
    public final void formats(int params, int grads, int state) {
        paramsFormat = params;
        gradsFormat = grads;
        stateFormat = state;
        lowPrecision = params != Halves.FP32 || grads != Halves.FP32 || state != Halves.FP32;
        sixteenBit = params == Halves.FP16 || grads == Halves.FP16 || state == Halves.FP16 ? Halves.FP16 : Halves.BF16;
        fusedFrom = length - length % (params == Halves.FP32 ? 8 : 16);
    }

    /**
     * Makes the state slots 8-bit, once, when the state is made: {@code signed[n]} says whether
     * slot {@code n} takes bitsandbytes' signed map or the unsigned one (for values never negative).
     */
    public final void q8Maps(boolean[] signed) {
        q8Maps = new DynamicCodes[signed.length];
        for (int n = 0; n < signed.length; n++) {
            q8Maps[n] = signed[n] ? DynamicCodes.SIGNED : DynamicCodes.UNSIGNED;
        }
    }

    /** Sets the float32 master weights' loop view, once, when the state is made. */
    public final void master(MemorySegment view) {
        master = view;
    }

    /** Makes this block's bf16 params round stochastically, keyed by {@code seed}; once, when the state is made. */
    public final void stochasticRounding(long seed) {
        this.stochastic = true;
        this.seed = seed;
    }

    /** Places the block at element {@code origin} of the model's flat vector, for stochastic rounding's keys. */
    public final void origin(long origin) {
        this.origin = origin;
    }

    public final long origin() {
        return origin;
    }

    /**
     * Runs after {@link #bind} and before {@link #prepare}, {@code steps} the steps taken so far:
     * the first step of a block with master weights fills them from the 16-bit params, so that
     * every step's loops read the master (the generator's {@code M} copies); stochastic rounding
     * counts steps.
     */
    public final void begin(long steps) {
        masterRead = master.byteSize() != 0;
        if (masterRead && steps == 0) {
            for (long i = 0; i < length; i++) {
                master.setAtIndex(Lanes.F, i, Halves.at(params, paramsFormat, i));
            }
        }
        step = steps;
    }

    /**
     * Binds the operands of the next step. The caller has validated them ({@link Memory#problem}
     * is null for both) and holds the state's claim.
     */
    public final void bind(MemorySegment params, MemorySegment grads, int bits, float gradScale, float gradClip,
                           boolean flushState) {
        paramsSource.bind(params);
        this.params = paramsSource.segment;
        this.paramsArray = paramsSource.array;
        this.paramsBase = paramsSource.base;
        gradsSource.bind(grads);
        this.grads = gradsSource.segment;
        this.gradsArray = gradsSource.array;
        this.gradsBase = gradsSource.base;
        this.bits = bits;
        this.gradScale = gradScale;
        this.gradClip = gradClip;
        this.flushState = flushState;
        this.ema = MemorySegment.NULL;
        this.emaParams = MemorySegment.NULL;
    }

    /**
     * After {@link #bind}: this step also moves {@code ema} towards {@code params} (the segment
     * given to bind) by {@code weight}, chunk by chunk after the last pass; validated by the caller.
     */
    public final void bindEma(MemorySegment params, MemorySegment ema, float weight) {
        this.emaParams = params;
        this.ema = ema;
        this.emaWeight = weight;
    }

    /**
     * Pass {@code pass} over elements {@code [from, to)}; in a step with a moving average, the
     * last pass runs in chunks of {@link WeightEmaLoops#CHUNK}, each followed by the average's
     * update over it while its new parameters are still in cache. Ranges start at multiples of
     * the chunk, as the workers split blocks, so every kernel already runs such ranges.
     */
    public final void runRange(int pass, long from, long to) {
        if (ema.byteSize() == 0 || pass != passes() - 1) {
            run(pass, from, to);
            return;
        }
        for (long c = from; c < to; c += WeightEmaLoops.CHUNK) {
            long end = Math.min(to, c + WeightEmaLoops.CHUNK);
            run(pass, c, end);
            WeightEmaLoops.follow(this, c, end);
        }
    }

    /** Whether every bound gradient is finite; reads only. */
    public final boolean gradsFinite() {
        return lowPrecision ? AllFiniteLanes.allFiniteHalf(this, 0, length) : AllFiniteLanes.allFinite(this, 0, length);
    }

    /** How many passes over the block a step makes; pass {@code p + 1} starts when every range finished pass {@code p}. */
    public int passes() {
        return 1;
    }

    /**
     * Computes the per-step scalars of the step that follows {@code steps} steps taken, for
     * {@code optimizer} (a configuration this kernel's state accepts).
     */
    public abstract void prepare(Optimizer optimizer, long steps);

    /**
     * Runs on the calling thread before pass {@code pass}, after every range finished the one
     * before: where a multi-pass kernel turns what pass 0 summed into the next pass's scalars.
     */
    public void beforePass(int pass) {
    }

    /** Runs pass {@code pass} over elements {@code [from, to)}; ranges of one pass are independent. */
    public abstract void run(int pass, long from, long to);

    /**
     * Where a block split across threads may be cut: ranges start at this many elements past a
     * multiple of {@link SquareSums#CHUNK} (an offset below {@code CHUNK}). Prodigy cuts at the
     * start of one of its summation windows, so that no window has terms in two ranges.
     */
    public long cutOffset() {
        return 0;
    }

    /**
     * The two sums of squares whose norms give a trust-ratio kernel's ratio (LARS, LAMB), over
     * this block, once pass 0 has run; null for the other kernels. When the block is a piece of a
     * tensor cut across shards, the caller adds the other pieces' sums into them before pass 1,
     * which takes its norms from them.
     */
    public SquareSum[] tensorSums() {
        return null;
    }

    /** The step's bookkeeping, once per block after every pass (for example NAdam's momentum product). */
    public void finish(Optimizer optimizer, long steps) {
    }

    /** The flags every kernel's step takes from the engine: the gradient clamp and the state flush. */
    final int stepFlags() {
        return (gradClip < Float.POSITIVE_INFINITY ? Flags.CLIP_VALUE : 0)
                | (flushState ? Flags.FLUSH_SUBNORMAL : 0);
    }

    /**
     * Sum of squares of params over {@code [from, to)}, in {@link SquareSums}' order: of the master
     * weights when the block has them (what the step updates), of the stored values otherwise.
     * A 16-bit range is at most one {@link SquareSums#CHUNK}.
     */
    final double paramsSquares(long from, long to) {
        if (masterRead) {
            return SquareSums.of(bits, master, null, 0, from, to, 1f);
        }
        if (paramsFormat != Halves.FP32) {
            return SquareSums.ofHalf(bits, params, paramsFormat, from, to, 1f);
        }
        return SquareSums.of(bits, params, paramsArray, paramsBase, from, to, 1f);
    }

    /** Sum of squares of the scaled gradients over {@code [from, to)}; as {@link #paramsSquares}. */
    final double gradsSquares(long from, long to) {
        if (gradsFormat != Halves.FP32) {
            return SquareSums.ofHalf(bits, grads, gradsFormat, from, to, gradScale);
        }
        return SquareSums.of(bits, grads, gradsArray, gradsBase, from, to, gradScale);
    }
}
