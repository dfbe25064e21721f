package io.lanestep.spark;

import io.lanestep.Engine;
import io.lanestep.Formats;
import io.lanestep.Lanestep;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Where a ZeRO-1 step's time goes in {@code local[2]}: medians of whole steps, of a broadcast read
 * by every partition, of one shard's restore-step-save, and of the bare Adam step over a shard.
 * Run: {@code ./mvnw -q -DskipTests -Pspark-times -pl engine/adapters/spark -am verify}.
 */
final class StepTimes {
    private StepTimes() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        int shards = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int rounds = 10;
        Optimizer adam = Lanestep.adam().withLearningRate(1e-3);
        float[] w0 = new float[n];
        Arrays.fill(w0, 0.5f);
        try (JavaSparkContext spark = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("times")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"))) {
            spark.setLogLevel("WARN");
            JavaRDD<Integer> data = spark.parallelize(List.of(0, 1), 2).cache();
            GradientFunction<Integer> quadratic = (w, it, g) -> {
                it.forEachRemaining(x -> { });
                for (int i = 0; i < g.length; i++) {
                    g[i] = w[i] - 0.25f;
                }
                return 0;
            };
            double[] step = new double[rounds];
            try (ZeroOneTrainer<Integer> t = ZeroOneTrainer.start(spark, data, quadratic,
                    new ZeroOneTrainer.Config(adam, Formats.FP32, new long[] {n}, shards, 0, 10), w0)) {
                t.step();
                for (int r = 0; r < rounds; r++) {
                    long start = System.nanoTime();
                    t.step();
                    step[r] = (System.nanoTime() - start) / 1e6;
                }
            }
            double[] broadcast = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long start = System.nanoTime();
                Broadcast<float[]> b = spark.broadcast(w0.clone());
                data.map(x -> b.value().length).collect();
                broadcast[r] = (System.nanoTime() - start) / 1e6;
                b.destroy();
            }
            System.out.printf("%d floats, %d shards, local[2], medians of %d:%n", n, shards, rounds);
            System.out.printf("  whole step                      %8.1f ms%n", median(step));
            System.out.printf("  broadcast read by 2 partitions  %8.1f ms%n", median(broadcast));
        }
        ShardLayout layout = ShardLayout.of(new long[] {n}, shards, false);
        float[] params = Arrays.copyOf(w0, layout.length(0));
        float[] grad = new float[params.length];
        Arrays.fill(grad, 0.25f);
        Shard shard = ShardWork.step(new Shard(0, 0, params, new byte[0]), new Summed(grad, 0, null), layout, adam,
                Formats.FP32, 0, 1f);
        double[] shardStep = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            shard = ShardWork.step(shard, new Summed(grad, 0, null), layout, adam, Formats.FP32, shard.step(), 1f);
            shardStep[r] = (System.nanoTime() - start) / 1e6;
        }
        double[] bare = new double[rounds];
        try (Arena arena = Arena.ofConfined(); Engine engine = Engine.create()) {
            OptimizerState state = adam.newState(params.length, arena, Formats.FP32);
            MemorySegment p = MemorySegment.ofArray(params.clone());
            MemorySegment g = MemorySegment.ofArray(grad);
            engine.step(adam, state, p, g);
            for (int r = 0; r < rounds; r++) {
                long start = System.nanoTime();
                engine.step(adam, state, p, g);
                bare[r] = (System.nanoTime() - start) / 1e6;
            }
        }
        System.out.printf("  one shard: restore, step, save  %8.1f ms (%d floats)%n", median(shardStep), params.length);
        System.out.printf("  one shard: the Adam step alone  %8.1f ms%n", median(bare));
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return (s[s.length / 2] + s[(s.length - 1) / 2]) / 2;
    }
}
