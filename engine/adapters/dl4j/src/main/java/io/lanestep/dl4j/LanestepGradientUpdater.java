package io.lanestep.dl4j;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The per-block updater {@link LanestepUpdater} makes: a Lanestep state over DL4J's state view
 * (slot after slot), stepped over zero parameters so that the parameters' new values minus their
 * old ones come out of the kernel as the step; the gradient view receives its negation, which
 * DL4J subtracts. The step counter is DL4J's iteration count; NAdam's scalar state, a product over
 * the steps, is computed again from it when the two disagree (a restored network).
 */
final class LanestepGradientUpdater implements GradientUpdater<LanestepUpdater> {
    /** One engine for every updater: it holds no per-state data, and steps of different states may run at once. */
    private static final Engine ENGINE = Engine.create();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final LanestepUpdater config;
    private final String refusal;
    private final int slots;
    private Optimizer optimizer;
    private INDArray view;
    private long viewAddress;
    private OptimizerState state;
    private MemorySegment zeros;
    private MemorySegment grads;

    LanestepGradientUpdater(LanestepUpdater config) {
        this.config = config;
        this.optimizer = config.optimizer();
        this.refusal = LanestepUpdater.refusal(optimizer);
        this.slots = optimizer.stateKeys().size();
    }

    @Override
    public LanestepUpdater getConfig() {
        return config;
    }

    /**
     * Takes DL4J's state view: the slots of the whole block, slot after slot. The block's length
     * is known at its first gradient; slots that start at values other than 0 are filled then.
     */
    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        if (viewArray.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("the network's updater state is " + viewArray.dataType() + ";"
                    + " LanestepUpdater steps FLOAT networks: train HALF networks with LanestepTrainer");
        }
        if (slots == 0 && viewArray.length() == 0) {
            return;
        }
        if (slots == 0 || viewArray.length() % slots != 0) {
            throw new IllegalArgumentException("the updater state view has " + viewArray.length() + " elements, not "
                    + slots + " slots of one length for " + optimizer.getClass().getSimpleName() + "; it was made"
                    + " for another updater");
        }
        view = viewArray;
        viewAddress = FlatViews.address(viewArray, "the updater state");
        state = null;
        if (initialize) {
            long n = viewArray.length() / slots;
            MemorySegment all = MemorySegment.ofAddress(viewAddress).reinterpret(viewArray.length() * Float.BYTES);
            all.fill((byte) 0);
            for (int k = 0; k < slots; k++) {
                float initial = optimizer.initialStateValue(optimizer.stateKeys().get(k));
                for (long i = 0; initial != 0f && i < n; i++) {
                    all.setAtIndex(F, k * n + i, initial);
                }
            }
        }
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (refusal != null) {
            throw new IllegalStateException(refusal);
        }
        long n = gradient.length();
        if (gradient.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("the gradient is " + gradient.dataType() + "; LanestepUpdater steps"
                    + " FLOAT networks: train HALF networks with LanestepTrainer");
        }
        long address = FlatViews.address(gradient, "the gradients");
        if (grads == null || grads.address() != address || grads.byteSize() != n * Float.BYTES) {
            grads = MemorySegment.ofAddress(address).reinterpret(n * Float.BYTES);
        }
        if (state == null || state.length() != n) {
            bind(n);
        } else if (view != null) {
            FlatViews.requireSame(view, viewAddress, "updater state");
        }
        ISchedule schedule = config.schedule();
        if (schedule != null) {
            double lr = schedule.valueAt(iteration, epoch);
            if (lr != optimizer.learningRate()) {
                optimizer = optimizer.withLearningRate(lr);
            }
        }
        if (state.step() != iteration) {
            UpdaterViews.resume(state, iteration);
        }
        ENGINE.step(optimizer, state, zeros, grads);
        // p - (-s) is p + s exactly; the zeros are restored for the next step in the same pass.
        for (long i = 0; i < n; i++) {
            grads.setAtIndex(F, i, -zeros.getAtIndex(F, i));
            zeros.setAtIndex(F, i, 0f);
        }
    }

    /** The Lanestep state over the view's slots for gradients of {@code n} elements, and the zero parameters. */
    private void bind(long n) {
        List<MemorySegment> segments = new ArrayList<>();
        if (slots > 0) {
            if (view == null || view.length() != slots * n) {
                throw new IllegalStateException("the updater state view holds " + (view == null ? 0 : view.length())
                        + " elements, but " + optimizer.getClass().getSimpleName() + " needs " + slots * n
                        + " for a block of " + n + " parameters; the network's updater was made for another"
                        + " configuration (net.init() after changing it?)");
            }
            MemorySegment all = MemorySegment.ofAddress(viewAddress).reinterpret(view.length() * Float.BYTES);
            for (int k = 0; k < slots; k++) {
                segments.add(all.asSlice(k * n * Float.BYTES, n * Float.BYTES));
            }
        }
        state = optimizer.stateOver(n, segments);
        zeros = Floats.allocate(Arena.ofAuto(), n);
    }

    @Override
    public Map<String, INDArray> getState() {
        Map<String, INDArray> named = new LinkedHashMap<>();
        if (view == null) {
            return named;
        }
        long n = state == null ? 0 : state.length();
        for (int k = 0; k < slots && n > 0; k++) {
            named.put(optimizer.stateKeys().get(k),
                    view.reshape(view.length()).get(NDArrayIndex.interval(k * n, (k + 1) * n)));
        }
        return named;
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        throw new UnsupportedOperationException("LanestepUpdater keeps its state in the network's updater view;"
                + " set it through the network (ModelSerializer, net.getUpdater().setStateViewArray)");
    }
}
