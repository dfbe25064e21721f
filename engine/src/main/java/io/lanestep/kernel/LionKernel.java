package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.MAXIMIZE;

import io.lanestep.Lion;
import io.lanestep.Optimizer;
import java.lang.foreign.MemorySegment;

/** Lion's per-step scalars; the loop is {@code Lion.kernel}. */
final class LionKernel extends MomentKernel {
    final MemorySegment expAvg;
    float negLr;
    /** {@code f(1 - lr·weightDecay)}. */
    float decayFactor;
    int flags;

    LionKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
        expAvg = slots[0];
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        Lion l = (Lion) optimizer;
        betas(l.beta1(), l.beta2());
        negLr = (float) -l.lr();
        decayFactor = (float) (1 - l.lr() * l.weightDecay());
        flags = stepFlags() | (l.maximize() ? MAXIMIZE : 0);
    }

    @Override
    public void run(int pass, long from, long to) {
        LionLanes.runAnyFormat(this, from, to);
    }
}
