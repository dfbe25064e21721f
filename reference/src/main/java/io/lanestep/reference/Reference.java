package io.lanestep.reference;

import io.lanestep.AdEMAMix;
import io.lanestep.Adadelta;
import io.lanestep.Adafactor;
import io.lanestep.Adagrad;
import io.lanestep.Adam;
import io.lanestep.AdamW;
import io.lanestep.AdamWLegacy;
import io.lanestep.Adamax;
import io.lanestep.Adan;
import io.lanestep.Adopt;
import io.lanestep.Asgd;
import io.lanestep.AveragedMomentum;
import io.lanestep.HeavyBallMomentum;
import io.lanestep.LaProp;
import io.lanestep.Lamb;
import io.lanestep.Lars;
import io.lanestep.Lion;
import io.lanestep.Mars;
import io.lanestep.Muon;
import io.lanestep.NAdam;
import io.lanestep.Optimizer;
import io.lanestep.Prodigy;
import io.lanestep.RAdam;
import io.lanestep.Rmsprop;
import io.lanestep.Rprop;
import io.lanestep.ScheduleFreeAdamW;
import io.lanestep.ScheduleFreeSgd;
import io.lanestep.Sgd;
import io.lanestep.SignalToNoiseSgd;
import io.lanestep.SimplifiedAdEMAMix;

/**
 * One reference step of any optimizer: the oracle the engine's kernels are held to. Each
 * optimizer's class holds every profile it has (torch 1.13.1, torch 2.x single-tensor, foreach
 * and fused) and picks by its numerics.
 */
public final class Reference {
    private Reference() {
    }

    /** Updates {@code params} and {@code state} in place from {@code grads}. */
    public static void step(Optimizer optimizer, float[] params, float[] grads, ReferenceState state) {
        if (params.length != grads.length) {
            throw new IllegalArgumentException("params and grads differ in length");
        }
        switch (optimizer) {
            case Sgd s -> SgdReference.step(s, params, grads, state);
            case HeavyBallMomentum h -> HeavyBallReference.step(h, params, grads, state.slot(HeavyBallMomentum.VELOCITY));
            case AveragedMomentum a -> AveragedMomentumReference.step(a, params, grads,
                    state.slot(AveragedMomentum.AVERAGE));
            case Rmsprop r -> RmspropReference.step(r, params, grads, state);
            case Adam a -> AdamReference.step(a, params, grads, state);
            case AdamW a -> AdamReference.step(a, params, grads, state);
            case SignalToNoiseSgd s -> SignalToNoiseReference.step(s, params, grads,
                    state.slot(SignalToNoiseSgd.GRAD_MEAN), state.slot(SignalToNoiseSgd.GRAD_SQ_MEAN), state.step() + 1);
            case Adagrad a -> AdagradReference.step(a, params, grads, state.slot(Adagrad.SUM), state.step() + 1);
            case Adamax a -> AdamaxReference.step(a, params, grads, state);
            case NAdam a -> NAdamReference.step(a, params, grads, state);
            case RAdam a -> RAdamReference.step(a, params, grads, state);
            case Adopt a -> AdoptReference.step(a, params, grads, state);
            case Adan a -> AdanReference.step(a, params, grads, state);
            case LaProp a -> LaPropReference.step(a, params, grads, state);
            case Mars a -> MarsReference.step(a, params, grads, state);
            case Prodigy a -> ProdigyReference.step(a, params, grads, state);
            case Muon a -> MuonReference.step(a, params, grads, state);
            case ScheduleFreeAdamW a -> ScheduleFreeReference.step(a, params, grads, state);
            case ScheduleFreeSgd s -> ScheduleFreeReference.step(s, params, grads, state);
            case AdamWLegacy a -> AdamWLegacyReference.step(a, params, grads, state);
            case AdEMAMix a -> AdEMAMixReference.step(a, params, grads, state);
            case SimplifiedAdEMAMix a -> AdEMAMixReference.step(a, params, grads, state);
            case Lion l -> LionReference.step(l, params, grads, state.slot(Adam.EXP_AVG));
            case Lars l -> LarsReference.step(l, params, grads, state.slot(Sgd.MOMENTUM_BUFFER));
            case Lamb l -> LambReference.step(l, params, grads, state.slot(Adam.EXP_AVG), state.slot(Adam.EXP_AVG_SQ),
                    state.slot(Lamb.UPDATE), state.step() + 1);
            case Rprop r -> RpropReference.step(r, params, grads, state.slot(Rprop.PREV), state.slot(Rprop.STEP_SIZE));
            case Adadelta a -> AdadeltaReference.step(a, params, grads, state);
            case Asgd a -> AsgdReference.step(a, params, grads, state, state.step() + 1);
            case Adafactor a -> {
                AdafactorReference.step(a, params, grads, state, 1, params.length);
                return;
            }
        }
        state.advance();
    }
}
