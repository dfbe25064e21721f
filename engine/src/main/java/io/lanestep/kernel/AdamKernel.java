package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.AMSGRAD;
import static io.lanestep.kernel.Flags.DECOUPLED_DECAY;
import static io.lanestep.kernel.Flags.MAXIMIZE;
import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.Adam;
import io.lanestep.AdamW;
import io.lanestep.Numerics;
import io.lanestep.Optimizer;
import java.lang.foreign.MemorySegment;

/**
 * Adam and AdamW (decoupled decay multiplies the parameter first): per-step scalars computed in
 * double and rounded once, as PyTorch does. The loop is {@code Adam.kernel}.
 */
final class AdamKernel extends MomentKernel {
    final MemorySegment expAvg;
    final MemorySegment expAvgSq;
    final MemorySegment maxSq;
    /** {@code f(sqrt(1 - beta2^t))}. */
    float bc2Sqrt;
    float eps;
    /** {@code f(-(lr / (1 - beta1^t)))}. */
    float negStepSize;
    float weightDecay;
    /** {@code f(1 - lr·weightDecay)}, AdamW's. */
    float decayFactor;
    int flags;

    AdamKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
        expAvg = slots[0];
        expAvgSq = slots[1];
        maxSq = slots.length > 2 ? slots[2] : MemorySegment.NULL;
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        switch (optimizer) {
            case Adam a -> {
                set(a.lr(), a.beta1(), a.beta2(), a.eps(), a.amsgrad(), steps, (float) a.weightDecay(), 1f,
                        (a.maximize() ? MAXIMIZE : 0) | (a.weightDecay() != 0 ? WEIGHT_DECAY : 0), a.numerics());
                if (a.epsilonHat()) {
                    // The second correction moves into the step size; dividing by 1 is exact, so the loop is the same.
                    double t = steps + 1;
                    negStepSize = (float) (-(a.lr() * Math.sqrt(1 - Math.pow(a.beta2(), t)) / (1 - Math.pow(a.beta1(), t))));
                    bc2Sqrt = 1f;
                }
            }
            case AdamW a -> set(a.lr(), a.beta1(), a.beta2(), a.eps(), a.amsgrad(), steps, 0f,
                    (float) (1 - a.lr() * a.weightDecay()), (a.maximize() ? MAXIMIZE : 0) | DECOUPLED_DECAY,
                    a.numerics());
            default -> throw new IllegalArgumentException(optimizer + " is not Adam or AdamW");
        }
    }

    private void set(double lr, double b1, double b2, double epsilon, boolean amsgrad, long steps, float decay,
                     float factor, int optionFlags, Numerics numerics) {
        double t = steps + 1;
        double bc1 = 1 - Math.pow(b1, t);
        double bc2 = 1 - Math.pow(b2, t);
        betas(b1, b2);
        bc2Sqrt = (float) Math.sqrt(bc2);
        eps = (float) epsilon;
        negStepSize = (float) (-(lr / bc1));
        weightDecay = decay;
        decayFactor = factor;
        flags = optionFlags | stepFlags() | (amsgrad ? AMSGRAD : 0)
                | Flags.lerp(numerics, oneMinusBeta1)
                | (numerics == Numerics.TORCH_2_FUSED ? Flags.FUSED_TAIL : 0);
    }

    @Override
    public void run(int pass, long from, long to) {
        AdamLanes.runAnyFormat(this, from, to);
    }
}
