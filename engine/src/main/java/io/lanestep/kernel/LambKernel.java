package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.Lamb;
import io.lanestep.Optimizer;
import io.lanestep.SquareSum;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * LAMB in two passes: pass 0 updates the moments and writes the update direction {@code u} into
 * the state's third slot, chunk by chunk so that each chunk's {@code u} is summed while still in
 * cache ({@link ChunkNorms}); before pass 1 the caller's thread computes {@code -lr·trust} from
 * the norms of the parameters and of {@code u}, and pass 1 applies it. The loops are
 * {@code Lamb.kernel}.
 */
final class LambKernel extends MomentKernel {
    final MemorySegment expAvg;
    final MemorySegment expAvgSq;
    final MemorySegment update;
    private final ChunkNorms norms;
    private Lamb lamb;
    /** {@code f(1 / (1 - beta1^t))}. */
    float invBc1;
    /** {@code f(1 / sqrt(1 - beta2^t))}. */
    float invBc2Sqrt;
    float eps;
    float weightDecay;
    int flags;
    /** Pass 1's factor {@code f(-lr·trust)}. */
    float negRate;

    LambKernel(long length, MemorySegment[] slots, float[] scalars, Arena arena) {
        super(length, slots, scalars);
        expAvg = slots[0];
        expAvgSq = slots[1];
        update = slots[2];
        norms = new ChunkNorms(length, arena);
    }

    @Override
    public int passes() {
        return 2;
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        lamb = (Lamb) optimizer;
        double t = steps + 1;
        betas(lamb.beta1(), lamb.beta2());
        invBc1 = (float) (1 / (1 - Math.pow(lamb.beta1(), t)));
        invBc2Sqrt = (float) (1 / Math.sqrt(1 - Math.pow(lamb.beta2(), t)));
        eps = (float) lamb.eps();
        weightDecay = (float) lamb.weightDecay();
        flags = stepFlags() | (lamb.weightDecay() != 0 ? WEIGHT_DECAY : 0);
    }

    @Override
    public SquareSum[] tensorSums() {
        return norms.totals();
    }

    @Override
    public void beforePass(int pass) {
        if (pass == 0) {
            norms.restart();
        } else {
            negRate = (float) (-lamb.lr() * Lamb.trustRatio(norms.norm(0), norms.norm(1)));
        }
    }

    @Override
    public void run(int pass, long from, long to) {
        if (pass == 1) {
            LambLanes.apply(this, from, to);
            return;
        }
        for (long c = from; c < to; c += SquareSums.CHUNK) {
            long end = Math.min(c + SquareSums.CHUNK, to);
            LambLanes.run(this, c, end);
            norms.set(c, paramsSquares(c, end), SquareSums.of(bits, update, null, 0, c, end, 1f));
        }
    }
}
