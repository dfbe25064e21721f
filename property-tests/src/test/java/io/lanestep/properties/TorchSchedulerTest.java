package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Optimizer;
import io.lanestep.Sgd;
import io.lanestep.pytorch.LrScheduler;
import io.lanestep.pytorch.TorchOptimizers;
import io.lanestep.pytorch.TorchSchedulers;
import io.lanestep.replay.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every torch 2.13 scheduler sequence of the sample, to the last bit of the double: the rate after
 * construction and after every step, and the cycled momentum; and again after a state-dict round
 * trip half way.
 */
class TorchSchedulerTest {
    static Path root() {
        return Path.of(System.getProperty("golden2.dir", "src/test/resources/pytorch2-golden"));
    }

    /**
     * The sample's sequences ({@code cases_lr}) and those generated here with torch 2.13 by
     * {@code src/test/python/lr_schedulers.py} ({@code cases_lr_generated}): every scheduler and mode.
     */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> cases() throws IOException {
        List<Map<String, Object>> cases = new ArrayList<>();
        for (String dir : List.of("cases_lr", "cases_lr_generated")) {
            try (Stream<Path> files = Files.list(root().resolve(dir))) {
                for (Path f : files.sorted().toList()) {
                    if (!f.getFileName().toString().equals("index.json")) {
                        cases.add((Map<String, Object>) Json.parse(Files.readString(f)));
                    }
                }
            }
        }
        return cases;
    }

    @SuppressWarnings("unchecked")
    static LrScheduler build(Map<String, Object> c) {
        Map<String, Object> opt = (Map<String, Object>) c.get("optimizer");
        Optimizer optimizer = TorchOptimizers.create((String) opt.get("cls"), (Map<String, Object>) opt.get("kwargs"));
        return TorchSchedulers.create((String) c.get("scheduler"), (Map<String, Object>) c.get("kwargs"), optimizer);
    }

    /** The first step at which {@code s} leaves {@code c}'s sequence, from step {@code from} on, or null. */
    @SuppressWarnings("unchecked")
    static String follow(Map<String, Object> c, LrScheduler s, int from, int to) {
        List<Object> lrs = (List<Object>) c.get("lrs");
        List<Object> momentums = (List<Object>) c.get("momentums");
        List<Object> metrics = (List<Object>) c.get("metrics");
        for (int i = from; i < to; i++) {
            if (metrics != null) {
                s.step(((Number) metrics.get(i)).doubleValue());
            } else {
                s.step();
            }
            double expected = ((Number) lrs.get(i)).doubleValue();
            if (Double.doubleToLongBits(s.lr()) != Double.doubleToLongBits(expected)) {
                return "step " + (i + 1) + ": lr " + s.lr() + ", torch " + expected;
            }
            if (momentums != null) {
                double m = ((Number) momentums.get(i)).doubleValue();
                if (Double.doubleToLongBits(s.momentum().orElseThrow()) != Double.doubleToLongBits(m)) {
                    return "step " + (i + 1) + ": momentum " + s.momentum().orElseThrow() + ", torch " + m;
                }
            }
        }
        return null;
    }

