package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.FIRST_STEP;
import static io.lanestep.kernel.Flags.FUSED_TAIL;
import static io.lanestep.kernel.Flags.MAXIMIZE;
import static io.lanestep.kernel.Flags.MOMENTUM;
import static io.lanestep.kernel.Flags.NESTEROV;
import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.AveragedMomentum;
import io.lanestep.HeavyBallMomentum;
import io.lanestep.Numerics;
import io.lanestep.Optimizer;
import io.lanestep.Sgd;
import java.lang.foreign.MemorySegment;

/**
 * PyTorch SGD and the seed's two momentum forms, one loop ({@code Sgd.kernel}): the direction
 * {@code d} (gradient, decay, momentum buffer) and then {@code p = fma(d, negLr, p)}. The seed's
 * forms fit it by their factors: heavy-ball {@code v = μv + ηg; p -= v} has {@code negLr = -1},
 * {@code keep = η} ({@code p - v} is exactly {@code fma(v, -1, p)}); averaged momentum has
 * {@code keep = 1 - μ}.
 */
class SgdKernel extends Kernel {
    /** The factor of the direction in {@code p = fma(d, negLr, p)}. */
    float negLr;
    float weightDecay;
    float momentum;
    /** The gradient's factor in the buffer: {@code f(1 - dampening)}, or η, or {@code 1 - μ}. */
    float keep;
    int flags;

    SgdKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
    }

    MemorySegment buffer() {
        return slots.length == 0 ? MemorySegment.NULL : slots[0];
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        switch (optimizer) {
            case Sgd s -> {
                boolean hasMomentum = s.momentum() != 0;
                set((float) -s.lr(), (float) s.weightDecay(), (float) s.momentum(), (float) (1 - s.dampening()),
                        (s.maximize() ? MAXIMIZE : 0)
                                | (s.weightDecay() != 0 ? WEIGHT_DECAY : 0)
                                | (hasMomentum ? MOMENTUM : 0)
                                | (hasMomentum && steps == 0 ? FIRST_STEP : 0)
                                | (s.nesterov() ? NESTEROV : 0)
                                | (s.numerics() == Numerics.TORCH_2_FUSED ? FUSED_TAIL : 0));
            }
            case HeavyBallMomentum h -> set(-1f, 0f, (float) h.momentum(), (float) h.lr(), MOMENTUM);
            case AveragedMomentum a -> set((float) -a.lr(), 0f, (float) a.momentum(), (float) (1 - a.momentum()),
                    MOMENTUM);
            default -> throw new IllegalArgumentException(optimizer + " is not of the SGD family");
        }
    }

    final void set(float negLr, float weightDecay, float momentum, float keep, int flags) {
        this.negLr = negLr;
        this.weightDecay = weightDecay;
        this.momentum = momentum;
        this.keep = keep;
        this.flags = flags | stepFlags();
    }

    @Override
    public void run(int pass, long from, long to) {
        if ((flags & FIRST_STEP) != 0) {
            SgdLanes.runFirstStepAnyFormat(this, from, to);
        } else {
            SgdLanes.runAnyFormat(this, from, to);
        }
    }
}
