package io.lanestep.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.Group;
import io.lanestep.Lanestep;
import io.lanestep.NonFinite;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Fashion-MNIST MLP trained by {@link ZeroOneTrainer} in {@code local[2]} with 1, 2 and 3
 * shards ends with the same bits as one process that sums the data partitions' gradients in
 * partition order and steps the whole vector with the engine.
 */
class ZeroOneTrainerTest {
    private static final int EXAMPLES = 512;
    private static final int PARTITIONS = 4;
    static final int STEPS = 20;
    static final Formats Q8 = new Formats(Format.FP32, Format.FP32, Format.Q8);

    private static JavaSparkContext spark;
    private static JavaRDD<FashionMnistSample.Example> data;
    private static List<List<FashionMnistSample.Example>> partitions;

    @BeforeAll
    static void startSpark() throws Exception {
        spark = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("lanestep-zero1")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
        spark.setLogLevel("WARN");
        data = spark.parallelize(FashionMnistSample.head(EXAMPLES), PARTITIONS).cache();
        partitions = data.glom().collect();
    }

    @AfterAll
    static void stopSpark() {
        spark.close();
    }

    record Case(String name, Optimizer optimizer, Formats formats, double maxNorm) {
    }

    static final List<Case> CASES = List.of(
            new Case("Adam", Lanestep.adam().withLearningRate(1e-3), Formats.FP32, 0),
            new Case("AdamW, global norm clipped to 1", Lanestep.adamW().withLearningRate(1e-3), Formats.FP32, 1.0),
            new Case("LAMB", Lanestep.lamb().withLearningRate(1e-2), Formats.FP32, 0),
            new Case("8-bit Adam", Lanestep.adam().withLearningRate(1e-3), Q8, 0));

    @Test
    void everyShardCountEndsWithOneProcessBits() {
        float[] w0 = Mlp.initialWeights(7);
        for (Case c : CASES) {
            float[] expected = oneProcess(c, w0, STEPS, partitions);
            for (int shards = 1; shards <= 3; shards++) {
                try (ZeroOneTrainer<FashionMnistSample.Example> t = ZeroOneTrainer.start(spark, data, new Mlp(),
                        config(c, shards), w0)) {
                    for (int s = 0; s < STEPS; s++) {
                        t.step();
                    }
                    assertEquals(STEPS, t.steps());
                    assertArrayEquals(expected, t.weights(), c.name() + ", " + shards + " shards");
                }
            }
        }
    }

    @Test
    void aRunRestartedWithAnotherShardCountEndsAsTheUninterruptedOne(@TempDir Path dir) throws Exception {
        float[] w0 = Mlp.initialWeights(11);
        // 8-bit state shares an absmax per 256 elements: the engine restores it only into the same split.
        for (Case c : List.of(CASES.get(1), CASES.get(3))) {
            int again = c.formats() == Q8 ? 2 : 3;
            Path saved = dir.resolve(c.name().replaceAll("\\W", ""));
            try (ZeroOneTrainer<FashionMnistSample.Example> first = ZeroOneTrainer.start(spark, data, new Mlp(),
                    config(c, 2), w0)) {
                for (int s = 0; s < STEPS / 2; s++) {
                    first.step();
                }
                first.save(saved);
            }
            try (ZeroOneTrainer<FashionMnistSample.Example> second = ZeroOneTrainer.resume(spark, data, new Mlp(),
                    config(c, again), saved)) {
                assertEquals(STEPS / 2, second.steps());
                for (int s = STEPS / 2; s < STEPS; s++) {
                    second.step();
                }
                assertArrayEquals(oneProcess(c, w0, STEPS, partitions), second.weights(),
                        c.name() + ", 2 shards then " + again);
            }
        }
    }

    @Test
    void theModelLearns() {
        Case c = CASES.get(1);
        try (ZeroOneTrainer<FashionMnistSample.Example> t = ZeroOneTrainer.start(spark, data, new Mlp(),
                config(c, 2), Mlp.initialWeights(3))) {
            double first = t.step();
            double last = first;
            for (int s = 1; s < 40; s++) {
                last = t.step();
            }
            assertTrue(last < 0.6 * first, "mean loss " + first / EXAMPLES + " -> " + last / EXAMPLES);
        }
    }

    @Test
    void badInputIsRefusedBeforeAnythingRuns(@TempDir Path dir) throws Exception {
        Case c = CASES.get(0);
        IllegalArgumentException shortWeights = assertThrows(IllegalArgumentException.class,
                () -> ZeroOneTrainer.start(spark, data, new Mlp(), config(c, 2), new float[10]));
        assertTrue(shortWeights.getMessage().contains("weights must hold"), shortWeights.getMessage());
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> ZeroOneTrainer.start(spark, data, new Mlp(),
                        new ZeroOneTrainer.Config(Lanestep.lamb(), Formats.FP32, Mlp.TENSORS, 5, 0, 10),
                        Mlp.initialWeights(1)));
        assertTrue(tooMany.getMessage().contains("use fewer shards"), tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ZeroOneTrainer.Config(Lanestep.adam(),
                Formats.all(Format.BF16), Mlp.TENSORS, 2, 0, 10));
        Files.writeString(dir.resolve("other"), "x");
        try (ZeroOneTrainer<FashionMnistSample.Example> t = ZeroOneTrainer.start(spark, data, new Mlp(),
                config(c, 2), Mlp.initialWeights(1))) {
            assertThrows(java.io.IOException.class, () -> t.save(dir));
        }
    }

    static ZeroOneTrainer.Config config(Case c, int shards) {
        return new ZeroOneTrainer.Config(c.optimizer(), c.formats(), Mlp.TENSORS, shards, c.maxNorm(), 7);
    }

    /** The run in one process: partition gradients summed in partition order, every tensor stepped whole. */
    static float[] oneProcess(Case c, float[] w0, int steps, List<List<FashionMnistSample.Example>> partitions) {
        float[] w = w0.clone();
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create()) {
            List<OptimizerState> states = new ArrayList<>();
            for (long n : Mlp.TENSORS) {
                states.add(c.optimizer().newState(n, arena, c.formats()));
            }
            for (int s = 0; s < steps; s++) {
                float[] g = new float[w.length];
                for (List<FashionMnistSample.Example> p : partitions) {
                    float[] gp = new float[w.length];
                    new Mlp().accumulate(w, p.iterator(), gp);
                    for (int i = 0; i < g.length; i++) {
                        g[i] += gp[i];
                    }
                }
                List<MemorySegment> grads = tensors(g);
                float scale = c.maxNorm() > 0
                        ? (float) Engine.clipCoefficient(c.maxNorm(), engine.globalNorm(grads)) : 1f;
                List<MemorySegment> params = tensors(w);
                List<Block> blocks = new ArrayList<>();
                for (int t = 0; t < states.size(); t++) {
                    blocks.add(new Block(states.get(t), params.get(t), grads.get(t)));
                }
                engine.step(List.of(new Group(c.optimizer(), blocks)), NonFinite.PROPAGATE, scale);
            }
        }
        return w;
    }

    private static List<MemorySegment> tensors(float[] flat) {
        List<MemorySegment> out = new ArrayList<>();
        long at = 0;
        for (long n : Mlp.TENSORS) {
            out.add(MemorySegment.ofArray(flat).asSlice(at * Float.BYTES, n * Float.BYTES));
            at += n;
        }
        return out;
    }
}
