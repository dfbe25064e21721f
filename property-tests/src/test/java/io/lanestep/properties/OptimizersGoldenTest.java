package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine reproduces the float32 trajectories of the optimizers of 2024-26 (timm 1.0.29, optax
 * 0.2.8's jitted steps) at 0 ULP, at every lane width, the caution mask included: every step's
 * parameters and the final state.
 */
class OptimizersGoldenTest {
    static final List<String> OPTIMIZERS = List.of("timm.optim.Adopt", "timm.optim.Adan", "timm.optim.Lion",
            "timm.optim.AdamWLegacy", "timm.optim.LaProp",
            "optax.contrib.ademamix", "optax.contrib.simplified_ademamix");

    @Test
    void everySampleCaseMatchesAtEveryWidth() {
        List<GoldenCase> cases = GoldenCase.all(GoldenCase.root3(), OPTIMIZERS);
        assertEquals(30 + 22 + 20 + 19 + 10 + 11 + 11, cases.size(), "timm's ADOPT, Adan, Lion, AdamWLegacy, LaProp, optax's"
                + " AdEMAMix and simplified AdEMAMix cases under " + GoldenCase.root3());
        PyTorch2GoldenTest.assertEveryCaseMatches(cases);
    }
}
