package io.lanestep;

import java.util.Arrays;

/**
 * A sum of squares held exactly: the chunk sums of {@link Engine#addSquares} added as integers in
 * a fixed-point accumulator wide enough for any finite double, so adding them in any order or
 * grouping gives the same value. This is what makes a sharded model's gradient norm equal the
 * whole model's, whatever the number of shards: each shard adds its gradients into its own
 * {@code SquareSum}, the shards exchange them ({@link #toLongs()}, {@link #fromLongs}) through
 * their own collective, and every shard takes the {@link #norm()} of the total. NaN and infinity
 * are kept as flags and win, as in a floating-point sum.
 *
 * <p>Not thread-safe; an instance is a few hundred bytes and adding into it allocates nothing.
 */
public final class SquareSum {
    /** Bits per digit; each long holds one digit and the carries of not yet normalised adds. */
    private static final int DIGIT = 32;
    private static final long MASK = 0xffffffffL;
    /** Digits for 2^-1074 (the least double) to 2^1024 with room for 2^64 terms. */
    private static final int DIGITS = (1074 + 1024 + 64) / DIGIT + 2;
    /** Adds between normalisations: each adds below 2^32 to a digit, so a long cannot overflow. */
    private static final int PENDING_LIMIT = 1 << 30;

    private final long[] digits = new long[DIGITS];
    private int pending;
    private boolean infinite;
    private boolean nan;

    /** An empty sum (zero). */
    public SquareSum() {
    }

    /** Back to zero. */
    public void clear() {
        Arrays.fill(digits, 0);
        pending = 0;
        infinite = false;
        nan = false;
    }

    /**
     * Adds {@code value}, a non-negative double, infinity or NaN, exactly: a sum of squares the
     * caller took in its own order (a chunk's), which any grouping of the adds then keeps.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public void add(double value) {
        if (Double.isNaN(value)) {
            nan = true;
            return;
        }
        if (value == Double.POSITIVE_INFINITY) {
            infinite = true;
            return;
        }
        if (!(value >= 0)) {
            throw new IllegalArgumentException("a sum of squares adds non-negative terms, got " + value);
        }
        long bits = Double.doubleToRawLongBits(value);
        int exponent = (int) (bits >>> 52);
        long mantissa = bits & ((1L << 52) - 1);
        // value = mantissa' * 2^(shift - 1074), with the implicit bit for normal numbers.
        int shift = exponent == 0 ? 0 : exponent - 1;
        long m = exponent == 0 ? mantissa : mantissa | 1L << 52;
        int at = shift / DIGIT;
        int off = shift % DIGIT;
        digits[at] += (m << off) & MASK;
        digits[at + 1] += (m >>> (DIGIT - off)) & MASK;
        if (off > 0) {
            digits[at + 2] += m >>> (2 * DIGIT - off);
        }
        if (++pending == PENDING_LIMIT) {
            normalize();
        }
    }

    /** Adds {@code other} into this sum, exactly. */
    public void add(SquareSum other) {
        other.normalize();
        normalize();
        for (int k = 0; k < DIGITS; k++) {
            digits[k] += other.digits[k];
        }
        pending = 1;
        infinite |= other.infinite;
        nan |= other.nan;
    }

    private void normalize() {
        long carry = 0;
        for (int k = 0; k < DIGITS; k++) {
            long d = digits[k] + carry;
            digits[k] = d & MASK;
            carry = d >>> DIGIT;
        }
        pending = 0;
    }

    /** The sum, rounded once to the nearest double (ties to even). */
    public double value() {
        if (nan) {
            return Double.NaN;
        }
        if (infinite) {
            return Double.POSITIVE_INFINITY;
        }
        normalize();
        int top = DIGITS - 1;
        while (top >= 0 && digits[top] == 0) {
            top--;
        }
        if (top < 0) {
            return 0;
        }
        long lead = (long) top * DIGIT + 63 - Long.numberOfLeadingZeros(digits[top]);
        long window = bits(lead - 63);
        boolean sticky = below(lead - 63);
        long mantissa = window >>> 11;
        boolean half = (window >>> 10 & 1) != 0;
        boolean rest = (window & 0x3ff) != 0 || sticky;
        if (half && (rest || (mantissa & 1) != 0)) {
            mantissa++;
        }
        // lead is the position of the leading bit, so mantissa (53 bits) scales by 2^(lead - 52 - 1074).
        return Math.scalb((double) mantissa, (int) (lead - 52 - 1074));
    }

    /** The square root of {@link #value()}: the L2 norm of the squared values. */
    public double norm() {
        return Math.sqrt(value());
    }

    /** Bits {@code [from, from + 64)} of the normalised integer; bits below 0 read as zero. */
    private long bits(long from) {
        long r = 0;
        for (int k = 0; k < DIGITS; k++) {
            long shift = (long) k * DIGIT - from;
            if (digits[k] == 0 || shift >= 64 || shift <= -DIGIT) {
                continue;
            }
            r |= shift >= 0 ? digits[k] << shift : digits[k] >>> -shift;
        }
        return r;
    }

    /** Whether any bit below position {@code from} is set. */
    private boolean below(long from) {
        for (int k = 0; k < DIGITS && (long) k * DIGIT < from; k++) {
            long width = Math.min(DIGIT, from - (long) k * DIGIT);
            if ((digits[k] & (width == DIGIT ? MASK : (1L << width) - 1)) != 0) {
                return true;
            }
        }
        return false;
    }

    /** This sum as longs, for a collective to carry: {@link #fromLongs} reads them back. */
    public long[] toLongs() {
        normalize();
        long[] out = Arrays.copyOf(digits, DIGITS + 1);
        out[DIGITS] = (infinite ? 1 : 0) | (nan ? 2 : 0);
        return out;
    }

    /**
     * The sum {@link #toLongs()} wrote.
     *
     * @throws IllegalArgumentException if {@code longs} did not come from {@code toLongs}
     */
    public static SquareSum fromLongs(long[] longs) {
        if (longs == null || longs.length != DIGITS + 1 || (longs[DIGITS] & ~3L) != 0) {
            throw new IllegalArgumentException("not a SquareSum's longs (" + (longs == null ? "null" : longs.length
                    + " of them") + "); pass what toLongs() returned");
        }
        SquareSum s = new SquareSum();
        for (int k = 0; k < DIGITS; k++) {
            if ((longs[k] & ~MASK) != 0) {
                throw new IllegalArgumentException("not a SquareSum's longs: digit " + k + " is out of range; pass"
                        + " what toLongs() returned");
            }
            s.digits[k] = longs[k];
        }
        s.infinite = (longs[DIGITS] & 1) != 0;
        s.nan = (longs[DIGITS] & 2) != 0;
        return s;
    }

    @Override
    public String toString() {
        return "SquareSum[" + value() + "]";
    }
}
