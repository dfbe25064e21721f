package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.COPY_AVERAGE;
import static io.lanestep.kernel.Flags.FOREACH;
import static io.lanestep.kernel.Flags.MAXIMIZE;
import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.Asgd;
import io.lanestep.Numerics;
import io.lanestep.Optimizer;
import java.lang.foreign.MemorySegment;

/**
 * ASGD's per-step scalars from its scalar state {@code eta} and {@code mu} (the previous step's),
 * which {@link #finish} advances once per block; the loop is {@code Asgd.kernel}.
 */
final class AsgdKernel extends Kernel {
    final MemorySegment ax;
    /** {@code f(1 - lambd·eta)}, the single path's decay of the parameter. */
    float decayFactor;
    float eta;
    float mu;
    float lambd;
    float weightDecay;
    int flags;

    AsgdKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
        ax = slots[0];
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        Asgd a = (Asgd) optimizer;
        eta = scalars[0];
        mu = scalars[1];
        decayFactor = (float) (1 - a.lambd() * (double) eta);
        lambd = (float) a.lambd();
        weightDecay = (float) a.weightDecay();
        boolean foreach = a.numerics() == Numerics.TORCH_2_FOREACH;
        flags = stepFlags() | (a.maximize() ? MAXIMIZE : 0) | (a.weightDecay() != 0 ? WEIGHT_DECAY : 0)
                | (foreach ? FOREACH : 0) | (!foreach && mu == 1f ? COPY_AVERAGE : 0);
    }

    @Override
    public void run(int pass, long from, long to) {
        AsgdLanes.runAnyFormat(this, from, to);
    }

    @Override
    public void finish(Optimizer optimizer, long steps) {
        Asgd a = (Asgd) optimizer;
        scalars[0] = a.nextEta(steps + 1);
        scalars[1] = a.nextMu(steps + 1);
    }
}
