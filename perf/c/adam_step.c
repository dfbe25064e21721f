// The engine's Adam step (PyTorch 1.13.1's float32 operation order) as a plain C loop, the peer of
// `perf/c/compare.sh`; -DRECIPROCAL divides by the constant as the engine's kernels do. The
// hyperparameters arrive at run time, as in a real training step: compiled in, bc2Sqrt = 0.5 (a
// power of two) let gcc turn one of the two divides into a multiply.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) static void adam(float *restrict p, const float *restrict g, float *restrict m,
                                           float *restrict v, long n, float b1, float omb1, float b2, float omb2,
                                           float bc2_sqrt, float eps, float neg_step) {
    float inv_bc2_sqrt = 1.0f / bc2_sqrt;
    (void) inv_bc2_sqrt;
    for (long i = 0; i < n; i++) {
        float mi = fmaf(g[i], omb1, m[i] * b1);
        float vi = fmaf(omb2 * g[i], g[i], v[i] * b2);
        m[i] = mi;
        v[i] = vi;
#ifdef RECIPROCAL
        // The engine's division by the constant (kernel Reciprocal), without its guard: an upper
        // bound on what C gains from it.
        float x = sqrtf(vi), q = x * inv_bc2_sqrt;
        float denom = fmaf(fmaf(-bc2_sqrt, q, x), inv_bc2_sqrt, q) + eps;
#else
        float denom = sqrtf(vi) / bc2_sqrt + eps;
#endif
        p[i] = p[i] + (neg_step * mi) / denom;
    }
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s SIZE [BETA1 BETA2 STEP]\n", argv[0]);
        return 2;
    }
    long n = atol(argv[1]);
    float b1 = argc > 2 ? strtof(argv[2], NULL) : 0.9f;
    float b2 = argc > 3 ? strtof(argv[3], NULL) : 0.999f;
    int t = argc > 4 ? atoi(argv[4]) : 10;
    float bc2_sqrt = (float) sqrt(1 - pow(b2, t));
    float neg_step = (float) (-1e-3 / (1 - pow(b1, t)));
    float *p = aligned_alloc(64, n * 4), *g = aligned_alloc(64, n * 4);
    float *m = aligned_alloc(64, n * 4), *v = aligned_alloc(64, n * 4);
    for (long i = 0; i < n; i++) {
        p[i] = 1;
        g[i] = 1e-3f * (float) (i % 7 + 1);
        m[i] = 0;
        v[i] = 0;
    }
    long reps = 200000000 / n + 3;
    double ns[9];
    for (int r = 0; r < 11; r++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (long k = 0; k < reps; k++) {
            adam(p, g, m, v, n, b1, 1 - b1, b2, 1 - b2, bc2_sqrt, 1e-8f, neg_step);
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (r >= 2) {
            ns[r - 2] = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / reps / n;
        }
    }
    qsort(ns, 9, sizeof ns[0], by_value);
    printf("%ld %.4f\n", n, ns[4]);
    return p[0] > 1e30f;
}
