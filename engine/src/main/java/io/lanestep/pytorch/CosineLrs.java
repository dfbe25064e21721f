package io.lanestep.pytorch;

import java.util.Map;

/**
 * CosineAnnealingLR in torch's recursive form (not the closed form: the two differ in the last
 * bits, and torch steps the recursive one) and CosineAnnealingWarmRestarts.
 */
final class CosineLrs extends LrScheduler {
    private final boolean restarts;
    private final long tMax;
    private final double etaMin;
    private final long tMult;
    private long tCur;
    private long tI;

    private CosineLrs(String name, ParamGroup group, boolean restarts, long period, long tMult, double etaMin) {
        super(name, group);
        this.restarts = restarts;
        this.tMax = period;
        this.tMult = tMult;
        this.etaMin = etaMin;
        this.tI = period;
        this.tCur = -1;
        initialStep();
    }

    static CosineLrs annealing(Kwargs k, ParamGroup group) {
        long tMax = k.integer("T_max", 0, true);
        if (tMax == 0 || tMax > 1L << 53 || tMax < -(1L << 53)) {
            throw new IllegalArgumentException(k.className() + " T_max must be nonzero and within 2^53 steps, got "
                    + tMax + " (torch divides by it at the first step()); pass the number of steps from the base lr"
                    + " to eta_min");
        }
        return new CosineLrs(k.className(), group, false, tMax, 1, k.number("eta_min", 0));
    }

    static CosineLrs warmRestarts(Kwargs k, ParamGroup group) {
        long t0 = k.integer("T_0", 0, true);
        if (t0 <= 0) {
            throw new IllegalArgumentException("Expected positive integer T_0, but got " + t0);
        }
        long tMult = k.integer("T_mult", 1, false);
        if (tMult < 1) {
            throw new IllegalArgumentException("Expected integer T_mult >= 1, but got " + tMult);
        }
        return new CosineLrs(k.className(), group, true, t0, tMult, k.number("eta_min", 0));
    }

    @Override
    public void step() {
        if (!restarts) {
            super.step();
            return;
        }
        if (lastEpoch < 0) {
            restart();
            return;
        }
        lastEpoch++;
        tCur++;
        if (tCur >= tI) {
            tCur = tCur % tI;
            tI = tI * tMult;
        }
        group.lr = warm();
    }

    /** torch's {@code step(0)}: epoch 0 is below T_0, so the period starts again. */
    @Override
    void restart() {
        if (!restarts) {
            super.restart();
            return;
        }
        lastEpoch = 0;
        tI = tMax;
        tCur = 0;
        group.lr = warm();
    }

    private double warm() {
        return etaMin + (baseLr - etaMin) * (1 + LibM.cos(Math.PI * tCur / tI)) / 2;
    }

    @Override
    double nextLr() {
        long e = lastEpoch;
        double lr = group.lr;
        if (initial) {
            return lr;
        }
        if (Math.floorMod(e - 1 - tMax, 2 * tMax) == 0) {
            return lr + (baseLr - etaMin) * (1 - LibM.cos(Math.PI / tMax)) / 2;
        }
        return (1 + LibM.cos(Math.PI * e / tMax)) / (1 + LibM.cos(Math.PI * (e - 1) / tMax)) * (lr - etaMin) + etaMin;
    }

    @Override
    double closedFormAtZero() {
        return etaMin + (baseLr - etaMin) * (1 + LibM.cos(Math.PI * 0 / tMax)) / 2;
    }

    @Override
    void saveOwn(Map<String, Object> state) {
        if (restarts) {
            state.put("T_cur", tCur);
            state.put("T_i", tI);
        }
    }

    @Override
    Runnable loadOwn(StateReader r) {
        if (!restarts) {
            return () -> { };
        }
        long cur = r.integer("T_cur");
        long i = r.integer("T_i");
        return () -> {
            tCur = cur;
            tI = i;
        };
    }
}
