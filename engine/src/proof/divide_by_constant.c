/*
 * Proof, by bounds plus exhaustion, that the vector kernels' division by a per-step constant is a
 * true division: for every binary32 divisor b and dividend x inside the kernels' guard,
 * 2^-100 <= |x| < 2^96 and 2^-30 <= b <= 1 (there |x|/b < 2^126, and r's grid, 2^-47 of x's
 * binade, stays above 2^-149: nothing overflows or loses bits to underflow),
 *
 *     y = RN(1/b),  q = RN(x·y),  r = RN(x - b·q) (one FMA),  RN(q + r·y) (one FMA)  ==  RN(x/b).
 *
 * Why: scaling x and b by powers of two scales every step exactly, so only the significands
 * a, b in [1, 2) matter, and the sign is symmetric. Let d = |y - 1/b|. Then q + r·y = a/b + r·(y - 1/b),
 * so the last rounding returns RN(a/b) when r is exact and |r|·d is below the distance from a/b to
 * the nearest rounding midpoint, which is at least 2^-48/b (a < b) or 2^-47/b (a >= b), since a/b
 * is never a midpoint (that would need 2^24 to divide b's integer significand). For a < b,
 * |q - a/b| <= 2^-25 + a·d; for a >= b, 2^-24 + a·d; |r| = b·|q - a/b|, exact when it fits 24 bits
 * of its grid (2^-47, or 2^-46 when q >= 1). Those bounds certify most pairs; this program computes,
 * for each of the 2^23 divisor significands, the dividends they leave uncertified and compares
 * every one of those with a true division.
 *
 * Not part of the build (it needs gcc, and 19 minutes on this machine's 2 cores):
 *   gcc -O3 -march=native -ffp-contract=off -fopenmp engine/src/proof/divide_by_constant.c -o /tmp/dbc -lm
 *   /tmp/dbc            # every divisor; exits 1 on any failure
 *   /tmp/dbc 1024       # every 1024th divisor: seconds
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Dividends with significand index in [lo, hi) against divisor b: the number that differ. */
static long compare(float b, float y, long lo, long hi) {
    long bad = 0;
#pragma omp simd reduction(+ : bad)
    for (long i = lo; i < hi; i++) {
        float a = from_bits(0x3f800000u | (uint32_t) i);
        float q = a * y;
        float r = fmaf(-b, q, a);
        bad += fmaf(r, y, q) != a / b;
    }
    return bad;
}

static long index_at_or_below(double a) {   /* significand index of the largest a' <= a, clamped */
    double i = floor((a - 1.0) * 0x1p23);
    return i < 0 ? 0 : i > 0x1p23 ? (long) 0x1p23 : (long) i;
}

static long clamp(long i, long lo, long hi) {
    return i < lo ? lo : i > hi ? hi : i;
}

/* Compares the dividends in the union of ranges [lo, hi), all inside [from, to); returns pairs compared. */
static long compare_union(float b, float y, long ranges[][2], int count, long from, long to, long *failures) {
    long compared = 0, done = from;
    for (;;) {                                   /* sweep: the next range that starts earliest */
        int next = -1;
        for (int j = 0; j < count; j++) {
            if (ranges[j][1] > done && (next < 0 || ranges[j][0] < ranges[next][0])) next = j;
        }
        if (next < 0) return compared;
        long lo = clamp(ranges[next][0] > done ? ranges[next][0] : done, from, to);
        long hi = clamp(ranges[next][1], from, to);
        if (hi > lo) {
            *failures += compare(b, y, lo, hi);
            compared += hi - lo;
        }
        done = ranges[next][1] > done ? ranges[next][1] : done;
    }
}

int main(int argc, char **argv) {
    const long n = 1L << 23;
    long stride = argc > 1 ? atol(argv[1]) : 1;  /* every stride-th divisor: a quick partial run */
    long failures = 0, compared = 0, divisors = 0;
#pragma omp parallel for reduction(+ : failures, compared, divisors) schedule(dynamic, 64)
    for (long k = 0; k < n; k += stride) {
        float b = from_bits(0x3f800000u | (uint32_t) k);
        float y = 1.0f / b;
        double d = fabs(1.0 - (double) b * (double) y) / b * (1 + 0x1p-40);  /* b·y is exact in double */
        divisors++;
        if (d == 0) continue;                    /* y is 1/b exactly: q is the quotient, r is 0 */
        double bb = (double) b * b;
        /* a < b: certified while b(2^-25 + a d) <= 2^-23 and b(2^-25 + a d) d < 2^-48 / b */
        double t1 = (0x1p-23 / b - 0x1p-25) / d, t2 = (0x1p-48 / (bb * d) - 0x1p-25) / d;
        long below[1][2] = {{index_at_or_below(fmin(t1, t2)) - 1, k}};
        compared += compare_union(b, y, below, 1, 0, k, &failures);
        /* a >= b: certified while b(2^-24 + a d) d < 2^-47 / b, and r exact: b(2^-24 + a d) <= 2^-23,
         * or q >= 1 (a (1/b - d) >= 1) and b(2^-24 + a d) <= 2^-22 */
        double t3 = (0x1p-47 / (bb * d) - 0x1p-24) / d, t4 = (0x1p-23 / b - 0x1p-24) / d;
        double t5 = 1.0 / (1.0 / b - d), t6 = (0x1p-22 / b - 0x1p-24) / d;
        long above[3][2] = {{index_at_or_below(t3) - 1, n}, {index_at_or_below(t4) - 1, index_at_or_below(t5) + 2},
                            {index_at_or_below(t6) - 1, n}};
        compared += compare_union(b, y, above, 3, k, n, &failures);
    }
    printf("%ld divisor significands x %ld dividend significands: %ld pairs compared with a division, the other"
           " %ld certified by the bounds; %ld failures\n", divisors, n, compared, divisors * n - compared, failures);
    return failures != 0;
}
