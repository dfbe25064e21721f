package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.NAdam;
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
    /** {@code f(1 - beta2^t)}. */
    float bc2;
    float eps;
    /** The gradient's factor {@code f(-lr·(1 - mu_t) / (1 - mu_product))}. */
    float gradCoef;
    /** The first moment's factor {@code f(-lr·mu_{t+1} / (1 - mu_product·mu_{t+1}))}. */
    float avgCoef;
    float weightDecay;
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
        bc2 = (float) (1 - Math.pow(a.beta2(), t));
        eps = (float) a.eps();
        gradCoef = (float) (-a.lr() * (1 - mu) / (1 - (double) muProduct));
        avgCoef = (float) (-a.lr() * muNext / (1 - (double) muProductNext));
        weightDecay = (float) a.weightDecay();
        flags = clipFlag() | (a.weightDecay() != 0 ? WEIGHT_DECAY : 0);
    }

    @Override
    public void run(int pass, long from, long to) {
        NAdamLanes.run(this, from, to);
    }

    @Override
    public void finish(Optimizer optimizer, long steps) {
        scalars[0] = scalars[0] * (float) ((NAdam) optimizer).mu(steps + 1);
    }
}
