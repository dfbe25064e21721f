package io.lanestep.spark;

import static io.lanestep.spark.ZeroOneTrainerTest.CASES;
import static io.lanestep.spark.ZeroOneTrainerTest.STEPS;
import static io.lanestep.spark.ZeroOneTrainerTest.config;
import static io.lanestep.spark.ZeroOneTrainerTest.oneProcess;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@link ZeroOneTrainer} across two executor JVMs ({@code local-cluster[2,1,1024]}), run by
 * {@code -Pspark-cluster}, which lays out the {@code SPARK_HOME} the executors start from: two
 * shards end with one process's bits for every case, and a run that loses an executor after step
 * 10 either ends with those bits or fails with an exception, never silently wrong.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZeroOneClusterTest {
    private static final int EXECUTORS = 2;

    private static JavaSparkContext spark;
    private static JavaRDD<FashionMnistSample.Example> data;
    private static List<List<FashionMnistSample.Example>> partitions;

    @BeforeAll
    static void startCluster() throws Exception {
        String sparkHome = System.getProperty("lanestep.spark.home");
        assertNotNull(sparkHome, "run with -Pspark-cluster, which lays out SPARK_HOME");
        String classes = Path.of("target/classes").toAbsolutePath() + java.io.File.pathSeparator
                + Path.of("target/test-classes").toAbsolutePath();
        spark = new JavaSparkContext(new SparkConf()
                .setMaster("local-cluster[" + EXECUTORS + ",1,1024]").setAppName("lanestep-zero1-cluster")
                .set("spark.home", sparkHome)
                .set("spark.executor.extraClassPath", classes)
                .set("spark.executorEnv.JAVA_HOME", System.getProperty("java.home"))
                .set("spark.executorEnv.OMP_NUM_THREADS", "1")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
        spark.setLogLevel("WARN");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (executors().size() < EXECUTORS && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(EXECUTORS, executors().size(), "executors registered: " + executors());
        data = spark.parallelize(FashionMnistSample.head(512), 4).cache();
        partitions = data.glom().collect();
    }

    @AfterAll
    static void stopCluster() {
        if (spark != null) {
            spark.close();
        }
    }

    private static List<String> executors() {
        return CollectionConverters.asJava(spark.sc().getExecutorIds());
    }

    @Test
    @Order(1)
    void twoExecutorsEndWithOneProcessBits() {
        float[] w0 = Mlp.initialWeights(7);
        for (ZeroOneTrainerTest.Case c : CASES) {
            try (ZeroOneTrainer<FashionMnistSample.Example> t = ZeroOneTrainer.start(spark, data, new Mlp(),
                    config(c, 2), w0)) {
                for (int s = 0; s < STEPS; s++) {
                    t.step();
                }
                assertArrayEquals(oneProcess(c, w0, STEPS, partitions), t.weights(), c.name() + ", local-cluster");
            }
        }
    }

    /** Runs last: the cluster has one executor left afterwards. */
    @Test
    @Order(2)
    void anExecutorLostMidRunEndsRightOrFails() {
        ZeroOneTrainerTest.Case c = CASES.get(1);
        float[] w0 = Mlp.initialWeights(5);
        float[] expected = oneProcess(c, w0, STEPS, partitions);
        try (ZeroOneTrainer<FashionMnistSample.Example> t = ZeroOneTrainer.start(spark, data, new Mlp(),
                config(c, 2), w0)) {
            for (int s = 0; s < STEPS / 2; s++) {
                t.step();
            }
            String victim = executors().get(0);
            assertTrue(spark.sc().killExecutor(victim), "kill executor " + victim);
            Exception failure = null;
            try {
                for (int s = STEPS / 2; s < STEPS; s++) {
                    t.step();
                }
            } catch (Exception e) { // Spark's own exceptions are checked ones thrown unchecked from Scala
                failure = e;
            }
            if (failure == null) {
                assertArrayEquals(expected, t.weights(), "the run went on after losing executor " + victim);
                System.out.println("lost executor " + victim + " after step 10: the run recomputed and ended equal");
            } else {
                String message = String.valueOf(failure.getMessage());
                assertTrue(message.length() > 20, "a failure must say what was lost: " + failure);
                System.out.println("lost executor " + victim + " after step 10: the run failed with " + failure);
            }
        }
    }
}