    @Test
    void everySampleSequenceMatchesExactly() throws IOException {
        List<Map<String, Object>> cases = cases();
        assertTrue(cases.size() >= 35, "expected 11 sample and 24 generated scheduler cases under " + root()
                + ", found " + cases.size());
        List<String> failures = new ArrayList<>();
        for (Map<String, Object> c : cases) {
            LrScheduler s = build(c);
            if (((Number) c.get("lr_initial")).doubleValue() != s.lr()) {
                failures.add(c.get("name") + ": initial lr " + s.lr() + ", torch " + c.get("lr_initial"));
                continue;
            }
            int steps = ((Number) c.get("steps")).intValue();
            String failure = follow(c, s, 0, steps);
            if (failure != null) {
                failures.add(c.get("name") + " " + failure);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " sequences differ:\n" + String.join("\n", failures));
    }

    @Test
    void aStateDictRoundTripContinuesTheSequence() throws IOException {
        for (Map<String, Object> c : cases()) {
            int steps = ((Number) c.get("steps")).intValue();
            LrScheduler first = build(c);
            assertEquals(null, follow(c, first, 0, steps / 2), c.get("name") + " before the round trip");
            Map<String, Object> saved = castMap((Map<?, ?>) asJson(first.stateDict()));
            LrScheduler second = build(c);
            second.loadStateDict(saved);
            assertEquals(null, follow(c, second, steps / 2, steps), c.get("name") + " after the round trip");
        }
    }

    /**
     * {@code save} and {@code restore} through one stream that also carries bytes after the state:
     * every scheduler continues its sequence, and restore reads exactly its own bytes; a cut or
     * flipped state is refused and the scheduler keeps its place.
     */
    @Test
    void aSavedStateInAStreamContinuesTheSequence() throws IOException {
        for (Map<String, Object> c : cases()) {
            int steps = ((Number) c.get("steps")).intValue();
            LrScheduler first = build(c);
            assertEquals(null, follow(c, first, 0, steps / 2), c.get("name") + " before the save");
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            first.save(out);
            out.write(new byte[] {1, 2, 3});
            byte[] bytes = out.toByteArray();

            LrScheduler damaged = build(c);
            Map<String, Object> fresh = damaged.stateDict();
            for (int cut : new int[] {0, 11, bytes.length / 2, bytes.length - 4}) {
                byte[] part = java.util.Arrays.copyOf(bytes, cut);
                assertThrows(io.lanestep.CheckpointException.class,
                        () -> damaged.restore(new java.io.ByteArrayInputStream(part)), c.get("name") + " cut at " + cut);
            }
            byte[] flipped = bytes.clone();
            flipped[bytes.length - 8] ^= 1;
            assertThrows(io.lanestep.CheckpointException.class,
                    () -> damaged.restore(new java.io.ByteArrayInputStream(flipped)), c.get("name") + " flipped");
            assertEquals(fresh, damaged.stateDict(), c.get("name") + ": a refused restore changed the scheduler");

            LrScheduler second = build(c);
            java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(bytes);
            second.restore(in);
            assertEquals(3, in.available(), c.get("name") + ": restore read past its state");
            assertEquals(null, follow(c, second, steps / 2, steps), c.get("name") + " after the restore");
        }
    }

    /** What a JSON round trip makes of a state dict: every number a Double, fresh maps and lists. */
    private static Object asJson(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, asJson(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(TorchSchedulerTest::asJson).toList();
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    @Test
    void argumentsTorchRefusesAreRefusedWithTorchsReason() {
        Sgd sgd = new Sgd(0.1, 0, 0, 0, false, false);
        refused("LinearLR", Map.of("start_factor", 0.0), sgd,
                "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
        refused("LinearLR", Map.of("end_factor", 1.5), sgd,
                "Ending multiplicative factor expected to be between 0 and 1.");
        refused("CosineAnnealingWarmRestarts", Map.of("T_0", 0), sgd, "Expected positive integer T_0, but got 0");
        refused("CosineAnnealingWarmRestarts", Map.of("T_0", 5, "T_mult", 0), sgd,
                "Expected integer T_mult >= 1, but got 0");
        refused("OneCycleLR", Map.of("max_lr", 0.1, "total_steps", 0), sgd, "Expected positive integer total_steps");
        refused("OneCycleLR", Map.of("max_lr", 0.1, "total_steps", 10, "pct_start", 1.5), sgd,
                "Expected float between 0 and 1 pct_start, but got 1.5");
        refused("OneCycleLR", Map.of("max_lr", 0.1, "total_steps", 10, "anneal_strategy", "exp"), sgd,
                "anneal_strategy must be one of 'cos' or 'linear', instead got exp");
        refused("OneCycleLR", Map.of("max_lr", 0.1), sgd,
                "You must define either total_steps OR (epochs AND steps_per_epoch)");
        refused("CyclicLR", Map.of("base_lr", 0.1, "max_lr", 1.0, "mode", "square"), sgd,
                "mode is invalid and scale_fn is None");
        refused("CyclicLR", Map.of("base_lr", 0.1, "max_lr", 1.0), TorchOptimizers.create("Rprop", Map.of()),
                "optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
        refused("ReduceLROnPlateau", Map.of("factor", 1.0), sgd, "Factor should be < 1.0.");
        refused("ReduceLROnPlateau", Map.of("mode", "up"), sgd, "mode up is unknown!");
        refused("ReduceLROnPlateau", Map.of("threshold_mode", "pct"), sgd, "threshold mode pct is unknown!");
        refused("SequentialLR", Map.of("schedulers", List.of(Map.of("scheduler", "StepLR",
                "kwargs", Map.of("step_size", 2))), "milestones", List.of(3)), sgd,
                "Sequential Schedulers expects number of schedulers provided to be one more than the number of"
                        + " milestone points, but got number of schedulers 1 and the number of milestones to be"
                        + " equal to 1");
        refused("StepLR", Map.of("step_size", 2, "last_epoch", 4), sgd,
                "StepLR.__init__() got an unexpected keyword argument 'last_epoch'");
        refused("StepLR", Map.of("step_size", 2.5), sgd, "StepLR kwarg 'step_size' must be an integer, got 2.5");
        refused("LambdaLR", Map.of(), sgd, "no scheduler 'LambdaLR'");
        refused("CosineAnnealingLR", Map.of("T_max", 0), sgd, "CosineAnnealingLR T_max must be nonzero");
        refused("CosineAnnealingLR", Map.of("T_max", Long.MIN_VALUE), sgd, "within 2^53 steps");
        LrScheduler plateau = TorchSchedulers.create("ReduceLROnPlateau", Map.of(), sgd);
        assertThrows(UnsupportedOperationException.class, plateau::step);
        LrScheduler step = TorchSchedulers.create("StepLR", Map.of("step_size", 2), sgd);
        Map<String, Object> state = step.stateDict();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plateau.loadStateDict(state));
        assertTrue(e.getMessage().startsWith("this state dict is of StepLR, not ReduceLROnPlateau"), e.getMessage());
        state.remove("lr");
        step.step();
        double before = step.lr();
        e = assertThrows(IllegalArgumentException.class, () -> step.loadStateDict(state));
        assertTrue(e.getMessage().contains("lacks 'lr'"), e.getMessage());
        assertEquals(before, step.lr());
    }

    private static void refused(String name, Map<String, ?> kwargs, Optimizer optimizer, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchSchedulers.create(name, kwargs, optimizer));
        assertTrue(e.getMessage().contains(reason), name + ": " + e.getMessage());
    }
}
