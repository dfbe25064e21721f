package io.lanestep.kernel;

import static io.lanestep.kernel.Flags.MOMENTUM;
import static io.lanestep.kernel.Flags.WEIGHT_DECAY;

import io.lanestep.Lars;
import io.lanestep.Optimizer;
import io.lanestep.SquareSum;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * LARS in two passes: pass 0 sums the squares of the parameters and the (scaled) gradients per
 * chunk ({@link ChunkNorms}); before pass 1 the caller's thread turns the two norms into the
 * layer's rate {@code lr·trust}, and pass 1 is the SGD loop in its heavy-ball form
 * ({@code v = μv + rate·(g + λp); p = fma(v, -1, p)}).
 */
final class LarsKernel extends SgdKernel {
    private final ChunkNorms norms;
    private Lars lars;

    LarsKernel(long length, MemorySegment[] slots, float[] scalars, Arena arena) {
        super(length, slots, scalars);
        norms = new ChunkNorms(length, arena);
    }

    @Override
    public int passes() {
        return 2;
    }

    @Override
    public void prepare(Optimizer optimizer, long steps) {
        lars = (Lars) optimizer;
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
            double rate = lars.lr() * lars.trustRatio(norms.norm(0), norms.norm(1));
            set(-1f, (float) lars.weightDecay(), (float) lars.momentum(), (float) rate,
                    MOMENTUM | (lars.weightDecay() != 0 ? WEIGHT_DECAY : 0));
        }
    }

    @Override
    public void run(int pass, long from, long to) {
        if (pass == 0) {
            for (long c = from; c < to; c += SquareSums.CHUNK) {
                long end = Math.min(c + SquareSums.CHUNK, to);
                norms.set(c, paramsSquares(c, end), gradsSquares(c, end));
            }
        } else {
            super.run(pass, from, to);
        }
    }
}
