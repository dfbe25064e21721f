package io.lanestep.dl4j;

import io.lanestep.NAdam;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Lanestep states over a network's updater view, where {@link LanestepUpdater} keeps them: DL4J
 * lays out each updater block (consecutive parameters with equal updaters) slot after slot, so
 * slot {@code k} of a parameter is one contiguous range of the view.
 */
final class UpdaterViews {
    private UpdaterViews() {
    }

    /** Layer {@code index}'s Lanestep configuration, from its {@link LanestepUpdater}. */
    static Optimizer configuration(MultiLayerNetwork net, int index) {
        IUpdater updater = updater(net, index);
        if (!(updater instanceof LanestepUpdater lanestep)) {
            throw new IllegalArgumentException("layer " + index + " is configured with " + name(updater) + ", not a"
                    + " LanestepUpdater; configure .updater(new LanestepUpdater(...)) to build with"
                    + " LanestepTrainer.builder(net), or .updater(new NoOp()) and pass the Lanestep configuration to"
                    + " LanestepTrainer.builder(net, optimizer)");
        }
        if (updater(net, index, true) != null && !updater.equals(updater(net, index, true))) {
            throw new IllegalArgumentException("layer " + index + " has a bias updater other than its updater;"
                    + " LanestepTrainer.builder(net) steps a layer with one configuration: remove biasUpdater(...)");
        }
        if (lanestep.schedule() != null) {
            throw new IllegalArgumentException("layer " + index + "'s LanestepUpdater has DL4J schedule "
                    + lanestep.schedule() + ", which LanestepTrainer does not follow; pass a Lanestep schedule"
                    + " (LanestepTrainer.Builder.schedule) instead");
        }
        return lanestep.optimizer();
    }

    /** Refuses a layer whose configured updater the trainer would ignore: only {@code NoOp} says none is meant. */
    static void requireNoOp(MultiLayerNetwork net, int index) {
        IUpdater updater = updater(net, index);
        if (updater != null && !(updater instanceof NoOp)) {
            throw new IllegalArgumentException("layer " + index + " is configured with " + name(updater) + ", which"
                    + " LanestepTrainer.builder(net, optimizer) would ignore; set .updater(new NoOp()) in the network's"
                    + " configuration, or configure .updater(new LanestepUpdater(...)) and build with"
                    + " LanestepTrainer.builder(net)");
        }
    }

    private static IUpdater updater(MultiLayerNetwork net, int index) {
        return updater(net, index, false);
    }

    private static IUpdater updater(MultiLayerNetwork net, int index, boolean bias) {
        Layer layer = net.getLayerWiseConfigurations().getConf(index).getLayer();
        if (layer instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer frozen) {
            layer = frozen.getLayer();
        }
        if (!(layer instanceof BaseLayer base)) {
            return null;
        }
        return bias ? base.getBiasUpdater() : base.getIUpdater();
    }

    private static String name(IUpdater updater) {
        return updater == null ? "no updater" : "DL4J's " + updater.getClass().getSimpleName() + " updater";
    }

    /** A state per Lanestep parameter of {@code plan}, over the network's updater view, at its iteration count. */
    static Map<String, OptimizerState> states(MultiLayerNetwork net, ParameterPlan plan) {
        BaseMultiLayerUpdater<?> updater = (BaseMultiLayerUpdater<?>) net.getUpdater(true);
        long viewAddress = FlatViews.address(updater.getStateViewArray(), "the network's updater state");
        MemorySegment view = MemorySegment.ofAddress(viewAddress)
                .reinterpret(updater.getStateViewArray().length() * Float.BYTES);
        Map<String, OptimizerState> states = new LinkedHashMap<>();
        for (ParameterPlan.Entry e : plan.entries()) {
            if (e.kind() != ParameterPlan.Kind.LANESTEP) {
                continue;
            }
            UpdaterBlock block = block(updater, e);
            long blockLength = block.getParamOffsetEnd() - block.getParamOffsetStart();
            int slots = e.base().stateKeys().size();
            if ((long) slots * blockLength != block.getUpdaterViewOffsetEnd() - block.getUpdaterViewOffsetStart()) {
                throw new IllegalStateException("the updater view of parameter " + e.key() + " holds "
                        + (block.getUpdaterViewOffsetEnd() - block.getUpdaterViewOffsetStart()) + " floats, not "
                        + slots + " slots of " + blockLength + "; call net.init() after changing the updater");
            }
            List<MemorySegment> segments = new ArrayList<>();
            for (int k = 0; k < slots; k++) {
                long at = block.getUpdaterViewOffsetStart() + k * blockLength
                        + e.offset() - block.getParamOffsetStart();
                segments.add(view.asSlice(at * Float.BYTES, e.length() * Float.BYTES));
            }
            OptimizerState state = e.base().stateOver(e.length(), segments);
            resume(state, net.getIterationCount());
            states.put(e.key(), state);
        }
        return states;
    }

    private static UpdaterBlock block(BaseMultiLayerUpdater<?> updater, ParameterPlan.Entry e) {
        for (UpdaterBlock b : updater.getUpdaterBlocks()) {
            if (b.getParamOffsetStart() <= e.offset() && e.offset() + e.length() <= b.getParamOffsetEnd()) {
                return b;
            }
        }
        throw new IllegalStateException("no updater block holds parameter " + e.key() + "; this network's layout is"
                + " not supported");
    }

    /** Sets the step counter to {@code iteration} and NAdam's momentum product to its value there. */
    static void resume(OptimizerState state, long iteration) {
        if (state.optimizer() instanceof NAdam nadam) {
            state.importScalar(NAdam.MU_PRODUCT, nadam.muProduct(iteration));
        }
        state.importStep(iteration);
    }
}
