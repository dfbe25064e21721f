package io.lanestep.dl4j;

import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.Group;
import io.lanestep.LaneWidth;
import io.lanestep.Muon;
import io.lanestep.NonFinite;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.Schedule;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Trains a DL4J {@link MultiLayerNetwork} with Lanestep in place of {@code net.fit}: DL4J computes
 * the gradient ({@code computeGradientAndScore}) into its flat gradient view, then one fused
 * Lanestep pass per parameter group reads that view and writes the flat parameter view and the
 * state, with no copy. {@link LanestepUpdater} runs the same kernels inside {@code net.fit} and
 * DL4J's other entry points; this trainer is the faster path, since DL4J's updater contract turns
 * the gradient into an update that DL4J subtracts in another pass, and it steps what the updater
 * cannot (optimizers that read the parameters: weight decay, LARS, LAMB, Adafactor, ASGD).
 *
 * <p>DL4J's configuration keeps its meaning: the gradient is divided by the minibatch size
 * (fused into the step) where DL4J divides it; a layer's {@code l2}/{@code l2Bias} becomes the L2
 * weight decay of that parameter's Lanestep configuration (Sgd and Adam); each layer steps as its
 * own Lanestep group; frozen layers are not touched; parameters whose "gradient" DL4J computes as
 * their update (BatchNorm's running mean and variance) move as DL4J moves them, {@code p -= g}.
 * The iteration count advances and
 * listeners hear {@code iterationDone} as with {@code fit}. A HALF network steps its fp16
 * parameters and gradients in place with float32 math; its state is float32 unless the builder
 * says otherwise ({@link Builder#stateFormat}, {@link Builder#masterWeights}).
 *
 * <p>The configuration comes from the network's {@link LanestepUpdater}s
 * ({@link #builder(MultiLayerNetwork)}: the state is shared with {@code net.fit} and the model zip)
 * or from the builder (state of its own, in any format, beside layers whose DL4J updater is
 * {@code NoOp}).
 *
 * <p>Not supported, refused with an exception when configured: L1 and DL4J's {@code WeightDecay}
 * regularization (use Lanestep's AdamW), gradient normalization, ComputationGraph, DL4J updaters'
 * own schedules (pass a Lanestep {@link Schedule}), workspaces' external-gradient mode, layerwise
 * pretraining, masks with a minibatch size other than the feature rows.
 *
 * <p>Lifetimes: the trainer holds the network, so its memory stays alive; every step checks that
 * the flat views are still open and still where they were ({@code net.close()} or {@code net.init()}
 * afterwards is an {@link IllegalStateException}, not a write to freed memory).
 */
public final class LanestepTrainer implements AutoCloseable {
    private final MultiLayerNetwork net;
    private final ParameterPlan plan;
    private final Schedule schedule;
    private final NonFinite policy;
    private final Engine engine;
    private final Arena arena = Arena.ofShared();
    private final Map<String, OptimizerState> states = new LinkedHashMap<>();
    private final boolean miniBatch;
    private final long paramsAddress;
    private final long gradsAddress;
    private final MemorySegment params;
    private final MemorySegment grads;
    /** How the network stores params and grads (its data type). */
    private final Format format;
    /** Whether the states lie in DL4J's updater view ({@link #builder(MultiLayerNetwork)}), not in {@link #arena}. */
    private final boolean inUpdaterView;
    private boolean closed;

    private LanestepTrainer(Builder b) {
        net = b.net;
        schedule = b.schedule;
        policy = b.policy;
        if (net.params() == null) {
            throw new IllegalArgumentException("net is not initialized; call net.init() before building the trainer");
        }
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView();
        }
        miniBatch = net.getLayerWiseConfigurations().getConf(0).isMiniBatch();
        plan = ParameterPlan.of(net, b.perLayer == null ? layer -> UpdaterViews.configuration(net, layer) : b.perLayer,
                b.matrices);
        paramsAddress = FlatViews.address(net.params(), "the network's parameters");
        gradsAddress = FlatViews.address(net.getFlattenedGradients(), "the network's gradients");
        format = FlatViews.format(net.params(), "the network's parameters");
        long bytes = net.params().length() * format.bytes();
        params = MemorySegment.ofAddress(paramsAddress).reinterpret(bytes, arena, null);
        grads = MemorySegment.ofAddress(gradsAddress).reinterpret(bytes, arena, null);
        // A HALF network's params and grads are fp16; master weights only where there is a 16-bit copy to keep.
        Formats formats = new Formats(format, format, b.stateFormat, b.masterWeights && format != Format.FP32);
        inUpdaterView = b.perLayer == null;
        if (inUpdaterView) {
            if (!formats.equals(Formats.FP32)) {
                throw new IllegalArgumentException("the state in DL4J's updater view is float32 beside FLOAT"
                        + " parameters (this network and options ask for " + formats + "); for other formats set"
                        + " .updater(new NoOp()) and use LanestepTrainer.builder(net, optimizer)");
            }
            states.putAll(UpdaterViews.states(net, plan));
        } else {
            for (ParameterPlan.Entry e : plan.entries()) {
                if (e.kind() == ParameterPlan.Kind.LANESTEP) {
                    states.put(e.key(), e.base() instanceof Muon muon ? matrixState(e, muon, formats)
                            : e.base().newState(e.length(), arena, formats));
                }
            }
        }
        engine = Engine.create(b.width, b.threads, b.flushSubnormalState);
    }

    private OptimizerState matrixState(ParameterPlan.Entry e, Muon muon, Formats formats) {
        if (e.rows() == 0 || !formats.equals(Formats.FP32)) {
            throw new IllegalArgumentException("parameter " + e.key() + " is not a float32 matrix (" + formats + ");"
                    + " Muon steps float32 2-D weights: use LanestepTrainer.builder(net, muon, forOthers), which gives"
                    + " the others another optimizer");
        }
        return muon.newState(e.rows(), e.cols(), arena);
    }

    /**
     * A trainer stepping each layer with the configuration of its {@link LanestepUpdater} (set with
     * {@code .updater(...)} in the network's configuration), over the state in DL4J's updater view:
     * {@code net.fit} and this trainer go on from each other's state, and
     * {@code ModelSerializer.writeModel(net, file, true)} saves it. The step counter is the
     * network's iteration count. FLOAT networks, float32 state.
     *
     * @throws IllegalArgumentException if a trainable layer's updater is not a {@code LanestepUpdater}
     */
    public static Builder builder(MultiLayerNetwork net) {
        return new Builder(net, null);
    }

    /**
     * A trainer stepping every trainable layer of {@code net} with {@code optimizer}, in state of
     * its own (any format); the network's layers must have DL4J's {@code NoOp} updater, so that no
     * configured updater is silently ignored.
     */
    public static Builder builder(MultiLayerNetwork net, Optimizer optimizer) {
        Objects.requireNonNull(optimizer, "optimizer");
        return builder(net, layer -> optimizer);
    }

    /**
     * A trainer stepping every weight matrix of {@code net} with {@code forMatrices} (Muon, as
     * practitioners use it; DL4J's [nIn, nOut] weight steps as torch's [out, in] one) and every other
     * parameter (biases, normalization scales) with {@code forOthers}, in state of its own; the
     * layers must have DL4J's {@code NoOp} updater.
     */
    public static Builder builder(MultiLayerNetwork net, Muon forMatrices, Optimizer forOthers) {
        Objects.requireNonNull(forMatrices, "forMatrices");
        Builder b = builder(net, forOthers);
        b.matrices = forMatrices;
        return b;
    }

    /** {@link #builder(MultiLayerNetwork, Optimizer)} with a Lanestep configuration per layer index. */
    public static Builder builder(MultiLayerNetwork net, Function<Integer, Optimizer> perLayer) {
        Objects.requireNonNull(perLayer, "perLayer");
        return new Builder(net, layer -> {
            UpdaterViews.requireNoOp(net, layer);
            return perLayer.apply(layer);
        });
    }

    /** One epoch: a step per minibatch of {@code data}, which is reset first if it can be. */
    public synchronized void fit(DataSetIterator data) {
        Objects.requireNonNull(data, "data");
        if (data.resetSupported()) {
            data.reset();
        }
        while (data.hasNext()) {
            fit(data.next());
        }
        net.incrementEpochCount();
    }

    /**
     * One training step on one minibatch; returns DL4J's score (the loss) before the step.
     *
     * @throws IllegalStateException if this trainer is closed or the network's memory was closed or
     *                               replaced since the trainer was built
     */
    public synchronized double fit(DataSet batch) {
        Objects.requireNonNull(batch, "batch");
        requireLive();
        net.setInput(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.setLayerMaskArrays(batch.getFeaturesMaskArray(), batch.getLabelsMaskArray());
        net.computeGradientAndScore();
        step(batch.getFeatures().size(0));
        return net.score();
    }

    /**
     * The step alone, from the gradient DL4J already holds in its flat view (after the caller's
     * own {@code computeGradientAndScore} over a minibatch of {@code rows} examples).
     *
     * @throws IllegalStateException as {@link #fit(DataSet)}
     */
    public synchronized void step(long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows + "; pass the minibatch size");
        }
        requireLive();
        int iteration = net.getIterationCount();
        int epoch = net.getEpochCount();
        float scale = miniBatch ? (float) (1.0 / rows) : 1f;
        List<Group> groups = new ArrayList<>();
        for (ParameterPlan.Entry e : plan.entries()) {
            switch (e.kind()) {
                case LANESTEP -> {
                    OptimizerState state = states.get(e.key());
                    if (inUpdaterView && state.step() != iteration) {
                        UpdaterViews.resume(state, iteration);
                    }
                    Optimizer config = e.l2() == null ? e.base()
                            : ParameterPlan.withL2(e.key(), e.base(), e.l2().valueAt(iteration, epoch));
                    long from = e.offset() * format.bytes();
                    long bytes = e.length() * format.bytes();
                    groups.add(new Group(schedule.at(config, state.step() + 1),
                            List.of(new Block(state, params.asSlice(from, bytes), grads.asSlice(from, bytes)))));
                }
                case RAW_UPDATE -> rawUpdate(e);
                case FROZEN -> { }
            }
        }
        engine.step(groups, policy, scale);
        net.setIterationCount(iteration + 1);
        for (TrainingListener listener : net.getListeners()) {
            listener.iterationDone(net, iteration, epoch);
        }
    }

    /** DL4J's {@code params -= update} for a parameter whose "gradient" is its update. */
    private void rawUpdate(ParameterPlan.Entry e) {
        for (long i = e.offset(); i < e.offset() + e.length(); i++) {
            format.set(params, i, format.get(params, i) - format.get(grads, i));
        }
    }

    private void requireLive() {
        if (closed) {
            throw new IllegalStateException("this LanestepTrainer is closed; build a new one to train again");
        }
        FlatViews.requireSame(net.params(), paramsAddress, "parameters");
        FlatViews.requireSame(net.getFlattenedGradients(), gradsAddress, "gradients");
    }

    /** The Lanestep state of each stepped parameter, by DL4J's key ({@code "0_W"}); valid until {@link #close()}. */
    public synchronized Map<String, OptimizerState> states() {
        return Collections.unmodifiableMap(states);
    }

    /** Frees the state and stops the engine's threads; the network stays usable. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            engine.close();
            arena.close();
        }
    }

    /** Builds a {@link LanestepTrainer}. */
    public static final class Builder {
        private final MultiLayerNetwork net;
        private final Function<Integer, Optimizer> perLayer;
        private Schedule schedule = Schedule.constant();
        private NonFinite policy = NonFinite.PROPAGATE;
        private LaneWidth width = LaneWidth.preferred();
        private int threads = 1;
        private boolean flushSubnormalState;
        private Format stateFormat = Format.FP32;
        private boolean masterWeights;
        /** The matrices' optimizer ({@link LanestepTrainer#builder(MultiLayerNetwork, Muon, Optimizer)}), or null. */
        private Muon matrices;

        private Builder(MultiLayerNetwork net, Function<Integer, Optimizer> perLayer) {
            this.net = Objects.requireNonNull(net, "net");
            this.perLayer = perLayer;
        }

        /** A learning-rate schedule over each parameter's step count (from 1). */
        public Builder schedule(Schedule schedule) {
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /** What a NaN or infinite gradient does (default: propagates, as in DL4J). */
        public Builder nonFinite(NonFinite policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Threads sharing the step (default 1). */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** The vector width (default: the CPU's preferred). */
        public Builder laneWidth(LaneWidth width) {
            this.width = Objects.requireNonNull(width, "width");
            return this;
        }

        /** Store subnormal state values as zero, so long runs keep their speed. */
        public Builder flushSubnormalState(boolean flush) {
            this.flushSubnormalState = flush;
            return this;
        }

        /**
         * How every parameter's state is stored (default float32, whatever the network's type):
         * {@code FP16}, or {@code Format.Q8}, bitsandbytes' 8-bit blockwise code (parameters under
         * 4096 elements keep float32 state). bf16 state needs a bf16 network, which DL4J does not make.
         */
        public Builder stateFormat(Format format) {
            this.stateFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * For a HALF network: keeps float32 master weights in each parameter's state and writes
         * the network's fp16 parameters as their copy in the same pass. A FLOAT network ignores it.
         */
        public Builder masterWeights(boolean masterWeights) {
            this.masterWeights = masterWeights;
            return this;
        }

        /** The trainer; it owns an engine and state memory until {@link LanestepTrainer#close()}. */
        public LanestepTrainer build() {
            return new LanestepTrainer(this);
        }
    }
}
