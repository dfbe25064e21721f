package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.RECTIFIED;
import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.Optimizer;
import io.lanestep.RAdam;
import java.lang.foreign.MemorySegment;

/** RAdam's per-step scalars; the loop is {@code RAdam.kernel}. */
final class RAdamKernel extends MomentKernel {
    final MemorySegment expAvg;
    final MemorySegment expAvgSq;
    /** {@code f(1 - beta1^t)}. */
    float bc1;
    float lr;
    float eps;
    /** {@code f(sqrt(1 - beta2^t))}. */
    float bc2Sqrt;
    /** The rectification term, used under RECTIFIED (while the variance is tractable). */
    float rect;
    float weightDecay;
    int flags;

    RAdamKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
        expAvg = slots[0];
        expAvgSq = slots[1];
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        RAdam a = (RAdam) optimizer;
        double t = steps + 1;
        double rectification = a.rectification(t);
        boolean rectified = !Double.isNaN(rectification);
        betas(a.beta1(), a.beta2());
        bc1 = (float) (1 - Math.pow(a.beta1(), t));
        lr = (float) a.lr();
        eps = (float) a.eps();
        bc2Sqrt = (float) Math.sqrt(1 - Math.pow(a.beta2(), t));
        rect = rectified ? (float) rectification : 0f;
        weightDecay = (float) a.weightDecay();
        flags = clipFlag() | (a.weightDecay() != 0 ? WEIGHT_DECAY : 0) | (rectified ? RECTIFIED : 0);
    }

    @Override
    public void run(int pass, long from, long to) {
        RAdamLanes.run(this, from, to);
    }
}
