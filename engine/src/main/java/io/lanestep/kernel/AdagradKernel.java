package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.MAXIMIZE;
import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.Adagrad;
import io.lanestep.Numerics;
import io.lanestep.Optimizer;
import java.lang.foreign.MemorySegment;

/** Adagrad's per-step scalars; the loop is {@code Adagrad.kernel}. */
final class AdagradKernel extends Kernel {
    final MemorySegment sum;
    /** {@code f(-lr / (1 + (t - 1)·lrDecay))}. */
    float negClr;
    float eps;
    float weightDecay;
    /**
     * torch 2.x's fused kernel on bf16/fp16 parameters uses {@code -clr}, {@code eps} and
     * {@code weightDecay} rounded to the parameters' format in the lanes of its vector loop (the
     * first {@code n - n mod 16} elements) and float32 in its scalar tail: under FUSED_TAIL the
     * ranges are split at {@link #fusedFrom}, each with its own constants.
     */
    float roundedNegClr;
    float roundedEps;
    float roundedWeightDecay;
    int flags;

    AdagradKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
        sum = slots[0];
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        Adagrad a = (Adagrad) optimizer;
        double t = steps + 1;
        negClr = (float) -(a.lr() / (1 + (t - 1) * a.lrDecay()));
        eps = (float) a.eps();
        weightDecay = (float) a.weightDecay();
        flags = stepFlags() | (a.maximize() ? MAXIMIZE : 0) | (a.weightDecay() != 0 ? WEIGHT_DECAY : 0);
        if (a.numerics() == Numerics.TORCH_2_FUSED && paramsFormat != Halves.FP32) {
            flags |= Flags.FUSED_TAIL;
            // c10's 16-bit types are made from a float: the double rounds to float first.
            roundedNegClr = -Halves.round((float) (a.lr() / (1 + (t - 1) * a.lrDecay())), paramsFormat);
            roundedEps = Halves.round(eps, paramsFormat);
            roundedWeightDecay = Halves.round(weightDecay, paramsFormat);
        }
    }

    @Override
    public void run(int pass, long from, long to) {
        if (stateFormat == Halves.Q8) {
            Q8Scratch.steps(this, from, to, AdagradLanes::runQ8, AdagradKernel::runQ8Half);
        } else if ((flags & Flags.FUSED_TAIL) != 0 && from < fusedFrom && to > fusedFrom) {
            AdagradLanes.runHalf(this, from, fusedFrom);
            AdagradLanes.runHalf(this, fusedFrom, to);
        } else if (lowPrecision) {
            AdagradLanes.runHalf(this, from, to);
        } else {
            AdagradLanes.run(this, from, to);
        }
    }

    /** A block of 8-bit state on 16-bit params: split at {@link #fusedFrom} as {@link #run} splits. */
    private static void runQ8Half(AdagradKernel k, long from, long to) {
        if ((k.flags & Flags.FUSED_TAIL) != 0 && from < k.fusedFrom && to > k.fusedFrom) {
            AdagradLanes.runQ8Half(k, from, k.fusedFrom);
            AdagradLanes.runQ8Half(k, k.fusedFrom, to);
        } else {
            AdagradLanes.runQ8Half(k, from, to);
        }
    }
}
