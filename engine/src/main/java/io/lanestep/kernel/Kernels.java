package io.lanestep.kernel;

import io.lanestep.Adadelta;
import io.lanestep.Adafactor;
import io.lanestep.Adagrad;
import io.lanestep.Adam;
import io.lanestep.AdamW;
import io.lanestep.Asgd;
import io.lanestep.Adamax;
import io.lanestep.Adopt;
import io.lanestep.AveragedMomentum;
import io.lanestep.HeavyBallMomentum;
import io.lanestep.Lamb;
import io.lanestep.Lars;
import io.lanestep.Lion;
import io.lanestep.NAdam;
import io.lanestep.Optimizer;
import io.lanestep.RAdam;
import io.lanestep.Rmsprop;
import io.lanestep.Rprop;
import io.lanestep.Sgd;
import io.lanestep.SignalToNoiseSgd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Which kernel steps which optimizer: the switch is exhaustive, so a new optimizer without one does not compile. */
public final class Kernels {
    private Kernels() {
    }

    /**
     * The kernel of a state made for {@code optimizer}: {@code slots} are the loop views of its
     * state slots, {@code scalars} its scalar state; scratch comes from {@code arena}.
     */
    public static Kernel create(Optimizer optimizer, long length, MemorySegment[] slots, float[] scalars,
                                Arena arena) {
        return switch (optimizer) {
            case Sgd o -> new SgdKernel(length, slots, scalars);
            case HeavyBallMomentum o -> new SgdKernel(length, slots, scalars);
            case AveragedMomentum o -> new SgdKernel(length, slots, scalars);
            case Rmsprop o -> new RmspropKernel(length, slots, scalars);
            case Adadelta o -> new AdadeltaKernel(length, slots, scalars);
            case Adafactor o -> new AdafactorKernel(length, slots, scalars);
            case Asgd o -> new AsgdKernel(length, slots, scalars);
            case Adam o -> new AdamKernel(length, slots, scalars);
            case AdamW o -> new AdamKernel(length, slots, scalars);
            case SignalToNoiseSgd o -> new SignalToNoiseKernel(length, slots, scalars);
            case Adagrad o -> new AdagradKernel(length, slots, scalars);
            case Adamax o -> new AdamaxKernel(length, slots, scalars);
            case NAdam o -> new NAdamKernel(length, slots, scalars);
            case RAdam o -> new RAdamKernel(length, slots, scalars);
            case Rprop o -> new RpropKernel(length, slots, scalars);
            case Lion o -> new LionKernel(length, slots, scalars);
            case Adopt o -> new AdoptKernel(length, slots, scalars);
            case Lars o -> new LarsKernel(length, slots, scalars, arena);
            case Lamb o -> new LambKernel(length, slots, scalars, arena);
        };
    }
}
