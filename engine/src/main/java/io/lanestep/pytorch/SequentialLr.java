package io.lanestep.pytorch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * SequentialLR: its schedulers, built in order on one parameter group (each making its own initial
 * step), then the rate reset to the initial one and only the first scheduler's initial step made
 * again; at a milestone the next scheduler restarts at epoch 0 through its closed form.
 */
final class SequentialLr extends LrScheduler {
    private final List<LrScheduler> schedulers;
    private final long[] milestones;

    SequentialLr(Kwargs k, ParamGroup group, List<LrScheduler> schedulers) {
        super(k.className(), group);
        this.schedulers = schedulers;
        this.milestones = k.integers("milestones");
        if (milestones.length != schedulers.size() - 1) {
            throw new IllegalArgumentException("Sequential Schedulers expects number of schedulers provided to be one"
                    + " more than the number of milestone points, but got number of schedulers " + schedulers.size()
                    + " and the number of milestones to be equal to " + milestones.length);
        }
        for (LrScheduler s : schedulers) {
            if (s instanceof PlateauLr) {
                throw new IllegalArgumentException("SequentialLR does not support `ReduceLROnPlateau` scheduler as it"
                        + " requires additional kwargs to be specified when calling `step`");
            }
        }
        lastEpoch = 0;
        group.lr = group.initialLr();
        for (LrScheduler s : schedulers) {
            s.lastEpoch--;
        }
        schedulers.getFirst().initialStep();
    }

    /** The sub-scheduler specs {@code [{scheduler, kwargs}]} of SequentialLR's {@code schedulers} kwarg. */
    static List<Map<?, ?>> specs(Kwargs k) {
        List<Map<?, ?>> specs = new ArrayList<>();
        for (Object o : k.list("schedulers")) {
            if (!(o instanceof Map<?, ?> m) || !(m.get("scheduler") instanceof String)) {
                throw new IllegalArgumentException("SequentialLR kwarg 'schedulers' must list {scheduler, kwargs}"
                        + " entries, got " + o);
            }
            specs.add(m);
        }
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("SequentialLR expects at least one scheduler");
        }
        return specs;
    }

    @Override
    public void step() {
        lastEpoch++;
        int idx = bisectRight(milestones, lastEpoch);
        LrScheduler s = schedulers.get(idx);
        if (idx > 0 && milestones[idx - 1] == lastEpoch) {
            s.restart();
        } else {
            s.step();
        }
    }

    private static int bisectRight(long[] sorted, long x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (x < sorted[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    @Override
    double nextLr() {
        throw new AssertionError("SequentialLR delegates every step");
    }

    @Override
    void saveOwn(Map<String, Object> state) {
        List<Object> children = new ArrayList<>();
        for (LrScheduler s : schedulers) {
            children.add(s.stateDict());
        }
        state.put("schedulers", children);
        state.put("milestones", Arrays.stream(milestones).boxed().toList());
    }

    @Override
    Runnable loadOwn(StateReader r) {
        if (!(r.get("schedulers") instanceof List<?> list) || list.size() != schedulers.size()) {
            throw new IllegalArgumentException("SequentialLR state dict must hold " + schedulers.size()
                    + " schedulers' states");
        }
        List<Runnable> loads = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("SequentialLR state dict schedulers[" + i + "] must be a map");
            }
            loads.add(schedulers.get(i).prepareLoad(cast(m)));
        }
        return () -> loads.forEach(Runnable::run);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> cast(Map<?, ?> m) {
        return (Map<String, ?>) m;
    }
}
