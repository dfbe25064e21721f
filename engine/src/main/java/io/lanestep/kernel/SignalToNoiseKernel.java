package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.WARMUP;

import io.lanestep.Optimizer;
import io.lanestep.SignalToNoiseSgd;
import java.lang.foreign.MemorySegment;

/** The seed's signal-to-noise SGD's per-step scalars; the loop is {@code SignalToNoise.kernel}. */
final class SignalToNoiseKernel extends Kernel {
    final MemorySegment mean;
    final MemorySegment sqMean;
    float batchSize;
    float lambdaB;
    float lambdaEta;
    float eps;
    /** {@code f(λ_η λ_B / B)}. */
    float maxRate;
    /** The averaging weight during warm-up. */
    float warmupWeight;
    /** The largest averaging weight after warm-up. */
    float maxWeight;
    int flags;

    SignalToNoiseKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
        mean = slots[0];
        sqMean = slots[1];
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        SignalToNoiseSgd s = (SignalToNoiseSgd) optimizer;
        long t = steps + 1;
        batchSize = (float) s.batchSize();
        lambdaB = (float) s.lambdaB();
        lambdaEta = (float) s.lambdaEta();
        eps = (float) s.eps();
        maxRate = (float) s.maxRate();
        warmupWeight = (float) s.warmupWeight(t);
        maxWeight = (float) SignalToNoiseSgd.MAX_AVERAGING_WEIGHT;
        flags = stepFlags() | (t <= s.warmupSteps() ? WARMUP : 0);
    }

    @Override
    public void run(int pass, long from, long to) {
        SignalToNoiseLanes.runAnyFormat(this, from, to);
    }
}
