package io.lanestep.properties;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.pytorch.TorchOptimizers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Example;

/** The engine reproduces PyTorch 1.13.1's float32 trajectories at 0 ULP, at every lane width. */
class PyTorchGoldenTest {

    @Example
    void everySampleCaseMatchesAtEveryWidth() {
        List<GoldenCase> cases = GoldenCase.all(TorchOptimizers.supported());
        if (cases.size() < 13) {
            throw new AssertionError("expected the 13 SGD sample cases at least, found " + cases.size()
                    + " under " + GoldenCase.root());
        }
        List<String> failures = new ArrayList<>();
        for (LaneWidth width : Optimizers.widths().allValues().orElseThrow().toList()) {
            for (GoldenCase c : cases) {
                String failure = run(c, Engine.create(width));
                if (failure != null) {
                    failures.add(width + " " + c.name() + ": " + failure);
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " golden mismatches:\n" + String.join("\n", failures));
        }
    }

    /** Runs the case; null when every step's params and the final state match. */
    static String run(GoldenCase c, Engine engine) {
        Optimizer optimizer = TorchOptimizers.create(c.optimizer(), c.kwargs());
        float[] grads = c.floats("grads.f32");
        float[] expected = c.floats("params_steps.f32");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = Floats.copyOf(arena, c.floats("params0.f32"));
            MemorySegment g = Floats.allocate(arena, c.n());
            OptimizerState state = optimizer.newState(c.n(), arena);
            for (int t = 0; t < c.steps(); t++) {
                MemorySegment.copy(grads, t * c.n(), g, Floats.LAYOUT, 0, c.n());
                engine.step(optimizer, state, params, g);
                String diff = diff("params after step " + (t + 1), Floats.toArray(params),
                        Arrays.copyOfRange(expected, t * c.n(), (t + 1) * c.n()));
                if (diff != null) {
                    return diff;
                }
            }
            for (String key : state.keys()) {
                if (c.has(key + ".f32")) {
                    String diff = diff("state " + key, Floats.toArray(state.slot(key)), c.floats(key + ".f32"));
                    if (diff != null) {
                        return diff;
                    }
                }
            }
            if (c.has("step.f32") && c.floats("step.f32")[0] != state.step()) {
                return "step " + state.step() + " != " + c.floats("step.f32")[0];
            }
        }
        return null;
    }

    private static String diff(String what, float[] actual, float[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (!GoldenCase.sameValue(actual[i], expected[i])) {
                return what + ", element " + i + ": " + actual[i] + " != PyTorch " + expected[i];
            }
        }
        return null;
    }
}
