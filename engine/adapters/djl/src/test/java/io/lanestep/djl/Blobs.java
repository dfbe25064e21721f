package io.lanestep.djl;

import java.util.SplittableRandom;

/**
 * A generated classification set: {@code classes} Gaussian blobs in {@code dims} dimensions, so the
 * tests need no dataset package. The centres are far enough apart that a small MLP separates them
 * almost perfectly and an optimizer that does not train is plainly visible.
 */
record Blobs(float[] features, float[] labels, int rows, int dims) {

    static Blobs generate(long seed, int rows, int dims, int classes) {
        SplittableRandom centres = new SplittableRandom(42);
        float[][] centre = new float[classes][dims];
        for (float[] c : centre) {
            for (int d = 0; d < dims; d++) {
                c[d] = (float) (centres.nextDouble(-2, 2));
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[rows * dims];
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            int label = random.nextInt(classes);
            y[r] = label;
            for (int d = 0; d < dims; d++) {
                x[r * dims + d] = centre[label][d] + (float) gaussian(random);
            }
        }
        return new Blobs(x, y, rows, dims);
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
