package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.lanestep.Adafactor;
import io.lanestep.Adam;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.LaneWidth;
import io.lanestep.Mars;
import io.lanestep.NAdam;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.ScheduleFree;
import io.lanestep.pytorch.TorchOptimizers;
import io.lanestep.reference.Approx;
import io.lanestep.reference.NAdamReference;
import io.lanestep.reference.Reference;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Example;

/**
 * The engine reproduces PyTorch 1.13.1's float32 trajectories at 0 ULP, at every lane width;
 * NAdam follows PyTorch 2.x's momentum schedule instead and is checked against that formula.
 */
class PyTorchGoldenTest {

    @Example
    void everySampleCaseMatchesAtEveryWidth() {
        List<GoldenCase> cases = GoldenCase.all(TorchOptimizers.supported()).stream()
                .filter(c -> !c.optimizer().equals("NAdam")).toList();
        if (cases.size() < 67) {
            throw new AssertionError("expected the 67 sample cases of optimizers other than NAdam, found "
                    + cases.size() + " under " + GoldenCase.root());
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

    /**
     * On the NAdam sample's inputs: every step agrees with PyTorch 2.x's formula evaluated in
     * double precision ({@link Reference#model}, within its rounding bound); the state that the μ fix
     * does not touch (mu_product, step, and the moments when nothing feeds params back into the
     * gradient) equals 1.13.1's bit for bit; and the parameters differ from 1.13.1's, whose
     * extra μ factor Lanestep does not reproduce.
     */
    @Example
    void nadamFollowsTheTwoXFormulaOnTheSampleInputs() {
        List<GoldenCase> cases = GoldenCase.all(List.of("NAdam"));
        if (cases.size() < 3) {
            throw new AssertionError("expected 3 NAdam sample cases, found " + cases.size());
        }
        Engine engine = Engine.create();
        for (GoldenCase c : cases) {
            NAdam nadam = (NAdam) TorchOptimizers.create(c.optimizer(), c.kwargs());
            float[] grads = c.floats("grads.f32");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment params = Floats.copyOf(arena, c.floats("params0.f32"));
                MemorySegment g = Floats.allocate(arena, c.n());
                OptimizerState state = nadam.newState(c.n(), arena);
                for (int t = 0; t < c.steps(); t++) {
                    float[] p0 = Floats.toArray(params);
                    float[] m0 = Floats.toArray(state.slot(Adam.EXP_AVG));
                    float[] v0 = Floats.toArray(state.slot(Adam.EXP_AVG_SQ));
                    float[] scalars = {state.scalar(NAdam.MU_PRODUCT)};
                    long before = state.step();
                    MemorySegment.copy(grads, t * c.n(), g, Floats.LAYOUT, 0, c.n());
                    engine.step(nadam, state, params, g);
                    float[] p1 = Floats.toArray(params);
                    for (int i = 0; i < c.n(); i++) {
                        Approx expected = NAdamReference.element(nadam, p0[i], grads[t * c.n() + i],
                                new float[] {m0[i], v0[i]}, scalars, before + 1)[0];
                        if (!expected.admits(p1[i])) {
                            throw new AssertionError(c.name() + " step " + (t + 1) + " param " + i + ": " + p1[i]
                                    + " vs 2.x formula " + expected.value() + " within " + expected.error());
                        }
                    }
                }
                assertEquals(c.floats("mu_product.f32")[0], state.scalar(NAdam.MU_PRODUCT), c.name());
                assertEquals(c.floats("step.f32")[0], (float) state.step(), c.name());
                if (nadam.weightDecay() == 0) {
                    assertArrayEquals(c.floats("exp_avg.f32"), Floats.toArray(state.slot(Adam.EXP_AVG)), c.name());
                    assertArrayEquals(c.floats("exp_avg_sq.f32"), Floats.toArray(state.slot(Adam.EXP_AVG_SQ)),
                            c.name());
                }
                assertNotNull(diff("params", Floats.toArray(params), c.floats("params_final.f32"), 0),
                        c.name() + " matches 1.13.1, whose extra μ factor Lanestep does not reproduce");
            }
        }
    }

    /** Runs the case; null when every step's params and the final state match. */
    static String run(GoldenCase c, Engine engine) {
        return run(c, engine, "1.13.1", false);
    }

    /**
     * Runs the case as torch {@code version} would, with params and grads in native memory or on
     * the heap; null when every step and the final state match.
     */
    static String run(GoldenCase c, Engine engine, String version, boolean heap) {
        Optimizer optimizer = TorchOptimizers.create(c.optimizer(), c.kwargs(), version);
        float[] grads = c.floats("grads.f32");
        float[] expected = c.floats("params_steps.f32");
        long[] shape = c.shape();
        int paramUlps = c.ulps("ulps");
        int stateUlps = c.ulps("state_ulps");
        if (optimizer instanceof Mars m && shape.length < 2) {
            optimizer = m.forVectors(); // timm picks MARS's rule by the parameter's rank
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = heap ? MemorySegment.ofArray(c.floats("params0.f32"))
                    : Floats.copyOf(arena, c.floats("params0.f32"));
            MemorySegment g = heap ? MemorySegment.ofArray(new float[c.n()]) : Floats.allocate(arena, c.n());
            OptimizerState state = optimizer instanceof Adafactor a && shape.length == 2
                    ? a.newState(shape[0], shape[1], arena) : optimizer.newState(c.n(), arena);
            float[] evalSteps = c.has("eval_params_steps.f32") ? c.floats("eval_params_steps.f32") : null;
            MemorySegment eval = MemorySegment.ofArray(new float[c.n()]);
            for (int t = 0; t < c.steps(); t++) {
                MemorySegment.copy(grads, t * c.n(), g, Floats.LAYOUT, 0, c.n());
                engine.step(optimizer, state, params, g);
                String diff = diff("params after step " + (t + 1), Floats.toArray(params),
                        Arrays.copyOfRange(expected, t * c.n(), (t + 1) * c.n()), paramUlps);
                if (diff == null && evalSteps != null) {
                    ScheduleFree.evalParams(state, params, eval);
                    diff = diff("eval params after step " + (t + 1), Floats.toArray(eval),
                            Arrays.copyOfRange(evalSteps, t * c.n(), (t + 1) * c.n()), paramUlps);
                }
                if (diff != null) {
                    return diff;
                }
            }
            for (String key : state.keys()) {
                // optax's state keys are pytree paths: the first transformation's fields are "0.<key>",
                // a wrapped optimizer's "base_optimizer_state.0.<key>".
                String file = c.has(key + ".f32") ? key + ".f32" : c.has("0." + key + ".f32") ? "0." + key + ".f32"
                        : "base_optimizer_state.0." + key + ".f32";
                if (c.has(file)) {
                    String diff = diff("state " + key, Floats.toArray(state.slot(key)), c.floats(file), stateUlps);
                    if (diff != null) {
                        return diff;
                    }
                }
            }
            for (String key : optimizer.scalarKeys()) {
                if (c.has(key + ".f32") && !GoldenCase.within(state.scalar(key), c.floats(key + ".f32")[0], stateUlps)) {
                    return "scalar state " + key + " " + state.scalar(key) + " != " + c.floats(key + ".f32")[0];
                }
            }
            if (c.has("step.f32") && c.floats("step.f32")[0] != state.step()) {
                return "step " + state.step() + " != " + c.floats("step.f32")[0];
            }
        }
        return null;
    }

    private static String diff(String what, float[] actual, float[] expected, int ulps) {
        for (int i = 0; i < expected.length; i++) {
            if (!GoldenCase.within(actual[i], expected[i], ulps)) {
                return what + ", element " + i + ": " + actual[i] + " != PyTorch " + expected[i];
            }
        }
        return null;
    }
}
