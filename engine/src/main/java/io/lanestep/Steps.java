package io.lanestep;

import static io.lanestep.kernel.Kernels.FIRST_STEP;
import static io.lanestep.kernel.Kernels.MAXIMIZE;
import static io.lanestep.kernel.Kernels.MOMENTUM;
import static io.lanestep.kernel.Kernels.NESTEROV;
import static io.lanestep.kernel.Kernels.WEIGHT_DECAY;

import io.lanestep.kernel.Kernels;
import java.lang.foreign.MemorySegment;

/**
 * Turns a validated configuration into one kernel call: per-step scalars are computed here once,
 * in double, and rounded to float once, as PyTorch does.
 */
final class Steps {
    private Steps() {
    }

    static void apply(Kernels kernels, Optimizer optimizer, OptimizerState state, MemorySegment params,
                      MemorySegment grads) {
        long n = state.length();
        switch (optimizer) {
            case Sgd s -> {
                boolean hasMomentum = s.momentum() != 0;
                int flags = (s.maximize() ? MAXIMIZE : 0)
                        | (s.weightDecay() != 0 ? WEIGHT_DECAY : 0)
                        | (hasMomentum ? MOMENTUM : 0)
                        | (hasMomentum && state.step() == 0 ? FIRST_STEP : 0)
                        | (s.nesterov() ? NESTEROV : 0);
                kernels.sgd(params, grads, hasMomentum ? state.slot(0) : MemorySegment.NULL, 0, n,
                        (float) -s.lr(), (float) s.weightDecay(), (float) s.momentum(), (float) (1 - s.dampening()),
                        flags);
            }
            case HeavyBallMomentum h ->
                // p - v is exactly fma(v, -1, p), so the SGD kernel serves with a factor of -1.
                    kernels.sgd(params, grads, state.slot(0), 0, n, -1f, 0f, (float) h.momentum(), (float) h.lr(),
                            MOMENTUM);
            case AveragedMomentum a -> kernels.sgd(params, grads, state.slot(0), 0, n, (float) -a.lr(), 0f,
                    (float) a.momentum(), (float) (1 - a.momentum()), MOMENTUM);
        }
        state.advance();
    }
}
