package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.MAXIMIZE;
import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.Adagrad;
import io.lanestep.Optimizer;
import java.lang.foreign.MemorySegment;

/** Adagrad's per-step scalars; the loop is {@code Adagrad.kernel}. */
final class AdagradKernel extends Kernel {
    final MemorySegment sum;
    /** {@code f(-lr / (1 + (t - 1)·lrDecay))}. */
    float negClr;
    float eps;
    float weightDecay;
    int flags;

    AdagradKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
        sum = slots[0];
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        Adagrad a = (Adagrad) optimizer;
        double t = steps + 1;
        negClr = (float) -(a.lr() / (1 + (t - 1) * a.lrDecay()));
        eps = (float) a.eps();
        weightDecay = (float) a.weightDecay();
        flags = stepFlags() | (a.maximize() ? MAXIMIZE : 0) | (a.weightDecay() != 0 ? WEIGHT_DECAY : 0);
    }

    @Override
    public void run(int pass, long from, long to) {
        AdagradLanes.run(this, from, to);
    }
}
