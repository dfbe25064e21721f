package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.MAXIMIZE;
import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.Adamax;
import io.lanestep.Optimizer;
import java.lang.foreign.MemorySegment;

/** Adamax's per-step scalars; the loop is {@code Adamax.kernel}. */
final class AdamaxKernel extends Kernel {
    final MemorySegment expAvg;
    final MemorySegment expInf;
    float beta1;
    float oneMinusBeta1;
    float beta2;
    float eps;
    /** {@code f(-(lr / (1 - beta1^t)))}. */
    float negStepSize;
    float weightDecay;
    int flags;

    AdamaxKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
        expAvg = slots[0];
        expInf = slots[1];
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        Adamax a = (Adamax) optimizer;
        double t = steps + 1;
        beta1 = (float) a.beta1();
        oneMinusBeta1 = (float) (1 - a.beta1());
        beta2 = (float) a.beta2();
        eps = (float) a.eps();
        negStepSize = (float) -(a.lr() / (1 - Math.pow(a.beta1(), t)));
        weightDecay = (float) a.weightDecay();
        flags = stepFlags() | (a.maximize() ? MAXIMIZE : 0) | (a.weightDecay() != 0 ? WEIGHT_DECAY : 0)
                | Flags.lerp(a.numerics(), oneMinusBeta1);
    }

    @Override
    public void run(int pass, long from, long to) {
        AdamaxLanes.runAnyFormat(this, from, to);
    }
}
