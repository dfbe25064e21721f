package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.MAXIMIZE;

import io.lanestep.Optimizer;
import io.lanestep.Rprop;
import java.lang.foreign.MemorySegment;

/** Rprop's per-step scalars; the loop is {@code Rprop.kernel}. */
final class RpropKernel extends Kernel {
    final MemorySegment prev;
    final MemorySegment stepSize;
    float etaMinus;
    float etaPlus;
    float stepMin;
    float stepMax;
    int flags;

    RpropKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
        prev = slots[0];
        stepSize = slots[1];
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        Rprop r = (Rprop) optimizer;
        etaMinus = (float) r.etaMinus();
        etaPlus = (float) r.etaPlus();
        stepMin = (float) r.stepMin();
        stepMax = (float) r.stepMax();
        flags = stepFlags() | (r.maximize() ? MAXIMIZE : 0);
    }

    @Override
    public void run(int pass, long from, long to) {
        RpropLanes.runAnyFormat(this, from, to);
    }
}
