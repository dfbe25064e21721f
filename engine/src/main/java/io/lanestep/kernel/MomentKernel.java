package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;

/**
 * The kernels that keep exponential moving averages with decays {@code beta1} and {@code beta2}
 * (Adam, NAdam, RAdam, LAMB, Lion): the decays and their complements as the loops read them.
 */
abstract class MomentKernel extends Kernel {
    float beta1;
    float oneMinusBeta1;
    float beta2;
    float oneMinusBeta2;

    MomentKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
    }

    /** Sets the decays, each complement computed in double and rounded once, as PyTorch does. */
    final void betas(double b1, double b2) {
        beta1 = (float) b1;
        oneMinusBeta1 = (float) (1 - b1);
        beta2 = (float) b2;
        oneMinusBeta2 = (float) (1 - b2);
    }
}
