package io.lanestep.pytorch;

import io.lanestep.CheckpointException;
import io.lanestep.Optimizer;
import io.lanestep.kernel.Catalogue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A learning-rate scheduler with {@code torch.optim.lr_scheduler} semantics, to the last bit of the
 * double: the recursive ("chainable") forms torch computes, its initial step at construction, and
 * the C library's {@code cos} and {@code pow} (see {@code LibM}). Make one with
 * {@link TorchSchedulers#create}; then, per training step, step the engine with {@link #optimizer()}
 * and call {@link #step()} (or {@link #step(double)} for ReduceLROnPlateau), as torch's
 * {@code optimizer.step(); scheduler.step()}. CyclicLR and OneCycleLR also cycle the momentum
 * (SGD's and RMSprop's {@code momentum}, or {@code beta1}), as torch does.
 *
 * <p>One scheduler drives one parameter group's learning rate; not thread-safe (step it from the
 * training loop). {@link #stateDict()} and {@link #loadStateDict(Map)} save and restore everything
 * that changes, like torch's {@code state_dict}.
 */
public abstract sealed class LrScheduler permits StepLrs, CosineLrs, CyclicLrs, SequentialLr, PlateauLr {
    /** The parameter group the scheduler writes: shared by a SequentialLR's schedulers. */
    static final class ParamGroup {
        final Optimizer optimizer;
        double lr;
        double initialLr = Double.NaN;
        double momentum = Double.NaN;

        ParamGroup(Optimizer optimizer) {
            this.optimizer = optimizer;
            this.lr = optimizer.learningRate();
        }

        /** torch's {@code group.setdefault("initial_lr", group["lr"])}. */
        double initialLr() {
            if (Double.isNaN(initialLr)) {
                initialLr = lr;
            }
            return initialLr;
        }
    }

    final ParamGroup group;
    final String name;
    /** torch's {@code base_lrs[0]}. */
    double baseLr;
    long lastEpoch = -1;
    /** True during the step made at construction (torch's {@code _is_initial}). */
    boolean initial;
    private Optimizer cached;
    private double cachedLr = Double.NaN;
    private double cachedMomentum = Double.NaN;

    LrScheduler(String name, ParamGroup group) {
        this.name = name;
        this.group = group;
        this.baseLr = group.initialLr();
    }

    /** torch's {@code _initial_step}: one step at construction, with {@code last_epoch} becoming 0. */
    final void initialStep() {
        initial = true;
        try {
            step();
        } finally {
            initial = false;
        }
    }

    /** {@code scheduler.step()}: advances one epoch (or iteration) and sets the learning rate. */
    public void step() {
        lastEpoch++;
        group.lr = nextLr();
    }

    /**
     * {@code scheduler.step(metrics)}, for ReduceLROnPlateau only.
     *
     * @throws UnsupportedOperationException for every other scheduler
     */
    public void step(double metric) {
        throw new UnsupportedOperationException(name + ".step() takes no metric; call step()");
    }

    /** The learning rate for {@code lastEpoch}, from the group's current one (torch's {@code get_lr}). */
    abstract double nextLr();

    /** torch's {@code step(0)} as SequentialLR calls it at a milestone: the closed form at epoch 0. */
    void restart() {
        lastEpoch = 0;
        group.lr = closedFormAtZero();
    }

    /** torch's {@code _get_closed_form_lr} at epoch 0, or {@code get_lr} where there is none. */
    double closedFormAtZero() {
        return nextLr();
    }

    /** The current learning rate ({@code optimizer.param_groups[0]["lr"]}). */
    public final double lr() {
        return group.lr;
    }

    /** The current momentum or beta1, where this scheduler cycles it. */
    public final OptionalDouble momentum() {
        return Double.isNaN(group.momentum) ? OptionalDouble.empty() : OptionalDouble.of(group.momentum);
    }

    /**
     * The optimizer configuration to step with now: the one given at construction with the current
     * learning rate (and momentum or beta1, where cycled). The same object while neither changes.
     */
    public final Optimizer optimizer() {
        if (cached == null || cachedLr != group.lr || !sameMomentum()) {
            Optimizer o = group.optimizer.withLearningRate(group.lr);
            cached = Double.isNaN(group.momentum) ? o : withMomentum(o, group.momentum);
            cachedLr = group.lr;
            cachedMomentum = group.momentum;
        }
        return cached;
    }

    private boolean sameMomentum() {
        return Double.doubleToLongBits(cachedMomentum) == Double.doubleToLongBits(group.momentum);
    }

    /** What torch's CyclicLR/OneCycleLR write: {@code momentum} where the optimizer has one, else {@code betas[0]}. */
    static boolean cyclable(Optimizer o) {
        String name = o.getClass().getSimpleName();
        return Catalogue.CYCLES_MOMENTUM.contains(name) || Catalogue.CYCLES_BETA1.contains(name);
    }

    static Optimizer withMomentum(Optimizer o, double m) {
        Optimizer cycled = Catalogue.withMomentum(o, m);
        if (cycled == null) {
            throw new IllegalArgumentException("optimizer must support momentum or beta1 with `cycle_momentum` option"
                    + " enabled");
        }
        return cycled;
    }

    /**
     * Everything that changes as the scheduler steps, by torch's names: {@code last_epoch}, the
     * group's {@code lr}, {@code momentum} where cycled, and the scheduler's own counters.
     */
    public Map<String, Object> stateDict() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("scheduler", name);
        state.put("last_epoch", lastEpoch);
        state.put("lr", group.lr);
        state.put("initial_lr", group.initialLr);
        state.put("base_lr", baseLr);
        if (!Double.isNaN(group.momentum)) {
            state.put("momentum", group.momentum);
        }
        saveOwn(state);
        return state;
    }

    /**
     * Restores a {@link #stateDict()} of a scheduler made with the same arguments.
     *
     * @throws IllegalArgumentException if it is another scheduler's, or an entry is missing or mistyped;
     *                                  nothing is changed then
     */
    public final void loadStateDict(Map<String, ?> state) {
        prepareLoad(state).run();
    }

    /**
     * Writes {@link #stateDict()} to {@code stream}, checksummed and self-delimiting, so that it can
     * go beside the optimizer's checkpoint (before it in one stream, or in its own zip entry). The
     * stream is left open.
     */
    public void save(OutputStream stream) throws IOException {
        SchedulerState.write(Objects.requireNonNull(stream, "stream"), stateDict());
    }

    /**
     * Restores what {@link #save(OutputStream)} wrote into a scheduler made with the same
     * arguments, reading exactly its bytes; nothing changes unless all of it checks out.
     *
     * @throws CheckpointException      if the stream is truncated, corrupted or not a scheduler state
     * @throws IllegalArgumentException as {@link #loadStateDict(Map)}: another scheduler's state
     */
    public void restore(InputStream stream) throws IOException {
        loadStateDict(SchedulerState.read(Objects.requireNonNull(stream, "stream")));
    }

    /** Validates all of {@code state} and returns what applies it. */
    final Runnable prepareLoad(Map<String, ?> state) {
        StateReader r = new StateReader(name, state);
        r.checkScheduler();
        long epoch = r.integer("last_epoch");
        double lr = r.number("lr");
        double initialLr = r.number("initial_lr");
        double base = r.number("base_lr");
        double momentum = Double.isNaN(group.momentum) ? Double.NaN : r.number("momentum");
        Runnable own = loadOwn(r);
        return () -> {
            lastEpoch = epoch;
            group.lr = lr;
            group.initialLr = initialLr;
            baseLr = base;
            group.momentum = momentum;
            own.run();
        };
    }

    /** Reads this scheduler's own entries (validating them all) and returns what applies them. */
    Runnable loadOwn(StateReader r) {
        return () -> { };
    }

    void saveOwn(Map<String, Object> state) {
    }

    /** Validating reads of a state dict; nothing is applied until every entry has been read. */
    static final class StateReader {
        private final String name;
        private final Map<String, ?> state;

        StateReader(String name, Map<String, ?> state) {
            this.name = name;
            this.state = state;
        }

        void checkScheduler() {
            if (!name.equals(state.get("scheduler"))) {
                throw new IllegalArgumentException("this state dict is of " + state.get("scheduler") + ", not "
                        + name + "; load it into the scheduler that saved it");
            }
        }

        Object get(String key) {
            Object v = state.get(key);
            if (v == null) {
                throw new IllegalArgumentException(name + " state dict lacks '" + key + "'; pass a dict from"
                        + " stateDict()");
            }
            return v;
        }

        double number(String key) {
            if (!(get(key) instanceof Number n)) {
                throw new IllegalArgumentException(name + " state dict entry '" + key + "' must be a number");
            }
            return n.doubleValue();
        }

        long integer(String key) {
            double d = number(key);
            if (d != Math.rint(d)) {
                throw new IllegalArgumentException(name + " state dict entry '" + key + "' must be an integer");
            }
            return (long) d;
        }
    }
}
