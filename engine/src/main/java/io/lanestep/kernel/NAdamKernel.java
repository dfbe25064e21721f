package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.DECOUPLED_DECAY;
import static io.lanestep.kernel.Flags.FOREACH;
import static io.lanestep.kernel.Flags.MAXIMIZE;
import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.NAdam;
import io.lanestep.Numerics;
import io.lanestep.Optimizer;
import java.lang.foreign.MemorySegment;

/**
 * NAdam's per-step scalars and its scalar state, the momentum product {@code mu_product}: read
 * by {@link #prepare} for the step's two factors, advanced once per block by {@link #finish}. The
 * loop is {@code NAdam.kernel}.
 */
final class NAdamKernel extends MomentKernel {
    final MemorySegment expAvg;
    final MemorySegment expAvgSq;
    /** {@code f(1 - beta2^t)}; on the foreach path {@code f(sqrt(1 - beta2^t))}. */
    float bc2;
    float eps;
    /** The gradient's factor {@code f(-lr·(1 - mu_t) / (1 - mu_product))}. */
    float gradCoef;
    /** The first moment's factor {@code f(-lr·mu_{t+1} / (1 - mu_product·mu_{t+1}))}. */
    float avgCoef;
    float weightDecay;
    /** {@code f(1 - lr·weightDecay)}, for decoupled decay. */
    float decayFactor;
    int flags;

    NAdamKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
        expAvg = slots[0];
        expAvgSq = slots[1];
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        NAdam a = (NAdam) optimizer;
        double t = steps + 1;
        double mu = a.mu(t);
        double muNext = a.mu(t + 1);
        float muProduct = scalars[0] * (float) mu;
        float muProductNext = muProduct * (float) muNext;
        betas(a.beta1(), a.beta2());
        double bias2 = 1 - Math.pow(a.beta2(), t);
        boolean foreach = a.numerics() == Numerics.TORCH_2_FOREACH;
        bc2 = (float) (foreach ? Math.sqrt(bias2) : bias2);
        eps = (float) a.eps();
        gradCoef = (float) (-a.lr() * (1 - mu) / (1 - (double) muProduct));
        // torch 2.x takes 1 - mu_product·mu_next in double; the 1.13 profile rounds the product first.
        avgCoef = (float) (a.numerics().torch2() ? -a.lr() * muNext / (1 - (double) muProduct * muNext)
                : -a.lr() * muNext / (1 - (double) muProductNext));
        boolean decoupled = a.decoupledWeightDecay() && a.weightDecay() != 0;
        weightDecay = (float) a.weightDecay();
        decayFactor = (float) (1 - a.lr() * a.weightDecay());
        flags = stepFlags() | (a.weightDecay() != 0 && !decoupled ? WEIGHT_DECAY : 0)
                | (decoupled ? DECOUPLED_DECAY : 0) | (a.maximize() ? MAXIMIZE : 0)
                | (foreach ? FOREACH : 0) | Flags.lerp(a.numerics(), oneMinusBeta1);
    }

    @Override
    public void run(int pass, long from, long to) {
        NAdamLanes.runAnyFormat(this, from, to);
    }

    @Override
    public void finish(Optimizer optimizer, long steps) {
        scalars[0] = scalars[0] * (float) ((NAdam) optimizer).mu(steps + 1);
    }
}
