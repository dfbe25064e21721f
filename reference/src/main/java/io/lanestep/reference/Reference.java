package io.lanestep.reference;

import io.lanestep.AveragedMomentum;
import io.lanestep.HeavyBallMomentum;
import io.lanestep.Optimizer;
import io.lanestep.Sgd;

/** One reference step of any optimizer: the oracle the engine's kernels are held to. */
public final class Reference {
    private Reference() {
    }

    /** Updates {@code params} and {@code state} in place from {@code grads}. */
    public static void step(Optimizer optimizer, float[] params, float[] grads, ReferenceState state) {
        if (params.length != grads.length) {
            throw new IllegalArgumentException("params and grads differ in length");
        }
        switch (optimizer) {
            case Sgd s -> SgdReference.step(s, params, grads,
                    s.momentum() == 0 ? null : state.slot(Sgd.MOMENTUM_BUFFER), state.step() == 0);
            case HeavyBallMomentum h -> HeavyBallReference.step(h, params, grads, state.slot(HeavyBallMomentum.VELOCITY));
            case AveragedMomentum a -> AveragedMomentumReference.step(a, params, grads,
                    state.slot(AveragedMomentum.AVERAGE));
        }
        state.advance();
    }
}
