package io.lanestep.properties;

import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Group;
import io.lanestep.LaneWidth;
import io.lanestep.NonFinite;
import io.lanestep.Optimizer;
import io.lanestep.replay.Json;
import io.lanestep.pytorch.TorchOptimizers;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Example;

/**
 * Clipping against PyTorch 1.13.1 itself: models of six tensors, {@code clip_grad_norm_} or
 * {@code clip_grad_value_}, then SGD, Adam, AdamW or RMSprop, three steps (cases written by
 * {@code src/test/python/clip_cases.py}). By value, the fused clamp gives PyTorch's parameters at
 * 0 ULP. By norm, the engine's fused step given PyTorch's own coefficient gives PyTorch's
 * parameters at 0 ULP; the engine's global norm, whose summation order is its own, and so its
 * coefficient are within a relative 2e-5 of PyTorch's (the documented bound is 7.6e-6 for the norm).
 */
class PyTorchClippingTest {
    private static final Path ROOT = Path.of(System.getProperty("golden.dir", "src/test/resources/pytorch-golden"))
            .resolveSibling("pytorch-clipping");

    private double worstNormError;
    private int worstCoefficientUlps;

    @Example
    void fusedClippingStepsMatchPyTorch() throws IOException {
        List<Path> cases;
        try (Stream<Path> dirs = Files.list(ROOT)) {
            cases = dirs.filter(d -> Files.exists(d.resolve("case.json"))).sorted().toList();
        }
        if (cases.size() < 7) {
            throw new AssertionError("expected 7 clipping cases under " + ROOT + ", found " + cases.size());
        }
        List<String> failures = new ArrayList<>();
        for (LaneWidth width : Optimizers.widths().allValues().orElseThrow().toList()) {
            for (Path dir : cases) {
                failures.addAll(run(dir, Engine.create(width)).stream().map(f -> width + " " + f).toList());
            }
        }
        System.out.printf("CLIPPING: %d PyTorch cases at every width; global norm within %.2e (relative) of"
                + " torch's, coefficient within %d ulp%n", cases.size(), worstNormError, worstCoefficientUlps);
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " mismatches:\n" + String.join("\n", failures));
        }
    }

    @SuppressWarnings("unchecked")
    private List<String> run(Path dir, Engine engine) throws IOException {
        Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("case.json")));
        GoldenCase files = new GoldenCase(dir, (String) json.get("optimizer"), Map.of(), 0, 0);
        Optimizer optimizer = TorchOptimizers.create(files.optimizer(), (Map<String, Object>) json.get("kwargs"));
        List<Integer> sizes = ((List<Object>) json.get("sizes")).stream().map(s -> ((Number) s).intValue()).toList();
        int steps = ((Number) json.get("T")).intValue();
        boolean byNorm = json.get("clip").equals("norm");
        double value = ((Number) json.get("value")).doubleValue();
        List<Object> torchNorms = (List<Object>) json.get("total_norms");
        float[] params0 = files.floats("params0.f32");
        float[] grads = files.floats("grads.f32");
        float[] expected = files.floats("params_steps.f32");
        int total = params0.length;
        List<String> failures = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            List<Block> blocks = new ArrayList<>();
            List<MemorySegment> gradSegments = new ArrayList<>();
            MemorySegment params = Floats.copyOf(arena, params0);
            MemorySegment gradRow = Floats.allocate(arena, total);
            long offset = 0;
            for (int n : sizes) {
                MemorySegment g = gradRow.asSlice(offset * Float.BYTES, (long) n * Float.BYTES);
                blocks.add(new Block(optimizer.newState(n, arena), params.asSlice(offset * Float.BYTES,
                        (long) n * Float.BYTES), g));
                gradSegments.add(g);
                offset += n;
            }
            List<Group> model = List.of(new Group(optimizer, blocks));
            for (int t = 0; t < steps; t++) {
                MemorySegment.copy(grads, t * total, gradRow, Floats.LAYOUT, 0, total);
                String where = dir.getFileName() + " step " + (t + 1);
                if (byNorm) {
                    float torchNorm = ((Number) torchNorms.get(t)).floatValue();
                    double norm = engine.globalNorm(gradSegments);
                    worstNormError = Math.max(worstNormError, Math.abs(norm - torchNorm) / torchNorm);
                    if (Math.abs(norm - torchNorm) > 2e-5 * torchNorm) {
                        failures.add(where + ": norm " + norm + " vs torch " + torchNorm);
                    }
                    // PyTorch computes the coefficient in float32: max_norm / (total_norm + 1e-6), clamped to 1.
                    float torchCoefficient = Math.min(1f, (float) value / (torchNorm + 1e-6f));
                    float ours = (float) Engine.clipCoefficient(value, norm);
                    worstCoefficientUlps = Math.max(worstCoefficientUlps,
                            Math.abs(Float.floatToIntBits(ours) - Float.floatToIntBits(torchCoefficient)));
                    // The norms may differ by the bound above; the formula (the 1e-6, the clamp at 1) may not.
                    if (Math.abs(ours - torchCoefficient) > 2e-5 * torchCoefficient + 2 * Math.ulp(torchCoefficient)) {
                        failures.add(where + ": coefficient " + ours + " vs torch " + torchCoefficient);
                    }
                    engine.step(model, NonFinite.PROPAGATE, torchCoefficient);
                } else {
                    engine.step(model, NonFinite.PROPAGATE, 1f, (float) value);
                }
                float[] actual = Floats.toArray(params);
                for (int i = 0; i < total; i++) {
                    if (!GoldenCase.sameValue(actual[i], expected[t * total + i])) {
                        failures.add(where + ": params[" + i + "] " + actual[i] + " vs torch "
                                + expected[t * total + i]);
                        break;
                    }
                }
            }
            float[] unwritten = Floats.toArray(gradRow);
            for (int i = 0; i < total; i++) {
                if (Float.floatToRawIntBits(unwritten[i]) != Float.floatToRawIntBits(grads[(steps - 1) * total + i])) {
                    failures.add(dir.getFileName() + ": gradient " + i + " was written");
                    break;
                }
            }
        }
        return failures;
    }
}
