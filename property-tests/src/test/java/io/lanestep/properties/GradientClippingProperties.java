package io.lanestep.properties;

import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Group;
import io.lanestep.LaneWidth;
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
 * Clipping by global norm inside the fused update equals PyTorch's order of work: gradients
 * multiplied by {@code f(coefficient)} in place, then the optimizer step (here: the reference on
 * pre-scaled gradients), bit for bit, at every width and thread count; the gradients stay unwritten.
 */
class GradientClippingProperties implements OptimizerDomain {

    @Property(tries = 150)
    void clippedStepEqualsScalingTheGradientsThenStepping(@ForAll("optimizers") Optimizer optimizer,
                                                         @ForAll("widths") LaneWidth width,
                                                         @ForAll @IntRange(max = 300) int n,
                                                         @ForAll boolean large, @ForAll long seed) {
        int length = large ? 140_000 + n : n;
        SplittableRandom random = new SplittableRandom(seed);
        float[] params = Data.SPECIAL.fill(length, random);
        float[] grads = Data.SPECIAL.fill(length, random);
        try (Arena arena = Arena.ofShared();
             Engine engine = Engine.create(width, large ? 2 : 1)) {
            MemorySegment p = Floats.copyOf(arena, params);
            MemorySegment g = Floats.copyOf(arena, grads);
            OptimizerState state = optimizer.newState(length, arena);
            double norm = engine.globalNorm(List.of(g));
            float scale = (float) Engine.clipCoefficient(1.0, norm);
            engine.step(List.of(new Group(optimizer, List.of(new Block(state, p, g)))), NonFinite.PROPAGATE, scale);

            float[] scaled = grads.clone();
            for (int i = 0; i < length; i++) {
                scaled[i] = grads[i] * scale;
            }
            ReferenceState reference = new ReferenceState(optimizer, length);
            Reference.step(optimizer, params, scaled, reference);
            String where = optimizer + " at " + width + ", n=" + length + ", scale " + scale;
            Harness.compare(where, "params", Floats.toArray(p), params, params);
            for (String key : optimizer.stateKeys()) {
                Harness.compare(where, key, Floats.toArray(state.slot(key)), reference.slot(key), params);
            }
            Harness.compare(where, "grads (must stay unwritten)", Floats.toArray(g), grads, grads);
        }
    }
}
