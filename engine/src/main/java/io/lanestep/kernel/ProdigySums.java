package io.lanestep.kernel;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Prodigy's two sums over a block longer than one window, in XLA's float32 order
 * ({@code io.lanestep.Prodigy}): windows of {@link #WINDOW} elements from a centred start, each
 * summed in order from 0, the window sums added in order. The whole windows between the first
 * and the last are summed a vector of windows at a time: the terms of {@code LANES} consecutive
 * windows computed in vectors into a scratch array, then lane {@code j} adds window {@code j}'s
 * terms one by one through a gather, so that each window sees the additions it sees alone.
 * Runs on the stepping thread, before the pass that needs the sum.
 */
final class ProdigySums {
    static final int WINDOW = 32;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Lane {@code j} reads window {@code j} of the scratch. */
    private static final int[] WINDOW_STARTS = new int[LANES];
    private static final ThreadLocal<float[]> TERMS = ThreadLocal.withInitial(() -> new float[LANES * WINDOW + LANES]);

    static {
        for (int j = 0; j < LANES; j++) {
            WINDOW_STARTS[j] = j * WINDOW;
        }
    }

    private ProdigySums() {
    }

    /** {@code Σ g·(x0 - p)} ({@code dot}) or {@code Σ |s|} of a block of more than {@link #WINDOW} elements. */
    static float sum(ProdigyKernel k, boolean dot) {
        long n = k.length;
        long windows = (n + WINDOW - 1) / WINDOW;
        long front = (windows * WINDOW - n) / 2;
        float[] terms = TERMS.get();
        float total = window(k, dot, 0, front, 0f);
        long w = 1;
        // Windows 1 .. windows - 2 are whole; the first and the last may be cut short.
        for (; w + LANES <= windows - 1; w += LANES) {
            fill(k, dot, w * WINDOW - front, terms);
            FloatVector acc = FloatVector.zero(S);
            for (int i = 0; i < WINDOW; i++) {
                acc = acc.add(FloatVector.fromArray(S, terms, i, WINDOW_STARTS, 0));
            }
            acc.intoArray(terms, LANES * WINDOW);
            for (int j = 0; j < LANES; j++) {
                total = total + terms[LANES * WINDOW + j];
            }
        }
        for (; w < windows; w++) {
            total = window(k, dot, w, front, total);
        }
        return total;
    }

    private static float window(ProdigyKernel k, boolean dot, long w, long front, float total) {
        long from = Math.max(0, w * WINDOW - front);
        long to = Math.min(k.length, (w + 1) * WINDOW - front);
        float acc = 0f;
        for (long i = from; i < to; i++) {
            acc = acc + k.term(dot, i);
        }
        return total + acc;
    }

    /** The terms of elements {@code [from, from + LANES·WINDOW)} into {@code terms}, as {@code ProdigyKernel.term}. */
    private static void fill(ProdigyKernel k, boolean dot, long from, float[] terms) {
        boolean first = (k.flags & Flags.FIRST_STEP) != 0;
        boolean clip = (k.flags & Flags.CLIP_VALUE) != 0;
        for (int j = 0; j < LANES * WINDOW; j += LANES) {
            long i = from + j;
            long o = i * Float.BYTES;
            FloatVector t;
            if (dot) {
                FloatVector g = (k.grads != null ? FloatVector.fromMemorySegment(S, k.grads, o, ORDER)
                        : FloatVector.fromArray(S, k.gradsArray, k.gradsBase + (int) i)).mul(k.gradScale);
                g = clip ? g.max(-k.gradClip).min(k.gradClip) : g;
                FloatVector p = k.params != null ? FloatVector.fromMemorySegment(S, k.params, o, ORDER)
                        : FloatVector.fromArray(S, k.paramsArray, k.paramsBase + (int) i);
                FloatVector x0 = first ? p : FloatVector.fromMemorySegment(S, k.params0, o, ORDER);
                t = g.mul(x0.sub(p));
            } else {
                t = FloatVector.fromMemorySegment(S, k.gradSum, o, ORDER).abs();
            }
            t.intoArray(terms, j);
        }
    }
}
