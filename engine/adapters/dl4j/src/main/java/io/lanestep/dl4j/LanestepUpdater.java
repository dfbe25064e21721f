package io.lanestep.dl4j;

import io.lanestep.Adafactor;
import io.lanestep.Asgd;
import io.lanestep.Lamb;
import io.lanestep.Lanestep;
import io.lanestep.Lars;
import io.lanestep.NAdam;
import io.lanestep.Optimizer;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * A Lanestep optimizer as a DL4J updater: set it with {@code .updater(new LanestepUpdater(
 * Lanestep.adam()))} in the network's configuration, and {@code net.fit}, listeners,
 * {@code EarlyStoppingTrainer}, {@code ParallelWrapper}, {@code MultiLayerNetwork} and
 * {@code ComputationGraph} all step with Lanestep's kernels. The state lives in DL4J's updater
 * state view (zero-copy, slot after slot, as DL4J's own Adam lays out its moments), so
 * {@code ModelSerializer.writeModel(net, file, true)} saves it and a restored network goes on bit
 * for bit; the step counter is DL4J's iteration count, which the model zip keeps too.
 *
 * <p>DL4J's updater contract turns the gradient into an update that DL4J subtracts from the
 * parameters, and does not give the updater the parameters. So the update is {@code -s}, where
 * {@code s} is what Lanestep's fused step adds to a parameter, computed by the same kernel over
 * zero parameters; DL4J's {@code p - (-s)} is {@code p + s} exactly. Where the fused step's last
 * operation is that addition (Adam, AdamW, Adamax, Adagrad, RMSprop without momentum, Rprop,
 * Lion), the parameters get the fused step's bits; where it fuses the last multiply into the
 * addition (SGD, RMSprop with momentum, Adadelta, NAdam's two additions), the step {@code s} is
 * rounded once more, a difference of at most one rounding of {@code s} per step. Configurations
 * that read the parameters (weight decay inside the optimizer, LARS, LAMB, Adafactor, ASGD) are
 * refused by {@code net.fit}: {@link LanestepTrainer#builder(org.deeplearning4j.nn.multilayer.MultiLayerNetwork)}
 * steps them in place, fused and faster, over the same state; or use DL4J's own
 * {@code .weightDecay(...)} or {@code .l2(...)} on the layers.
 *
 * <p>A DL4J learning-rate schedule ({@code setLrAndSchedule}, or a layer's learning rate) replaces
 * the configuration's rate each iteration. FLOAT networks only: train HALF networks with
 * {@link LanestepTrainer}.
 */
public final class LanestepUpdater implements IUpdater {
    private static final long serialVersionUID = 1L;

    // Written to DL4J's configuration JSON by field; the configuration is decoded once per instance.
    private String optimizer;
    private Map<String, String> configuration;
    private ISchedule learningRateSchedule;
    private transient Optimizer decoded;

    /** PyTorch's Adam; for DL4J's JSON reader, which sets the fields afterwards. */
    public LanestepUpdater() {
        this(Lanestep.adam());
        decoded = null;
    }

    /**
     * An updater stepping with {@code optimizer}. Configurations that read the parameters (weight
     * decay inside the optimizer, LARS, LAMB, Adafactor, ASGD) are for {@link LanestepTrainer}: a
     * {@code net.fit} step with one is refused, naming the fix, before anything is written. Muon,
     * which needs each weight's shape, is refused here.
     */
    public LanestepUpdater(Optimizer optimizer) {
        Objects.requireNonNull(optimizer, "optimizer");
        if (optimizer instanceof io.lanestep.Muon) {
            throw new IllegalArgumentException("Muon steps weight matrices, whose shapes DL4J's updater does not"
                    + " hand on; set .updater(new NoOp()) and use LanestepTrainer.builder(net, muon, forOthers)");
        }
        this.optimizer = optimizer.getClass().getSimpleName();
        this.configuration = RecordConfig.encode(optimizer);
        this.decoded = optimizer;
    }

    /** The Lanestep configuration this updater steps with (its rate before any DL4J schedule). */
    public Optimizer optimizer() {
        if (decoded == null) {
            decoded = RecordConfig.decode(optimizer, configuration);
        }
        return decoded;
    }

    /**
     * Why DL4J's own entry points cannot step {@code o} (it reads the parameters, or keeps scalar
     * state the view does not hold), or null if they can.
     */
    static String refusal(Optimizer o) {
        String name = o.getClass().getSimpleName();
        String fix = "train this network with LanestepTrainer.builder(net), which steps the same configuration in"
                + " place";
        if (o instanceof Lars || o instanceof Lamb || o instanceof Adafactor || o instanceof Asgd) {
            return name + " reads the parameters (" + (o instanceof Asgd ? "their average"
                    : o instanceof Adafactor ? "their RMS" : "their norm") + "), which DL4J does not give an updater"
                    + " in net.fit; " + fix;
        }
        for (RecordComponent c : o.getClass().getRecordComponents()) {
            if (c.getName().equals("weightDecay") && weightDecay(o, c) != 0) {
                double wd = weightDecay(o, c);
                return name + "'s weightDecay " + wd + " reads the parameters, which DL4J does not give an updater in"
                        + " net.fit; " + fix + ", or pass " + name + " with withWeightDecay(0) and add DL4J's"
                        + " .weightDecay(" + wd + ") (decoupled, as AdamW) or .l2(" + wd + ") to the layers";
            }
        }
        if (!o.scalarKeys().isEmpty() && !(o instanceof NAdam)) {
            return name + " keeps scalar state " + o.scalarKeys() + ", which DL4J's updater state view does not hold;"
                    + " train it with LanestepTrainer.builder(net, optimizer)";
        }
        return null;
    }

    private static double weightDecay(Optimizer o, RecordComponent c) {
        try {
            return (double) c.getAccessor().invoke(o);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The schedule DL4J set, or null: the configuration's own rate. */
    ISchedule schedule() {
        return learningRateSchedule;
    }

    @Override
    public long stateSize(long numParams) {
        return optimizer().stateKeys().size() * numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        LanestepGradientUpdater updater = new LanestepGradientUpdater(this);
        if (viewArray != null) {
            updater.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        }
        return updater;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        throw new UnsupportedOperationException("LanestepUpdater keeps its state in a network's updater view"
                + " (MultiLayerNetwork, ComputationGraph); SameDiff training is not supported");
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch)
                : optimizer().learningRate();
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        if (!Double.isNaN(lr)) {
            Optimizer o = optimizer().withLearningRate(lr);
            configuration = RecordConfig.encode(o);
            decoded = o;
        }
        learningRateSchedule = lrSchedule;
    }

    @Override
    public LanestepUpdater clone() {
        LanestepUpdater copy = new LanestepUpdater(optimizer());
        copy.learningRateSchedule = learningRateSchedule == null ? null : learningRateSchedule.clone();
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LanestepUpdater u && optimizer.equals(u.optimizer)
                && configuration.equals(u.configuration)
                && Objects.equals(learningRateSchedule, u.learningRateSchedule);
    }

    @Override
    public int hashCode() {
        return Objects.hash(optimizer, configuration, learningRateSchedule);
    }

    @Override
    public String toString() {
        return "LanestepUpdater(" + optimizer() + (learningRateSchedule == null ? "" : ", " + learningRateSchedule)
                + ")";
    }
}
