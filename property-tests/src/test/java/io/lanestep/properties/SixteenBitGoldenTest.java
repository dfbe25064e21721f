package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Engine;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.pytorch.TorchOptimizers;
import io.lanestep.replay.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * torch 2.13's fused CPU SGD, Adam, AdamW and Adagrad on bf16 and fp16 tensors (state of the
 * parameter's dtype, as torch makes it), generated here by {@code src/test/python/sixteen_bit_cases.py}:
 * the engine with {@code Formats.all(dtype)} reproduces every step's parameters and the final state
 * at every lane width, 0 ULP (any NaN equal to any NaN).
 *
 * <p>Except torch's fused SGD on 16-bit tensors, whose vector loop (the first {@code n - n mod 16}
 * elements) never writes the parameters and reads the 16-bit momentum buffer as float32 memory:
 * a torch bug Lanestep does not reproduce. For SGD the test checks that those lanes are indeed
 * left as they were (so a fixed torch shows up here) and compares the scalar tail's elements,
 * which torch computes in float32 as Lanestep does every element.
 */
class SixteenBitGoldenTest {
    @Test
    void torchFusedSixteenBitCasesMatchAtEveryWidth() {
        List<GoldenCase> cases = GoldenCase.all(GoldenCase.root2().resolveSibling("cases_16bit"),
                List.of("SGD", "Adam", "AdamW", "Adagrad"));
        assertTrue(cases.size() >= 80, "expected 80 generated 16-bit cases, found " + cases.size());
        List<String> failures = new ArrayList<>();
        for (LaneWidth width : Optimizers.widths().allValues().orElseThrow().toList()) {
            Engine engine = Engine.create(width);
            for (GoldenCase c : cases) {
                String failure = run(c, engine);
                if (failure != null) {
                    failures.add(width + " " + c.name() + ": " + failure);
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + 5 * cases.size() + " runs differ:\n"
                + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
    }

    static Format dtype(GoldenCase c) {
        try {
            Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(c.dir().resolve("case.json")));
            return Format.ofTorch((String) json.get("dtype"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String run(GoldenCase c, Engine engine) {
        Optimizer optimizer = TorchOptimizers.create(c.optimizer(), c.kwargs(), "2.13.0");
        Format format = dtype(c);
        float[] grads = c.floats("grads.f32");
        float[] expected = c.floats("params_steps.f32");
        int n = c.n();
        float[] params0 = c.floats("params0.f32");
        int from = c.optimizer().equals("SGD") ? n - n % 16 : 0;
        for (int t = 0; t < c.steps(); t++) {
            for (int i = 0; i < from; i++) {
                if (!GoldenCase.sameValue(expected[t * n + i], params0[i])) {
                    return "torch's 16-bit fused SGD moved element " + i + " of its vector loop: compare every element";
                }
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = SixteenBitKernelProperties.place(arena, c.floats("params0.f32"), format, 0);
            OptimizerState state = optimizer.newState(n, arena, Formats.all(format));
            for (int t = 0; t < c.steps(); t++) {
                MemorySegment g = SixteenBitKernelProperties.place(arena,
                        Arrays.copyOfRange(grads, t * n, (t + 1) * n), format, 0);
                engine.step(optimizer, state, params, g);
                String diff = diff("params after step " + (t + 1), params, format,
                        Arrays.copyOfRange(expected, t * n, (t + 1) * n), from);
                if (diff != null) {
                    return diff;
                }
            }
            for (String key : state.keys()) {
                if (c.has(key + ".f32")) {
                    String diff = diff("state " + key, state.slot(key), format, c.floats(key + ".f32"), from);
                    if (diff != null) {
                        return diff;
                    }
                }
            }
        }
        return null;
    }

    private static String diff(String what, MemorySegment actual, Format format, float[] expected, int from) {
        for (int i = from; i < expected.length; i++) {
            float a = SixteenBitKernelProperties.read(actual, format, i);
            if (!GoldenCase.sameValue(a, expected[i])) {
                return what + ", element " + i + " of " + expected.length + ": " + a + " != PyTorch " + expected[i];
            }
        }
        return null;
    }
}
