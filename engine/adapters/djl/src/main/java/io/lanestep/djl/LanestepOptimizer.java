package io.lanestep.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.lanestep.Block;
import io.lanestep.Checkpoint;
import io.lanestep.CheckpointException;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A DJL {@link ai.djl.training.optimizer.Optimizer} that steps with a Lanestep configuration: pass
 * it to {@code DefaultTrainingConfig.optOptimizer(...)} and nothing else changes. Each step works
 * in place on the memory of DJL's own tensors (no copy of parameters or gradients), keeps one
 * Lanestep state per parameter id, and zeroes the parameter's gradient afterwards, as DJL's own
 * optimizers do on the PyTorch engine (its gradient collector does not). Weights and gradients may
 * be float32, bfloat16 or float16 tensors (a block of the model cast to a 16-bit type): each is
 * stepped in its own format with float32 math, the state float32 unless the builder says otherwise
 * ({@link Builder#optStateFormat}, {@link Builder#optMasterWeights}). bfloat16 tensors take the same
 * path, untested: DJL 0.36's PyTorch engine aborts the JVM making one.
 *
 * <p>DJL's builder options keep their meaning: {@code setRescaleGrad} multiplies every gradient
 * inside the fused update and {@code optClipGrad} clamps it to {@code [-clip, clip]} after that, as
 * DJL documents (its PyTorch engine clamps only from above). Weight decay belongs to the Lanestep
 * configuration ({@code Adam}'s L2 term, {@code AdamW}'s decoupled one): {@code optWeightDecays}
 * is refused rather than applied twice or in another form.
 *
 * <p>Lifetimes: no view of DJL memory outlives a call, so closing DJL's model, trainer or manager in
 * any order cannot leave Lanestep writing freed memory; a step over a closed tensor, or after
 * {@link #close()}, is an {@link IllegalStateException} naming what was closed. Until then the
 * optimizer owns its state and its engine's threads; close it when training ends.
 */
public final class LanestepOptimizer extends ai.djl.training.optimizer.Optimizer implements AutoCloseable {
    private final BiFunction<String, long[], Optimizer> configuration;
    private final Schedule schedule;
    private final NonFinite policy;
    private final Engine engine;
    private final float clip;
    private final Format stateFormat;
    private final boolean masterWeights;
    private final Arena arena = Arena.ofShared();
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private boolean closed;

    private LanestepOptimizer(Builder builder) {
        super(builder);
        if (getWeightDecay() != 0) {
            throw new IllegalArgumentException("optWeightDecays(" + getWeightDecay() + ") is not applied by"
                    + " LanestepOptimizer; set the weight decay on the Lanestep configuration (for example"
                    + " Lanestep.adamW().withWeightDecay(" + getWeightDecay() + ")) and leave optWeightDecays at 0");
        }
        if (!(rescaleGrad >= 0) || Float.isInfinite(rescaleGrad)) {
            throw new IllegalArgumentException("setRescaleGrad must be finite and >= 0, got " + rescaleGrad);
        }
        configuration = builder.configuration;
        schedule = builder.schedule;
        policy = builder.policy;
        clip = clipGrad < 0 ? Float.POSITIVE_INFINITY : clipGrad;
        stateFormat = builder.stateFormat;
        masterWeights = builder.masterWeights;
        engine = Engine.create(builder.width, builder.threads, builder.flushSubnormalState);
    }

    /** A builder stepping every parameter with {@code optimizer}. */
    public static Builder builder(Optimizer optimizer) {
        Objects.requireNonNull(optimizer, "optimizer");
        return new Builder((id, shape) -> optimizer);
    }

    /**
     * A builder stepping every 2-D weight with {@code forMatrices} (Muon, as practitioners use it:
     * hidden layers' matrices) and every other parameter (biases, norms' scales, convolution kernels)
     * with {@code forOthers}, chosen by the parameter's shape at its first step.
     */
    public static Builder builder(Muon forMatrices, Optimizer forOthers) {
        Objects.requireNonNull(forMatrices, "forMatrices");
        Objects.requireNonNull(forOthers, "forOthers");
        return new Builder((id, shape) -> shape.length == 2 ? forMatrices : forOthers);
    }

    /**
     * A builder choosing a configuration per DJL parameter id (Lanestep's parameter groups: for
     * example no weight decay on biases); it is asked once per id, at the parameter's first step.
     */
    public static Builder builder(Function<String, Optimizer> perParameter) {
        Objects.requireNonNull(perParameter, "perParameter");
        return new Builder((id, shape) -> perParameter.apply(id));
    }

    /**
     * One step of one parameter, in place.
     *
     * @throws IllegalStateException    if this optimizer is closed, or {@code weight}, {@code grad}
     *                                  or the weight's gradient has been closed by DJL
     * @throws IllegalArgumentException if the arrays are not contiguous float32, bfloat16 or float16
     *                                  CPU tensors of one size, or their size or types changed since
     *                                  the parameter's first step
     */
    @Override
    public synchronized void update(String parameterId, NDArray weight, NDArray grad) {
        requireOpen();
        TensorViews.requireOpen(parameterId, "weight", weight);
        TensorViews.requireOpen(parameterId, "grad", grad);
        // PyTorch's call zeroes a gradient if there is one, so it needs no hasGradient() first.
        MethodHandle zeroGrad = Gradients.zeroGrad(weight);
        NDArray gradient = zeroGrad == null && weight.hasGradient() ? weight.getGradient() : null;
        try {
            Slot slot = slots.get(parameterId);
            // Whether DJL hands out the tensors' own memory is checked once per parameter.
            boolean first = slot == null;
            var params = TensorViews.of(parameterId, "weight", weight, first);
            var grads = TensorViews.of(parameterId, "grad", grad, first);
            var zeroed = gradient == null ? null : TensorViews.of(parameterId, "gradient", gradient, first);
            if (grads.elements() != params.elements()) {
                throw new IllegalArgumentException("parameter " + parameterId + ": grad has " + grads.elements()
                        + " elements, weight " + params.elements() + "; pass the weight's own gradient");
            }
            if (first) {
                slot = newSlot(parameterId, weight.getShape().getShape(), params, grads);
            }
            engine.step(List.of(group(slot, params, grads)), policy, rescaleGrad, clip);
            // Kept only once stepped: a refused first step leaves no state behind to be saved.
            slots.putIfAbsent(parameterId, slot);
            if (zeroGrad != null) {
                Gradients.zero(zeroGrad, weight);
            }
            if (zeroed != null) {
                zeroed.segment().fill((byte) 0);
            }
        } finally {
            if (gradient != null) {
                gradient.close();
            }
            // The views carry raw addresses: the tensors must stay reachable until the last write.
            Reference.reachabilityFence(weight);
            Reference.reachabilityFence(grad);
        }
    }

    /**
     * One step of every parameter of {@code block} that takes a gradient, from the gradients DJL's
     * backward pass left on them, in one engine call (its threads share the parameters), then the
     * gradients zeroed: what {@code trainer.step()} does on one CPU device, without the copy DJL's
     * parameter server makes of every gradient before calling {@link #update}. Call it instead of
     * {@code trainer.step()}; the states are the same, keyed by DJL's parameter ids. Every
     * parameter is checked before any is written.
     *
     * @throws IllegalStateException as {@link #update}, or if a parameter has no gradient yet
     */
    public synchronized void step(ai.djl.nn.Block block) {
        requireOpen();
        List<NDArray> weights = new ArrayList<>();
        List<NDArray> gradients = new ArrayList<>();
        List<TensorViews.View> zeroed = new ArrayList<>();
        Map<String, Slot> made = new LinkedHashMap<>();
        try {
            List<Group> groups = new ArrayList<>();
            for (Parameter parameter : block.getParameters().values()) {
                if (!parameter.requiresGradient()) {
                    continue;
                }
                String id = parameter.getId();
                NDArray weight = parameter.getArray();
                TensorViews.requireOpen(id, "weight", weight);
                if (!weight.hasGradient()) {
                    throw new IllegalStateException("parameter " + id + " has no gradient; run the backward pass"
                            + " (trainer.newGradientCollector()) before step");
                }
                weights.add(weight);
                NDArray gradient = weight.getGradient();
                gradients.add(gradient);
                Slot slot = slots.get(id);
                boolean first = slot == null;
                var params = TensorViews.of(id, "weight", weight, first);
                var grads = TensorViews.of(id, "gradient", gradient, first);
                zeroed.add(grads);
                if (first) {
                    slot = newSlot(id, weight.getShape().getShape(), params, grads);
                    made.put(id, slot);
                }
                groups.add(group(slot, params, grads));
            }
            engine.step(groups, policy, rescaleGrad, clip);
            slots.putAll(made);
            for (TensorViews.View g : zeroed) {
                g.segment().fill((byte) 0);
            }
        } finally {
            gradients.forEach(NDArray::close);
            Reference.reachabilityFence(weights);
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this LanestepOptimizer is closed; build a new one to train again");
        }
    }

    private Slot newSlot(String parameterId, long[] shape, TensorViews.View params, TensorViews.View grads) {
        Optimizer base = Objects.requireNonNull(configuration.apply(parameterId, shape),
                "the configuration of parameter " + parameterId);
        Formats formats = formats(params.format(), grads.format());
        if (base instanceof Muon muon) {
            if (shape.length != 2 || !formats.equals(Formats.FP32)) {
                throw new IllegalArgumentException("parameter " + parameterId + " has shape " + Arrays.toString(shape)
                        + " and formats " + formats + "; Muon steps float32 2-D weights: give the others another"
                        + " optimizer, LanestepOptimizer.builder(muon, forOthers) does so by shape");
            }
            return new Slot(base, muon.newState(shape[0], shape[1], arena));
        }
        return new Slot(base, base.newState(params.elements(), arena, formats));
    }

    /**
     * A new parameter's formats: its tensors' own, the builder's state format, and master weights
     * if asked for and the weight is 16-bit (float32 weights step as they are).
     */
    private Formats formats(Format params, Format grads) {
        return new Formats(params, grads, stateFormat, masterWeights && params != Format.FP32);
    }

    private Group group(Slot slot, TensorViews.View params, TensorViews.View grads) {
        return new Group(schedule.at(slot.base, slot.state.step() + 1),
                List.of(new Block(slot.state, params.segment(), grads.segment())));
    }

    /**
     * The Lanestep state of each parameter id stepped so far (for checkpoints with
     * {@code io.lanestep.Checkpoint}); valid until {@link #close()}.
     */
    public synchronized Map<String, OptimizerState> states() {
        Map<String, OptimizerState> states = new LinkedHashMap<>();
        slots.forEach((id, slot) -> states.put(id, slot.state));
        return Collections.unmodifiableMap(states);
    }

    /**
     * Writes the state of every parameter of {@code block} stepped so far to {@code stream}, each
     * under its name in the block (stable from run to run, unlike DJL's parameter ids), with its
     * step counter (so a {@link Builder#optSchedule schedule} resumes where it was): save it beside
     * the model ({@code model.save}) and give both to a new run. The stream is left open.
     *
     * @throws IllegalArgumentException if a state belongs to a parameter that is not in {@code block}
     * @throws IllegalStateException    if this optimizer or a parameter's tensor is closed
     */
    public synchronized void save(OutputStream stream, ai.djl.nn.Block block) throws IOException {
        requireOpen();
        Objects.requireNonNull(stream, "stream");
        Map<String, Parameter> byId = new LinkedHashMap<>();
        List<SavedParameter> saved = new ArrayList<>();
        List<Group> groups = new ArrayList<>();
        for (var entry : block.getParameters()) {
            Parameter parameter = entry.getValue();
            byId.put(parameter.getId(), parameter);
            Slot slot = slots.get(parameter.getId());
            if (slot != null) {
                saved.add(new SavedParameter(entry.getKey(), parameter.getArray().getShape().getShape()));
                groups.add(stateOnly(slot));
            }
        }
        for (String id : slots.keySet()) {
            if (!byId.containsKey(id)) {
                throw new IllegalArgumentException("this optimizer holds the state of parameter " + id + ", which is"
                        + " not in the block passed; pass the block of the model it trains (model.getBlock())");
            }
        }
        SavedParameter.write(stream, saved);
        Checkpoint.save(stream, groups);
    }

    /**
     * Restores what {@link #save(OutputStream, ai.djl.nn.Block)} wrote into this new optimizer, by
     * parameter name, so that training goes on bit for bit as if it had not stopped. Call it after
     * the trainer is initialised (the parameters exist) and before the first step. Nothing is kept
     * unless every parameter and the whole stream check out. The stream is read to its end.
     *
     * @throws CheckpointException   if the stream was saved for another model (a parameter's name or
     *                               shape differs, or one is missing on either side), with another
     *                               configuration or state format, or is truncated or corrupted
     * @throws IllegalStateException if this optimizer has stepped already, or is closed
     */
    public synchronized void restore(InputStream stream, ai.djl.nn.Block block) throws IOException {
        requireOpen();
        Objects.requireNonNull(stream, "stream");
        if (!slots.isEmpty()) {
            throw new IllegalStateException("this LanestepOptimizer has stepped " + slots.size() + " parameters"
                    + " already; restore into a new one, before its first step");
        }
        List<SavedParameter> saved = SavedParameter.read(stream);
        Map<String, Parameter> byName = new LinkedHashMap<>();
        for (var entry : block.getParameters()) {
            if (entry.getValue().requiresGradient()) {
                byName.put(entry.getKey(), entry.getValue());
            }
        }
        Map<String, Slot> restored = new LinkedHashMap<>();
        List<Group> groups = new ArrayList<>();
        for (SavedParameter p : saved) {
            Parameter parameter = byName.get(p.name());
            if (parameter == null) {
                throw new CheckpointException("the optimizer state holds parameter " + p.name() + ", which this block"
                        + " does not have (its parameters: " + byName.keySet() + "); restore the state saved with"
                        + " this model");
            }
            if (!parameter.isInitialized()) {
                throw new IllegalStateException("parameter " + p.name() + " is not initialised; restore after"
                        + " trainer.initialize(...) or model.load(...)");
            }
            long[] shape = parameter.getArray().getShape().getShape();
            if (!Arrays.equals(shape, p.shape())) {
                throw new CheckpointException("parameter " + p.name() + " has shape " + Arrays.toString(shape)
                        + ", but its state was saved for shape " + Arrays.toString(p.shape()) + "; restore the state"
                        + " saved with this model");
            }
            TensorViews.View view = TensorViews.of(p.name(), "weight", parameter.getArray(), true);
            Slot slot = newSlot(parameter.getId(), shape, view, view);
            restored.put(parameter.getId(), slot);
            groups.add(stateOnly(slot));
        }
        for (String name : byName.keySet()) {
            if (saved.stream().noneMatch(p -> p.name().equals(name))) {
                throw new CheckpointException("parameter " + name + " of this block has no saved state; restore the"
                        + " state saved with this model (saved after its first step)");
            }
        }
        Checkpoint.restore(stream, groups);
        slots.putAll(restored);
    }

    /** A group that a checkpoint saves or restores: it reads and writes the state only. */
    private static Group stateOnly(Slot slot) {
        return new Group(slot.base, List.of(new Block(slot.state, MemorySegment.NULL, MemorySegment.NULL)));
    }

    /** Frees the state and stops the engine's threads; later steps are refused. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            engine.close();
            arena.close();
        }
    }

    private record Slot(Optimizer base, OptimizerState state) {
    }

    /** Builds a {@link LanestepOptimizer}; DJL's own options ({@code setRescaleGrad}, {@code optClipGrad}) apply. */
    public static final class Builder extends OptimizerBuilder<Builder> {
        private final BiFunction<String, long[], Optimizer> configuration;
        private Schedule schedule = Schedule.constant();
        private NonFinite policy = NonFinite.PROPAGATE;
        private LaneWidth width = LaneWidth.preferred();
        private int threads = 1;
        private boolean flushSubnormalState;
        private Format stateFormat = Format.FP32;
        private boolean masterWeights;

        private Builder(BiFunction<String, long[], Optimizer> configuration) {
            this.configuration = configuration;
        }

        /** A learning-rate schedule over each parameter's own step count (from 1). */
        public Builder optSchedule(Schedule schedule) {
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /** What a NaN or infinite gradient does (default: propagates, as in DJL). */
        public Builder optNonFinite(NonFinite policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Threads sharing each large parameter's step (default 1; DJL steps parameters one by one). */
        public Builder optThreads(int threads) {
            this.threads = threads;
            return this;
        }

        /** The vector width (default: the CPU's preferred). */
        public Builder optLaneWidth(LaneWidth width) {
            this.width = Objects.requireNonNull(width, "width");
            return this;
        }

        /** Store subnormal state values as zero, so long runs keep their speed ({@code Engine.create}). */
        public Builder optFlushSubnormalState(boolean flush) {
            this.flushSubnormalState = flush;
            return this;
        }

        /**
         * How every parameter's state is stored (default float32, whatever the tensors' types):
         * {@code BF16} or {@code FP16} (one 16-bit format per parameter: a bf16 tensor cannot have
         * fp16 state), or {@code Format.Q8}, bitsandbytes' 8-bit blockwise code (tensors under
         * 4096 elements keep float32 state). The tensors' own formats come from their data types.
         */
        public Builder optStateFormat(Format format) {
            this.stateFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * Keeps float32 master weights in the state of every bfloat16 or float16 weight and writes
         * the tensor as their 16-bit copy in the same pass (DeepSpeed's step and copy); float32
         * weights step as they are.
         */
        public Builder optMasterWeights(boolean masterWeights) {
            this.masterWeights = masterWeights;
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** The optimizer; it owns an engine and state memory until {@link LanestepOptimizer#close()}. */
        public LanestepOptimizer build() {
            return new LanestepOptimizer(this);
        }
    }
}
