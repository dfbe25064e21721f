package io.lanestep.properties;

import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Group;
import io.lanestep.LaneWidth;
import io.lanestep.Lars;
import io.lanestep.NonFinite;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.reference.Reference;
import io.lanestep.reference.ReferenceState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Clipping by global norm and by value inside the fused update equals PyTorch's order of work:
 * gradients multiplied by {@code f(coefficient)} in place ({@code clip_grad_norm_}), then clamped
 * in place ({@code clip_grad_value_}), then the optimizer step (here: the reference on pre-clipped
 * gradients), bit for bit, at every width and thread count; the gradients stay unwritten.
 */
class GradientClippingProperties implements OptimizerDomain {

    @Property(tries = 300)
    void clippedStepEqualsScalingTheGradientsThenStepping(@ForAll("optimizers") Optimizer optimizer,
                                                         @ForAll("widths") LaneWidth width,
                                                         @ForAll @IntRange(max = 300) int n,
                                                         @ForAll boolean large, @ForAll boolean byValue,
                                                         @ForAll boolean special, @ForAll long seed) {
        int length = large ? 140_000 + n : n;
        SplittableRandom random = new SplittableRandom(seed);
        // Special data's huge values overflow the norm (scale 0); normal data gives scales in (0, 1).
        Data data = special ? Data.SPECIAL : Data.NORMAL;
        float[] params = data.fill(length, random);
        float[] grads = data.fill(length, random);
        try (Arena arena = Arena.ofShared();
             Engine engine = Engine.create(width, large ? 2 : 1)) {
            MemorySegment p = Floats.copyOf(arena, params);
            MemorySegment g = Floats.copyOf(arena, grads);
            OptimizerState state = optimizer.newState(length, arena);
            double norm = engine.globalNorm(List.of(g));
            float scale = (float) Engine.clipCoefficient(1.0, norm);
            // LARS refuses clipping by value (its trust ratio takes the unclamped norm): BadInputTest.
            boolean clamped = byValue && !(optimizer instanceof Lars);
            float clipValue = clamped ? clipValue(grads, random) : Float.POSITIVE_INFINITY;
            engine.step(List.of(new Group(optimizer, List.of(new Block(state, p, g)))), NonFinite.PROPAGATE, scale,
                    clipValue);

            float[] scaled = grads.clone();
            for (int i = 0; i < length; i++) {
                scaled[i] = grads[i] * scale;
                if (clamped) {
                    scaled[i] = Math.min(Math.max(scaled[i], -clipValue), clipValue);
                }
            }
            ReferenceState reference = new ReferenceState(optimizer, length);
            Reference.step(optimizer, params, scaled, reference);
            String where = optimizer + " at " + width + ", n=" + length + ", scale " + scale + ", clip " + clipValue;
            Harness.compare(where, "params", Floats.toArray(p), params, params);
            for (String key : optimizer.stateKeys()) {
                Harness.compare(where, key, Floats.toArray(state.slot(key)), reference.slot(key), params);
            }
            Harness.compare(where, "grads (must stay unwritten)", Floats.toArray(g), grads, grads);
        }
    }

    /** A magnitude some gradients exceed: one gradient's own, or 0 (everything clamped to ±0). */
    private static float clipValue(float[] grads, SplittableRandom random) {
        if (grads.length == 0 || random.nextInt(8) == 0) {
            return 0f;
        }
        float magnitude = Math.abs(grads[random.nextInt(grads.length)]);
        return Float.isNaN(magnitude) ? 1f : magnitude;
    }
}
