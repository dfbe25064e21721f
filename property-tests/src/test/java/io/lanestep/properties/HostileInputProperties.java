package io.lanestep.properties;

import io.lanestep.Adam;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Lamb;
import io.lanestep.LaneWidth;
import io.lanestep.Lars;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.Rmsprop;
import io.lanestep.Rprop;
import io.lanestep.Sgd;
import io.lanestep.SignalToNoiseSgd;
import io.lanestep.reference.Reference;
import io.lanestep.reference.ReferenceState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Hostile calls: every call either succeeds with the reference's answer or is refused with a
 * message naming the argument, and a refused call changes nothing.
 */
class HostileInputProperties implements OptimizerDomain {
    private static final List<Double> EXTREMES = List.of(-1.0, -0.0, 0.0, 1e-45, 0.5, 1.0, 1.0000001, 2.0, 1e30,
            Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN);

    @Property(tries = 600)
    void hyperparametersAtAndBeyondTheirLimits(@ForAll("extreme") double a, @ForAll("extreme") double b,
                                               @ForAll("extreme") double c, @ForAll @IntRange(max = 8) int kind,
                                               @ForAll("widths") LaneWidth width, @ForAll long seed) {
        Supplier<Optimizer> make = switch (kind) {
            case 0 -> () -> new Sgd(a, b, c, 0, false, false);
            case 1 -> () -> new Adam(1e-3, a, b, c, 0, false, false);
            case 2 -> () -> new Rmsprop(a, b, c, 0, 0, true, false);
            case 3 -> () -> new SignalToNoiseSgd(a, 3, b, c, 0.01);
            case 4 -> () -> new Rprop(0.01, a, b, 1e-6, 50, false);
            case 5 -> () -> new Lars(a, b, c, 1e-3, 0);
            case 6 -> () -> new Lars(0.1, 0.9, 0, a, b);
            case 7 -> () -> new Lamb(a, b, c, 1e-6, 0.01);
            default -> () -> new Adam(a, 0.9, 0.999, b, c, true, false);
        };
        Optimizer optimizer;
        try {
            optimizer = make.get();
        } catch (IllegalArgumentException e) {
            requireNamed(e, "lr", "momentum", "dampening", "weightDecay", "beta1", "beta2", "eps", "alpha",
                    "batchSize", "lambdaB", "lambdaEta", "etas", "stepMin", "stepMax", "trustCoefficient");
            return;
        }
        int n = 37;
        SplittableRandom random = new SplittableRandom(seed);
        float[] params = Data.NORMAL.fill(n, random);
        float[] grads = Data.NORMAL.fill(n, random);
        ReferenceState reference = new ReferenceState(optimizer, n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = Floats.copyOf(arena, params);
            Engine.create(width).step(optimizer, optimizer.newState(n, arena), p, Floats.copyOf(arena, grads));
            Reference.step(optimizer, params, grads, reference);
            Harness.compare(optimizer.toString(), "params", Floats.toArray(p), params, params);
        }
    }

    /** Which hostile shape of call to make. */
    enum Call { SHORT_GRADS, LONG_PARAMS, PARAMS_ARE_STATE, GRADS_ARE_STATE, UNALIGNED_BYTES, ODD_LENGTH }

    @Property(tries = 400)
    void hostileShapesAreRefusedUntouchedOrMatchTheReference(@ForAll Call call, @ForAll("lengths") int n,
                                                             @ForAll @IntRange(min = 1, max = 3) int byteOffset,
                                                             @ForAll("widths") LaneWidth width, @ForAll long seed) {
        Optimizer optimizer = new Adam(1e-2, 0.9, 0.99, 1e-8, 0.01, true, false);
        SplittableRandom random = new SplittableRandom(seed);
        float[] params = Data.SPECIAL.fill(n, random);
        float[] grads = Data.SPECIAL.fill(n, random);
        Engine engine = Engine.create(width);
        try (Arena arena = Arena.ofConfined()) {
            OptimizerState state = optimizer.newState(n, arena);
            MemorySegment p = Floats.copyOf(arena, params);
            MemorySegment g = Floats.copyOf(arena, grads);
            MemorySegment slot = state.slot(Adam.EXP_AVG);
            float[] slotBefore = Floats.toArray(slot);
            try {
                switch (call) {
                    case SHORT_GRADS -> engine.step(optimizer, state, p, Floats.copyOf(arena, Arrays.copyOf(grads,
                            Math.max(0, n - 1))));
                    case LONG_PARAMS -> engine.step(optimizer, state, Floats.copyOf(arena, Arrays.copyOf(params, n + 1)), g);
                    case PARAMS_ARE_STATE -> engine.step(optimizer, state, slot, g);
                    case GRADS_ARE_STATE -> engine.step(optimizer, state, p, slot);
                    case UNALIGNED_BYTES, ODD_LENGTH -> {
                        // Floats at a byte offset that is no multiple of 4: nothing requires alignment.
                        MemorySegment raw = arena.allocate(4L * n + 8, 64).asSlice(byteOffset, 4L * n);
                        MemorySegment.copy(params, 0, raw, Floats.LAYOUT, 0, n);
                        engine.step(optimizer, state, raw, g);
                        ReferenceState reference = new ReferenceState(optimizer, n);
                        Reference.step(optimizer, params, grads, reference);
                        Harness.compare("unaligned", "params", Floats.toArray(raw), params, params);
                        return;
                    }
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                requireNamed(e, "params", "grads", "state");
                Harness.compare(call.toString(), "params", Floats.toArray(p), params, params);
                Harness.compare(call.toString(), "exp_avg", Floats.toArray(slot), slotBefore, params);
                if (state.step() != 0) {
                    throw new AssertionError("the step counter moved on a refused call");
                }
                return;
            }
            // Only empty blocks can take these shapes: no floats differ in length or overlap.
            if (n > 0 || call == Call.LONG_PARAMS) {
                throw new AssertionError(call + " with n=" + n + " was accepted");
            }
        }
    }

    private static void requireNamed(RuntimeException e, String... names) {
        String message = e.getMessage();
        if (message == null || Arrays.stream(names).noneMatch(message::contains)) {
            throw new AssertionError("refusal names no argument: " + message, e);
        }
    }

    @Provide
    Arbitrary<Double> extreme() {
        return Arbitraries.of(EXTREMES);
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.of(0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000);
    }
}
