package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.MAXIMIZE;
import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.Adadelta;
import io.lanestep.Optimizer;
import java.lang.foreign.MemorySegment;

/** Adadelta's per-step scalars; the loop is {@code Adadelta.kernel}. */
final class AdadeltaKernel extends Kernel {
    final MemorySegment squareAvg;
    final MemorySegment accDelta;
    float rho;
    /** {@code f(1 - rho)}, rounded once from the double. */
    float oneMinusRho;
    float eps;
    float negLr;
    float weightDecay;
    int flags;

    AdadeltaKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
        squareAvg = slots[0];
        accDelta = slots[1];
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        Adadelta a = (Adadelta) optimizer;
        rho = (float) a.rho();
        oneMinusRho = (float) (1 - a.rho());
        eps = (float) a.eps();
        negLr = (float) -a.lr();
        weightDecay = (float) a.weightDecay();
        flags = stepFlags() | (a.maximize() ? MAXIMIZE : 0) | (a.weightDecay() != 0 ? WEIGHT_DECAY : 0);
    }

    @Override
    public void run(int pass, long from, long to) {
        AdadeltaLanes.runAnyFormat(this, from, to);
    }
}
