package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.DECOUPLED_DECAY;
import static io.lanestep.kernel.Flags.FOREACH;
import static io.lanestep.kernel.Flags.MAXIMIZE;
import static io.lanestep.kernel.Flags.RECTIFIED;
import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.Numerics;
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
    /** {@code f(1 - lr·weightDecay)}, for decoupled decay. */
    float decayFactor;
    /** torch 2.x foreach: {@code f(-(sqrt(bc2)·(lr·R/bc1)))}, -0 when the step is not rectified. */
    float foreachScale;
    /** torch 2.x foreach: {@code f(-(lr·U/bc1))}, the unrectified step's factor (0 when rectified). */
    float foreachUnrect;
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
        decayFactor = (float) (1 - a.lr() * a.weightDecay());
        double bias1 = 1 - Math.pow(a.beta1(), t);
        double r = rectified ? rectification : 0;
        double u = r > 0 ? 0 : 1.0;
        foreachUnrect = (float) ((a.lr() * u / bias1) * -1);
        foreachScale = (float) (Math.sqrt(1 - Math.pow(a.beta2(), t)) * (a.lr() * r / bias1) * -1);
        boolean decoupled = a.decoupledWeightDecay() && a.weightDecay() != 0;
        flags = stepFlags() | (a.weightDecay() != 0 && !decoupled ? WEIGHT_DECAY : 0) | (rectified ? RECTIFIED : 0)
                | (decoupled ? DECOUPLED_DECAY : 0) | (a.maximize() ? MAXIMIZE : 0)
                | (a.numerics() == Numerics.TORCH_2_FOREACH ? FOREACH : 0) | Flags.lerp(a.numerics(), oneMinusBeta1);
    }

    @Override
    public void run(int pass, long from, long to) {
        RAdamLanes.runAnyFormat(this, from, to);
    }
}
