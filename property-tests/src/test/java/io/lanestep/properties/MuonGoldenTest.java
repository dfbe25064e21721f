package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.Muon;
import io.lanestep.OptimizerState;
import io.lanestep.Sgd;
import io.lanestep.pytorch.TorchOptimizers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Muon against torch.optim.Muon's trajectories (bf16 iterations) and against Muon with float64
 * iterations ({@code muon64ns}, for the float32 precision), at every lane width and with two
 * threads: the momentum buffer bit for bit, the parameters within each case's stated bound,
 * {@code |p - torch| <= t·step_bound + 4 ulp} after step {@code t}.
 */
class MuonGoldenTest {
    static final String TORCH = "torch.optim.Muon";
    static final String FLOAT64 = "reference.Muon(float64 Newton-Schulz)";

    @Test
    void everySampleCaseIsWithinItsBound() {
        List<GoldenCase> cases = GoldenCase.all(GoldenCase.root3(), List.of(TORCH, FLOAT64));
        assertEquals(19 + 16, cases.size(), "torch.optim.Muon and float64 Muon cases under " + GoldenCase.root3());
        List<String> failures = new ArrayList<>();
        for (LaneWidth width : Optimizers.widths().allValues().orElseThrow().toList()) {
            for (int threads : new int[] {1, 2}) {
                try (Engine engine = Engine.create(width, threads)) {
                    for (GoldenCase c : cases) {
                        String failure = run(c, engine);
                        if (failure != null) {
                            failures.add(width + " x" + threads + " " + c.name() + ": " + failure);
                        }
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " Muon cases out of bound:\n"
                + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
    }

    static Muon muon(GoldenCase c) {
        Muon muon = (Muon) TorchOptimizers.create("Muon", c.kwargs(), "2.13.0");
        return c.optimizer().equals(FLOAT64) ? muon.withPrecision(Muon.Precision.FP32) : muon;
    }

    /** Null when every step is within bound and the momentum buffer equals torch's. */
    static String run(GoldenCase c, Engine engine) {
        Muon muon = muon(c);
        long[] shape = c.shape();
        float[] grads = c.floats("grads.f32");
        float[] expected = c.floats("params_steps.f32");
        double bound = c.toleranceNumber("step_bound");
        int n = c.n();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = Floats.copyOf(arena, c.floats("params0.f32"));
            MemorySegment g = Floats.allocate(arena, n);
            OptimizerState state = muon.newState(shape[0], shape[1], arena);
            for (int t = 0; t < c.steps(); t++) {
                MemorySegment.copy(grads, t * n, g, Floats.LAYOUT, 0, n);
                engine.step(muon, state, params, g);
                float[] mine = Floats.toArray(params);
                for (int i = 0; i < n; i++) {
                    float torch = expected[t * n + i];
                    double allowed = (t + 1) * bound + 4 * Math.ulp(torch);
                    boolean bothNaN = Float.isNaN(torch) && Float.isNaN(mine[i]);
                    if (!bothNaN && !(Math.abs((double) mine[i] - torch) <= allowed)) {
                        return "step " + (t + 1) + ", element " + i + ": " + mine[i] + " vs torch " + torch
                                + " (bound " + allowed + ")";
                    }
                }
            }
            float[] buffer = Floats.toArray(state.slot(Sgd.MOMENTUM_BUFFER));
            float[] torchBuffer = c.floats("momentum_buffer.f32");
            for (int i = 0; i < n; i++) {
                if (!GoldenCase.sameValue(buffer[i], torchBuffer[i])) {
                    return "momentum_buffer element " + i + ": " + buffer[i] + " != torch " + torchBuffer[i];
                }
            }
        }
        return null;
    }
}
