package io.lanestep.kernel;

import static io.lanestep.kernel.Lanes.F;

import java.lang.foreign.MemorySegment;

/**
 * torch's 8-lane CPU reductions on float32, in their order (used by Adafactor, whose norms and
 * means torch 2.x takes with them): {@link SumOfSquares} is the accumulator of {@code norm(x)},
 * {@link #sum} is {@code torch.sum}'s cascade. Both are sequential by definition: the order is
 * part of the result.
 */
final class TorchReductions {
    private TorchReductions() {
    }

    /**
     * torch's vectorised L2-norm accumulator over {@code L} values fed one at a time: 8 lane sums
     * over whole blocks of 8 (no fma), added left to right, then 4 more plain products when at
     * least 4 remain, then fma for the rest.
     */
    static final class SumOfSquares {
        private final float[] acc = new float[8];
        private long count;
        private long blocks;
        private long rest;
        private float sum;

        void reset(long length) {
            java.util.Arrays.fill(acc, 0f);
            count = 0;
            blocks = length - length % 8;
            rest = length % 8;
            sum = 0f;
        }

        void add(float x) {
            if (count < blocks) {
                int lane = (int) (count & 7);
                acc[lane] = acc[lane] + x * x;
            } else {
                if (count == blocks) {
                    sum = lanes();
                }
                sum = rest >= 4 && count < blocks + 4 ? sum + x * x : Math.fma(x, x, sum);
            }
            count++;
        }

        float result() {
            return count > blocks ? sum : lanes();
        }

        private float lanes() {
            float b = acc[0];
            for (int l = 1; l < 8; l++) {
                b = b + acc[l];
            }
            return b;
        }
    }

    /**
     * {@code torch.sum} of {@code length} contiguous floats: with 8 or more, lane-wise sums of the
     * 8-float vectors (their {@link #rowSum}), then the leftover floats, then the 8 lanes; fewer
     * than 8 are one row sum. Exact as torch's cascade while the vectors number fewer than 64.
     */
    static float sum(MemorySegment x, long length, float[] scratch) {
        if (length < 8) {
            float[] p = scratch;
            rowSum(x, 0, length, 1, p, 0);
            return 0f + (((p[0] + p[1]) + p[2]) + p[3]);
        }
        long vectors = length / 8;
        for (int lane = 0; lane < 8; lane++) {
            rowSum(x, lane, vectors, 8, scratch, 4 * lane);
        }
        float s = 0f;
        for (long k = 8 * vectors; k < length; k++) {
            s = s + x.getAtIndex(F, k);
        }
        for (int lane = 0; lane < 8; lane++) {
            int q = 4 * lane;
            s = s + (((scratch[q] + scratch[q + 1]) + scratch[q + 2]) + scratch[q + 3]);
        }
        return 0f + s;
    }

    /**
     * torch's row sum of {@code n} values {@code e[k] = x[first + k·stride]}: four partial sums
     * {@code P[c] = 0 + e[c] + e[4+c] + ...}, the leftover values added to {@code P[0]}; into
     * {@code p[at .. at+3]}.
     */
    private static void rowSum(MemorySegment x, long first, long n, long stride, float[] p, int at) {
        long q = n / 4;
        for (int c = 0; c < 4; c++) {
            float s = 0f;
            for (long k = 0; k < q; k++) {
                s = s + x.getAtIndex(F, first + (4 * k + c) * stride);
            }
            p[at + c] = s;
        }
        for (long k = 4 * q; k < n; k++) {
            p[at] = p[at] + x.getAtIndex(F, first + k * stride);
        }
    }
}
