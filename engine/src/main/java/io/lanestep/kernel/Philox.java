package io.lanestep.kernel;

/**
 * Philox4x32-10 for stochastic rounding, scalar (the tails; the vector loops expand the same
 * rounds inline, see {@code KernelGenerator}). Element {@code i} at step {@code t} under
 * {@code seed} takes the upper 16 bits of word {@code i mod 4} of the block of counter
 * {@code (i / 4 as two words, t as two words)} and key {@code (seed as two words)}.
 */
final class Philox {
    static final int M0 = 0xD2511F53;
    static final int M1 = 0xCD9E8D57;
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;

    private Philox() {
    }

    static int random16(long seed, long step, long index) {
        long group = index >>> 2;
        int c0 = (int) group;
        int c1 = (int) (group >>> 32);
        int c2 = (int) step;
        int c3 = (int) (step >>> 32);
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        for (int round = 0; round < 10; round++) {
            long p0 = Integer.toUnsignedLong(c0) * Integer.toUnsignedLong(M0);
            long p1 = Integer.toUnsignedLong(c2) * Integer.toUnsignedLong(M1);
            c0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            c1 = (int) p1;
            c2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c3 = (int) p0;
            k0 += W0;
            k1 += W1;
        }
        int word = switch ((int) (index & 3)) {
            case 0 -> c0;
            case 1 -> c1;
            case 2 -> c2;
            default -> c3;
        };
        return word >>> 16;
    }
}
