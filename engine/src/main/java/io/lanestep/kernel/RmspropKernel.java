package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.CENTERED;
import static io.lanestep.kernel.Flags.MAXIMIZE;
import static io.lanestep.kernel.Flags.MOMENTUM;
import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.Optimizer;
import io.lanestep.Rmsprop;
import java.lang.foreign.MemorySegment;

/** RMSprop's per-step scalars; the loop is {@code Rmsprop.kernel}. */
final class RmspropKernel extends Kernel {
    MemorySegment squareAvg;
    MemorySegment buffer;
    MemorySegment gradAvg;
    float alpha;
    float oneMinusAlpha;
    float eps;
    float negLr;
    float weightDecay;
    float momentum;
    int flags;

    RmspropKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        Rmsprop r = (Rmsprop) optimizer;
        boolean hasMomentum = r.momentum() > 0;
        // Slots follow Rmsprop.stateKeys(): square_avg, then momentum_buffer and grad_avg when used.
        squareAvg = slots[0];
        buffer = hasMomentum ? slots[1] : MemorySegment.NULL;
        gradAvg = r.centered() ? slots[hasMomentum ? 2 : 1] : MemorySegment.NULL;
        alpha = (float) r.alpha();
        oneMinusAlpha = (float) (1 - r.alpha());
        eps = (float) r.eps();
        negLr = (float) -r.lr();
        weightDecay = (float) r.weightDecay();
        momentum = (float) r.momentum();
        flags = stepFlags() | (r.maximize() ? MAXIMIZE : 0)
                | (r.weightDecay() != 0 ? WEIGHT_DECAY : 0)
                | (hasMomentum ? MOMENTUM : 0)
                | (r.centered() ? CENTERED : 0)
                | Flags.lerp(r.numerics(), oneMinusAlpha);
    }

    @Override
    public void run(int pass, long from, long to) {
        RmspropLanes.runAnyFormat(this, from, to);
    }
}
