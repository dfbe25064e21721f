package io.lanestep.perf.models;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST from Debian's {@code dataset-fashion-mnist} (idx files), installed by the main job
 * itself where it runs as root with apt-get.
 */
record FashionMnist(float[] trainX, int[] trainY, float[] testX, int[] testY) {
    static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final String INSTALL = "sudo apt-get install -y dataset-fashion-mnist";
    static final int PIXELS = 784;

    /** The dataset, installing the package first if it is missing and this process may; null if not. */
    static FashionMnist loadOrInstall() throws IOException, InterruptedException {
        if (!Files.exists(DIR.resolve("t10k-labels-idx1-ubyte.gz"))) {
            boolean root = "root".equals(System.getProperty("user.name"));
            if (root && Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
                System.out.println("Fashion-MNIST missing: installing dataset-fashion-mnist with apt-get");
                if (run("apt-get", "install", "-y", "dataset-fashion-mnist") != 0) {
                    run("apt-get", "update");
                    run("apt-get", "install", "-y", "dataset-fashion-mnist");
                }
            }
            if (!Files.exists(DIR.resolve("t10k-labels-idx1-ubyte.gz"))) {
                System.out.println("Fashion-MNIST is not installed and this job cannot install it; run: " + INSTALL);
                return null;
            }
        }
        return new FashionMnist(images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz"),
                images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz"));
    }

    /** The first {@code rows} training examples, the whole test set. */
    FashionMnist head(int rows) {
        return new FashionMnist(java.util.Arrays.copyOf(trainX, rows * PIXELS), java.util.Arrays.copyOf(trainY, rows),
                testX, testY);
    }

    int trainRows() {
        return trainY.length;
    }

    private static int run(String... command) throws IOException, InterruptedException {
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    private static float[] images(String file) throws IOException {
        try (DataInputStream in = open(file, 2051)) {
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[] raw = in.readNBytes(n * rows * cols);
            float[] x = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                x[i] = (raw[i] & 0xff) / 255f;
            }
            return x;
        }
    }

    private static int[] labels(String file) throws IOException {
        try (DataInputStream in = open(file, 2049)) {
            byte[] raw = in.readNBytes(in.readInt());
            int[] y = new int[raw.length];
            for (int i = 0; i < raw.length; i++) {
                y[i] = raw[i];
            }
            return y;
        }
    }

    private static DataInputStream open(String file, int magic) throws IOException {
        InputStream raw = new GZIPInputStream(Files.newInputStream(DIR.resolve(file)));
        DataInputStream in = new DataInputStream(raw);
        if (in.readInt() != magic) {
            throw new IOException(file + " is not an idx file");
        }
        return in;
    }
}
