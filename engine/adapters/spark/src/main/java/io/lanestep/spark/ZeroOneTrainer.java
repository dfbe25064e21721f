package io.lanestep.spark;

import io.lanestep.Adafactor;
import io.lanestep.Engine;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.Lamb;
import io.lanestep.Lars;
import io.lanestep.Optimizer;
import io.lanestep.SquareSum;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * ZeRO-1 training over Spark: the model's flat float32 parameters cut into contiguous shards,
 * each shard's weights and Lanestep state held in a persisted RDD and stepped on an executor.
 * A step broadcasts the weights, computes each data partition's gradient, sums each shard's slice
 * over the partitions in partition order, steps every shard, and gathers the weights. The result
 * is the same bits, for any shard count, as one process summing the partitions' gradients in that
 * order and stepping the whole vector.
 *
 * <p>Spark may rerun a task: a step makes new shards from the old ones, which it never changes,
 * so a retry steps the same input again. Each shard carries its step count, checked against the
 * driver's by the task and after every step. Every {@code lineageCut} steps the shards are
 * {@code localCheckpoint}ed: losing an executor after that fails the run with Spark's error
 * naming the lost block (restart it from {@link #save}); before that, Spark recomputes the lost
 * shards from the kept broadcasts.
 *
 * @param <T> one example
 */
public final class ZeroOneTrainer<T> implements AutoCloseable {
    private static final String WEIGHTS = "weights.f32";
    private static final int WEIGHTS_MAGIC = 0x4c53_5731; // "LSW1"

    private final JavaSparkContext spark;
    private final JavaRDD<T> data;
    private final GradientFunction<T> gradient;
    private final Optimizer optimizer;
    private final Formats formats;
    private final ShardLayout layout;
    private final double maxNorm;
    private final int lineageCut;
    private final HashPartitioner partitioner;
    private final List<Broadcast<float[]>> live = new ArrayList<>();
    private float[] weights;
    private long steps;
    private JavaPairRDD<Integer, Shard> shards;

    /**
     * The run's configuration.
     *
     * @param maxNorm    clip the summed gradient to this global norm (torch's {@code clip_grad_norm_}); 0 for none
     * @param lineageCut cut the shards' lineage every this many steps
     */
    public record Config(Optimizer optimizer, Formats formats, long[] tensors, int shards, double maxNorm,
                         int lineageCut) {
        public Config {
            Objects.requireNonNull(optimizer, "optimizer");
            Objects.requireNonNull(formats, "formats");
            tensors = tensors.clone();
            if (formats.params() != Format.FP32 || formats.grads() != Format.FP32 || formats.masterWeights()) {
                throw new IllegalArgumentException("formats must have float32 params and grads without master weights,"
                        + " got " + formats + "; a 16-bit or 8-bit state is fine (formats.state())");
            }
            if (!(maxNorm >= 0) || Double.isInfinite(maxNorm)) {
                throw new IllegalArgumentException("maxNorm must be finite and >= 0 (0: no clipping), got " + maxNorm);
            }
            if (lineageCut < 1) {
                throw new IllegalArgumentException("lineageCut must be >= 1, got " + lineageCut);
            }
        }
    }

    private ZeroOneTrainer(JavaSparkContext spark, JavaRDD<T> data, GradientFunction<T> gradient, Config config) {
        this.spark = Objects.requireNonNull(spark, "spark");
        this.data = Objects.requireNonNull(data, "data");
        this.gradient = Objects.requireNonNull(gradient, "gradient");
        this.optimizer = config.optimizer();
        this.formats = config.formats();
        this.layout = ShardLayout.of(config.tensors(), config.shards(),
                optimizer instanceof Lamb || optimizer instanceof Lars || optimizer instanceof Adafactor);
        this.maxNorm = config.maxNorm();
        this.lineageCut = config.lineageCut();
        this.partitioner = new HashPartitioner(config.shards());
    }

    /**
     * A run from {@code weights} with fresh optimizer state.
     *
     * @throws IllegalArgumentException if {@code weights} is not as long as the tensors together
     */
    public static <T> ZeroOneTrainer<T> start(JavaSparkContext spark, JavaRDD<T> data, GradientFunction<T> gradient,
                                              Config config, float[] weights) {
        ZeroOneTrainer<T> t = new ZeroOneTrainer<>(spark, data, gradient, config);
        t.requireLength(weights);
        t.weights = weights.clone();
        ShardLayout layout = t.layout;
        List<Tuple2<Integer, Shard>> fresh = new ArrayList<>();
        for (int s = 0; s < layout.shards(); s++) {
            float[] slice = Arrays.copyOfRange(weights, (int) layout.start(s), (int) layout.start(s + 1));
            fresh.add(new Tuple2<>(s, new Shard(s, 0, slice, new byte[0])));
        }
        t.shards = spark.parallelizePairs(fresh, layout.shards()).partitionBy(t.partitioner)
                .persist(StorageLevel.MEMORY_AND_DISK());
        return t;
    }

    /**
     * A run continued from {@code dir}, written by {@link #save} with this or another shard count.
     *
     * @throws IOException if the directory's files are missing, damaged or of another model or optimizer
     */
    public static <T> ZeroOneTrainer<T> resume(JavaSparkContext spark, JavaRDD<T> data, GradientFunction<T> gradient,
                                               Config config, Path dir) throws IOException {
        ZeroOneTrainer<T> t = new ZeroOneTrainer<>(spark, data, gradient, config);
        long savedSteps;
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(dir.resolve(WEIGHTS))))) {
            if (in.readInt() != WEIGHTS_MAGIC) {
                throw new IOException(dir.resolve(WEIGHTS) + " is not a weights file of this trainer");
            }
            savedSteps = in.readLong();
            float[] w = new float[Math.toIntExact(in.readLong())];
            t.requireLength(w);
            for (int i = 0; i < w.length; i++) {
                w[i] = in.readFloat();
            }
            t.weights = w;
        }
        List<String> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().startsWith("shard-")).map(Path::toString).sorted()
                    .toList();
        }
        Broadcast<float[]> w = t.broadcast();
        ShardLayout layout = t.layout;
        Optimizer optimizer = t.optimizer;
        Formats formats = t.formats;
        List<Tuple2<Integer, Integer>> indices = new ArrayList<>();
        for (int s = 0; s < layout.shards(); s++) {
            indices.add(new Tuple2<>(s, s));
        }
        t.shards = spark.parallelizePairs(indices, layout.shards()).partitionBy(t.partitioner)
                .mapValues(s -> {
                    float[] slice = Arrays.copyOfRange(w.value(), (int) layout.start(s), (int) layout.start(s + 1));
                    return ShardWork.restoreParts(s, slice, layout, optimizer, formats,
                            files.stream().map(Path::of).toList());
                }).persist(StorageLevel.MEMORY_AND_DISK());
        t.steps = savedSteps;
        t.checkSteps(t.shards.mapValues(Shard::step).values().collect());
        return t;
    }

    /** One training step; returns the summed loss of the data at the weights before it. */
    public double step() {
        Broadcast<float[]> w = broadcast();
        GradientFunction<T> f = gradient;
        ShardLayout layout = this.layout;
        JavaPairRDD<Integer, Contribution> contributions = data.mapPartitionsWithIndex((partition, examples) -> {
            float[] g = new float[Math.toIntExact(layout.total())];
            double loss = f.accumulate(w.value(), examples, g);
            List<Tuple2<Integer, Contribution>> out = new ArrayList<>();
            for (int s = 0; s < layout.shards(); s++) {
                float[] slice = Arrays.copyOfRange(g, (int) layout.start(s), (int) layout.start(s + 1));
                out.add(new Tuple2<>(s, new Contribution(partition, slice, s == 0 ? loss : 0)));
            }
            return out.iterator();
        }, true).mapToPair(c -> c);
        boolean clip = maxNorm > 0;
        JavaPairRDD<Integer, Summed> sums = contributions.groupByKey(partitioner).mapPartitionsToPair(groups -> {
            List<Tuple2<Integer, Summed>> out = new ArrayList<>();
            groups.forEachRemaining(g -> out.add(new Tuple2<>(g._1(), ShardWork.sum(layout, g._1(), g._2(), clip))));
            return out.iterator();
        }, true).persist(StorageLevel.MEMORY_AND_DISK());
        List<Tuple2<Integer, Summed>> heads = sums
                .mapValues(x -> new Summed(new float[0], x.loss(), x.squares())).collect();
        double loss = 0;
        SquareSum squares = new SquareSum();
        for (Tuple2<Integer, Summed> h : heads) {
            loss += h._2().loss();
            if (clip) {
                squares.add(SquareSum.fromLongs(h._2().squares()));
            }
        }
        float scale = clip ? (float) Engine.clipCoefficient(maxNorm, squares.norm()) : 1f;
        Optimizer optimizer = this.optimizer;
        Formats formats = this.formats;
        long at = steps;
        JavaPairRDD<Integer, Shard> next = shards.join(sums)
                .mapValues(p -> ShardWork.step(p._1(), p._2(), layout, optimizer, formats, at, scale))
                .persist(StorageLevel.MEMORY_AND_DISK());
        boolean cut = (steps + 1) % lineageCut == 0;
        if (cut) {
            next.rdd().localCheckpoint();
        }
        List<Tuple2<Integer, Shard>> gathered = next.collect();
        steps++;
        List<Long> shardSteps = new ArrayList<>();
        for (Tuple2<Integer, Shard> g : gathered) {
            Shard s = g._2();
            System.arraycopy(s.params(), 0, weights, (int) layout.start(s.index()), s.params().length);
            shardSteps.add(s.step());
        }
        checkSteps(shardSteps);
        shards.unpersist(false);
        sums.unpersist(false);
        shards = next;
        if (cut) {
            for (Broadcast<float[]> b : live) {
                b.destroy(false);
            }
            live.clear();
        }
        return loss;
    }

    /** The weights after the last step (a copy). */
    public float[] weights() {
        return weights.clone();
    }

    /** The steps taken. */
    public long steps() {
        return steps;
    }

    /**
     * Saves the run into {@code dir}, which must be empty or absent and reachable by every executor
     * (a shared file system): the weights, written by the driver, and one file per shard, written
     * by its executor with each piece's offset in the model, so {@link #resume} can reshard.
     */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> existing = Files.list(dir)) {
            if (existing.findAny().isPresent()) {
                throw new IOException(dir + " is not empty; save each checkpoint into a new directory");
            }
        }
        ShardLayout layout = this.layout;
        Optimizer optimizer = this.optimizer;
        Formats formats = this.formats;
        String where = dir.toAbsolutePath().toString();
        int count = layout.shards();
        shards.values().foreach(s -> ShardWork.saveParts(s, layout, optimizer, formats,
                Path.of(where, ShardWork.fileName(s.index(), count))));
        Path tmp = dir.resolve(WEIGHTS + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(WEIGHTS_MAGIC);
            out.writeLong(steps);
            out.writeLong(weights.length);
            for (float v : weights) {
                out.writeFloat(v);
            }
        }
        Files.move(tmp, dir.resolve(WEIGHTS), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** A copy: in local mode the driver's broadcast value is the array itself, and the driver updates its own. */
    private Broadcast<float[]> broadcast() {
        Broadcast<float[]> w = spark.broadcast(weights.clone());
        live.add(w);
        return w;
    }

    private void checkSteps(List<Long> shardSteps) {
        for (long s : shardSteps) {
            if (s != steps) {
                throw new IllegalStateException("a shard has taken " + s + " steps, the driver " + steps
                        + "; restart the run from a checkpoint");
            }
        }
    }

    private void requireLength(float[] w) {
        if (w.length != layout.total()) {
            throw new IllegalArgumentException("weights must hold the tensors' " + layout.total() + " floats, got "
                    + w.length + "; pass the model's flat parameter vector");
        }
    }

    /** Drops the shards and broadcasts from the executors; the driver's weights stay readable. */
    @Override
    public void close() {
        shards.unpersist(false);
        for (Broadcast<float[]> b : live) {
            b.destroy(false);
        }
        live.clear();
    }
}
