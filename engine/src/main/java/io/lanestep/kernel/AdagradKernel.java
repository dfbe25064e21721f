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
            Q8Scratch.steps(this, from, to, AdagradLanes::runQ8,
                    (k, a, b) -> splitAtFusedFrom(k, a, b, AdagradLanes::runQ8Half));
        } else if (lowPrecision) {
            splitAtFusedFrom(this, from, to, AdagradLanes::runHalf);
        } else {
            AdagradLanes.run(this, from, to);
        }
    }

    /** Runs {@code loop} over {@code [from, to)}, in two ranges under FUSED_TAIL when it spans {@link #fusedFrom}. */
    private static void splitAtFusedFrom(AdagradKernel k, long from, long to, Q8Scratch.Loop<AdagradKernel> loop) {
        if ((k.flags & Flags.FUSED_TAIL) != 0 && from < k.fusedFrom && to > k.fusedFrom) {
            loop.run(k, from, k.fusedFrom);
            loop.run(k, k.fusedFrom, to);
        } else {
            loop.run(k, from, to);
        }
    }
}
