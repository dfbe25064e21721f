package io.lanestep.spark;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** The first examples of Debian's {@code dataset-fashion-mnist}, installed with apt-get when missing and root. */
final class FashionMnistSample {
    private static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    record Example(float[] pixels, int label) implements Serializable {
    }

    private FashionMnistSample() {
    }

    static List<Example> head(int n) throws IOException, InterruptedException {
        Path images = DIR.resolve("train-images-idx3-ubyte.gz");
        if (!Files.exists(images) && "root".equals(System.getProperty("user.name"))) {
            if (apt("install", "-y", "-q", "dataset-fashion-mnist") != 0) {
                apt("update", "-q");
                apt("install", "-y", "-q", "dataset-fashion-mnist");
            }
        }
        if (!Files.exists(images)) {
            throw new IllegalStateException("Fashion-MNIST is missing; run: sudo apt-get install -y dataset-fashion-mnist");
        }
        try (DataInputStream x = open(images); DataInputStream y = open(DIR.resolve("train-labels-idx1-ubyte.gz"))) {
            x.skipNBytes(16); // magic, count, rows, columns
            y.skipNBytes(8); // magic, count
            List<Example> out = new ArrayList<>();
            for (int e = 0; e < n; e++) {
                byte[] raw = x.readNBytes(Mlp.IN);
                float[] pixels = new float[Mlp.IN];
                for (int i = 0; i < pixels.length; i++) {
                    pixels[i] = (raw[i] & 0xff) / 255f;
                }
                out.add(new Example(pixels, y.readUnsignedByte()));
            }
            return out;
        }
    }

    private static int apt(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("apt-get"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    private static DataInputStream open(Path file) throws IOException {
        return new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(Files.newInputStream(file))));
    }
}
