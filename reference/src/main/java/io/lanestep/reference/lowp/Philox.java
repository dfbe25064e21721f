package io.lanestep.reference.lowp;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011; the
 * generator of Random123, cuRAND and PyTorch's CUDA RNG): a bijection of a 128-bit counter under a
 * 64-bit key, ten rounds. Counter-based, so the random bits of element {@code i} at step {@code t}
 * are a pure function of (seed, t, i): the same at every lane width, thread count and split of a
 * model into blocks, and a restored checkpoint continues the same sequence.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;

    private Philox() {
    }

    /** The four output words of counter {@code (c0, c1, c2, c3)} under key {@code (k0, k1)}. */
    public static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        for (int round = 0; round < 10; round++) {
            long p0 = (c0 & 0xffffffffL) * (M0 & 0xffffffffL);
            long p1 = (c2 & 0xffffffffL) * (M1 & 0xffffffffL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        return new int[] {c0, c1, c2, c3};
    }

    /**
     * Lanestep's 16 random bits for element {@code index} at step {@code step} under {@code seed}:
     * one Philox block serves four consecutive elements, counter (index / 4 as two words, step as
     * two words), key the seed's two words; element {@code index} takes the upper 16 bits of word
     * {@code index mod 4}.
     */
    public static int random16(long seed, long step, long index) {
        long group = index >>> 2;
        int[] out = block((int) group, (int) (group >>> 32), (int) step, (int) (step >>> 32), (int) seed,
                (int) (seed >>> 32));
        return out[(int) (index & 3)] >>> 16;
    }
}
