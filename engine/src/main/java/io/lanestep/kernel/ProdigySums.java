package io.lanestep.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Prodigy's two sums over a block longer than one window, in XLA's float32 order
 * ({@code io.lanestep.Prodigy}): windows of {@link #WINDOW} elements from a centred start, each
 * summed in order from 0, then the window sums in order. Pass 0 sums the windows as it moves
 * {@code s} ({@code Prodigy.kernel}): the terms of {@link #GROUP} consecutive windows go to the
 * thread's scratch, one window after another, and {@link #add} turns each 8 x 8 block of them
 * around in registers, so that lane {@code j} adds window {@code j}'s terms one by one, as the
 * window alone would (a gather from the scratch takes twice as long). The calling thread
 * then adds the window sums in order ({@link #totals}).
 */
final class ProdigySums {
    static final int WINDOW = 32;
    /** Windows summed at once, one per lane of {@link #S}. */
    static final int GROUP = 8;
    /** Elements of a group: the scratch holds the group's terms of {@code A}, then those of {@code D}. */
    static final int SPAN = GROUP * WINDOW;
    /** The width of the transpose, whatever the kernel's: each lane's sum is its window's at every width. */
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    /**
     * Lane indexes into two vectors (0-7 the first, 8-15 the second) for the transpose's three
     * rounds: round {@code r} interleaves blocks of {@code 2^r} lanes from each, the low halves
     * ({@code LOW}) or the high ones ({@code HIGH}).
     */
    private static final FloatVector LOW1 = interleave(1, false);
    private static final FloatVector HIGH1 = interleave(1, true);
    private static final FloatVector LOW2 = interleave(2, false);
    private static final FloatVector HIGH2 = interleave(2, true);
    private static final FloatVector LOW4 = interleave(4, false);
    private static final FloatVector HIGH4 = interleave(4, true);
    private static final ThreadLocal<float[]> TERMS = ThreadLocal.withInitial(() -> new float[2 * SPAN]);

    private ProdigySums() {
    }

    private static FloatVector interleave(int block, boolean high) {
        int lanes = S.length();
        float[] index = new float[lanes];
        int at = 0;
        for (int b = high ? lanes / (2 * block) : 0, n = 0; n < lanes / (2 * block); b++, n++) {
            for (int q = 0; q < block; q++) {
                index[at++] = b * block + q;
            }
            for (int q = 0; q < block; q++) {
                index[at++] = lanes + b * block + q;
            }
        }
        return FloatVector.fromArray(S, index, 0);
    }

    /** This thread's scratch for one group's terms. */
    static float[] scratch() {
        return TERMS.get();
    }

    /**
     * The sums of windows {@code [w, w + GROUP)} from their terms in {@code t}, into the kernel's
     * window sums: per sum, each 8 x 8 block (row {@code j} in window {@code j}) transposed, then
     * its columns added in order. One method, so that no vector is passed to a call C2 may leave
     * uninlined (such a vector is boxed: 72 bytes a block).
     */
    static void add(ProdigyKernel k, float[] t, long w) {
        for (int sum = 0; sum < 2; sum++) {
            FloatVector acc = FloatVector.zero(S);
            for (int from = sum * SPAN; from < sum * SPAN + WINDOW; from += GROUP) {
                FloatVector r0 = FloatVector.fromArray(S, t, from);
                FloatVector r1 = FloatVector.fromArray(S, t, from + WINDOW);
                FloatVector r2 = FloatVector.fromArray(S, t, from + 2 * WINDOW);
                FloatVector r3 = FloatVector.fromArray(S, t, from + 3 * WINDOW);
                FloatVector r4 = FloatVector.fromArray(S, t, from + 4 * WINDOW);
                FloatVector r5 = FloatVector.fromArray(S, t, from + 5 * WINDOW);
                FloatVector r6 = FloatVector.fromArray(S, t, from + 6 * WINDOW);
                FloatVector r7 = FloatVector.fromArray(S, t, from + 7 * WINDOW);
                FloatVector low01 = LOW1.selectFrom(r0, r1);
                FloatVector high01 = HIGH1.selectFrom(r0, r1);
                FloatVector low23 = LOW1.selectFrom(r2, r3);
                FloatVector high23 = HIGH1.selectFrom(r2, r3);
                FloatVector low45 = LOW1.selectFrom(r4, r5);
                FloatVector high45 = HIGH1.selectFrom(r4, r5);
                FloatVector low67 = LOW1.selectFrom(r6, r7);
                FloatVector high67 = HIGH1.selectFrom(r6, r7);
                // Columns 0-1 | 2-3 | 4-5 | 6-7 of rows 0-3, then of rows 4-7.
                FloatVector c01a = LOW2.selectFrom(low01, low23);
                FloatVector c23a = HIGH2.selectFrom(low01, low23);
                FloatVector c45a = LOW2.selectFrom(high01, high23);
                FloatVector c67a = HIGH2.selectFrom(high01, high23);
                FloatVector c01b = LOW2.selectFrom(low45, low67);
                FloatVector c23b = HIGH2.selectFrom(low45, low67);
                FloatVector c45b = LOW2.selectFrom(high45, high67);
                FloatVector c67b = HIGH2.selectFrom(high45, high67);
                acc = acc.add(LOW4.selectFrom(c01a, c01b)).add(HIGH4.selectFrom(c01a, c01b))
                        .add(LOW4.selectFrom(c23a, c23b)).add(HIGH4.selectFrom(c23a, c23b))
                        .add(LOW4.selectFrom(c45a, c45b)).add(HIGH4.selectFrom(c45a, c45b))
                        .add(LOW4.selectFrom(c67a, c67b)).add(HIGH4.selectFrom(c67a, c67b));
            }
            acc.intoArray(k.windowSums, (int) (sum * k.windows + w));
        }
    }

    /** The sums of the whole windows {@code [from, to)}, read once pass 0 has moved their {@code s}. */
    static void windows(ProdigyKernel k, long from, long to) {
        for (long w = from; w < to; w++) {
            k.windowSums[(int) w] = window(k, true, w);
            k.windowSums[(int) (k.windows + w)] = window(k, false, w);
        }
    }

    /**
     * The two sums, once pass 0 has run: the first and the last window, which pass 0 leaves since
     * either may be cut short, then every window's sums in order, the two chains side by side.
     */
    static void totals(ProdigyKernel k) {
        long last = k.windows - 1;
        windows(k, 0, 1);
        windows(k, last, last + 1);
        float[] sums = k.windowSums;
        int abs = (int) k.windows;
        float dotTotal = 0f;
        float absTotal = 0f;
        for (int w = 0; w < abs; w++) {
            dotTotal = dotTotal + sums[w];
            absTotal = absTotal + sums[abs + w];
        }
        k.dotSum = dotTotal;
        k.absSum = absTotal;
    }

    private static float window(ProdigyKernel k, boolean dot, long w) {
        long from = Math.max(0, w * WINDOW - k.front);
        long to = Math.min(k.length, (w + 1) * WINDOW - k.front);
        float acc = 0f;
        for (long i = from; i < to; i++) {
            acc = acc + k.term(dot, i);
        }
        return acc;
    }
}
