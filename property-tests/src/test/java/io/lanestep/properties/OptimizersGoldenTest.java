package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Engine;
import io.lanestep.LaneWidth;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine reproduces the float32 trajectories of the optimizers of 2024-26 (timm 1.0.29, optax
 * 0.8's jitted steps) at 0 ULP, at every lane width, the caution mask included: every step's
 * parameters and the final state.
 */
class OptimizersGoldenTest {
    static final List<String> OPTIMIZERS = List.of("timm.optim.Adopt", "timm.optim.Adan", "timm.optim.Lion",
            "timm.optim.AdamWLegacy", "optax.contrib.ademamix", "optax.contrib.simplified_ademamix");

    @Test
    void everySampleCaseMatchesAtEveryWidth() {
        List<GoldenCase> cases = GoldenCase.all(GoldenCase.root3(), OPTIMIZERS);
        assertEquals(30 + 22 + 20 + 19 + 11 + 11, cases.size(), "timm's ADOPT, Adan, Lion, AdamWLegacy, optax's"
                + " AdEMAMix and simplified AdEMAMix cases under " + GoldenCase.root3());
        List<String> failures = new ArrayList<>();
        for (LaneWidth width : Optimizers.widths().allValues().orElseThrow().toList()) {
            Engine engine = Engine.create(width);
            for (GoldenCase c : cases) {
                String failure = PyTorchGoldenTest.run(c, engine, "2.13.0", false);
                if (failure == null && width.bits() == LaneWidth.maxSupportedBits()) {
                    failure = PyTorchGoldenTest.run(c, engine, "2.13.0", true);
                }
                if (failure != null) {
                    failures.add(width + " " + c.name() + ": " + failure);
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " golden mismatches:\n"
                + String.join("\n", failures.subList(0, Math.min(60, failures.size()))));
    }
}
