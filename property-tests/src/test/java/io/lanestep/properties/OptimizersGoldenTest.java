package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine reproduces the float32 trajectories of the optimizers of 2024-26 (timm 1.0.29, optax
 * 0.2.8's jitted steps) at 0 ULP, at every lane width, the caution mask included: every step's
 * parameters and the final state.
 */
class OptimizersGoldenTest {
    static final List<String> OPTIMIZERS = List.of("timm.optim.Adopt", "timm.optim.Adan", "timm.optim.Lion",
            "timm.optim.AdamWLegacy", "timm.optim.LaProp", "timm.optim.Mars",
            "optax.contrib.ademamix", "optax.contrib.simplified_ademamix",
            "optax.contrib.schedule_free_adamw", "optax.contrib.schedule_free_sgd", "optax.contrib.prodigy");

    @Test
    void everySampleCaseMatchesAtEveryWidth() {
        List<GoldenCase> cases = GoldenCase.all(GoldenCase.root3(), OPTIMIZERS);
        assertEquals(30 + 22 + 20 + 19 + 10 + 15 + 11 + 11 + 12 + 13 + 12, cases.size(), "timm's ADOPT, Adan, Lion, AdamWLegacy, LaProp, MARS, optax's"
                + " AdEMAMix, simplified AdEMAMix, Schedule-Free and Prodigy cases under " + GoldenCase.root3());
        PyTorch2GoldenTest.assertEveryCaseMatches(cases);
    }

    /**
     * optax's {@code contrib.adopt}, jitted on one XLA CPU thread (cases made by
     * {@code src/test/python/optax_adopt_cases.py}; the long one passes step counts where XLA's
     * {@code powf} is not correctly rounded).
     */
    @Test
    void optaxAdoptMatchesAtEveryWidth() {
        Path root = Path.of("src/test/resources/optax-adopt-golden/cases");
        List<GoldenCase> cases = GoldenCase.all(root, List.of("optax.contrib.adopt"));
        assertEquals(21, cases.size(), "optax ADOPT cases under " + root);
        PyTorch2GoldenTest.assertEveryCaseMatches(cases);
    }

    /**
     * optax's {@code contrib.ademamix} given the paper's warm-ups of {@code alpha} (optax's
     * {@code linear_schedule}) and {@code b3} (a float32 table of the schedule's values), and
     * {@code contrib.simplified_ademamix} given {@code alpha}'s, made by
     * {@code src/test/python/optax_ademamix_warmup_cases.py}.
     */
    @Test
    void optaxAdEMAMixWarmupsMatchAtEveryWidth() {
        Path root = Path.of("src/test/resources/optax-ademamix-warmup-golden/cases");
        List<GoldenCase> cases = GoldenCase.all(root, List.of("optax.contrib.ademamix",
                "optax.contrib.simplified_ademamix"));
        assertEquals(6 + 2, cases.size(), "optax AdEMAMix warm-up cases under " + root);
        PyTorch2GoldenTest.assertEveryCaseMatches(cases);
    }
}
