package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adam;
import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Floats;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.Group;
import io.lanestep.LaneWidth;
import io.lanestep.Muon;
import io.lanestep.NonFinite;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.WeightEma;
import io.lanestep.reference.WeightEmaReference;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * The weight moving average written by the step: the step's own bits untouched, and the average
 * torch's lerp of the new parameters with timm's decay, at every width, thread count and
 * parameter format.
 */
class WeightEmaProperties implements OptimizerDomain {
    private static final ValueLayout.OfShort H = ValueLayout.JAVA_SHORT_UNALIGNED;

    @Provide
    Arbitrary<WeightEma> averages() {
        return Combinators.combine(Arbitraries.of(0.0, 0.3, 0.5, 0.9, 0.999, 1.0), Arbitraries.of(false, true),
                Arbitraries.longs().between(0, 2), Arbitraries.of(0.0, 0.4)).as((decay, warmup, after, least) -> {
                    WeightEma ema = WeightEma.of(decay).withUpdateAfterStep(after).withMinDecay(least);
                    return warmup ? ema.withWarmup(1, 2.0 / 3) : ema;
                });
    }

    /** Mostly blocks one thread steps alone; some that two threads split, in chunks of 4096. */
    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.integers().between(0, 20_000)),
                Tuple.of(1, Arbitraries.integers().between(131_072, 300_000)));
    }

    @Property(tries = 120)
    void theStepIsUnchangedAndTheAverageIsTorchsLerp(@ForAll("optimizers") Optimizer optimizer,
                                                     @ForAll("widths") LaneWidth width,
                                                     @ForAll("averages") WeightEma average,
                                                     @ForAll("lengths") int n,
                                                     @ForAll boolean twoThreads, @ForAll boolean heap,
                                                     @ForAll @IntRange(min = 1, max = 4) int steps,
                                                     @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] start = Data.NORMAL.fill(n, random);
        float[] expected = Data.NORMAL.fill(n, random);
        try (Arena arena = Arena.ofShared();
             Engine engine = twoThreads ? Engine.create(width, 2) : Engine.create(width)) {
            MemorySegment p = heap ? MemorySegment.ofArray(start.clone()) : Floats.copyOf(arena, start);
            MemorySegment alone = Floats.copyOf(arena, start);
            MemorySegment ema = heap ? MemorySegment.ofArray(expected.clone()) : Floats.copyOf(arena, expected);
            OptimizerState state = optimizer.newState(n, arena);
            OptimizerState aloneState = optimizer.newState(n, arena);
            MemorySegment g = Floats.allocate(arena, n);
            List<Group> averaged = List.of(new Group(optimizer, List.of(new Block(state, p, g).withEma(ema)))
                    .withEma(average));
            for (int t = 1; t <= steps; t++) {
                float[] grads = Data.NORMAL.fill(n, random);
                MemorySegment.copy(grads, 0, g, ValueLayout.JAVA_FLOAT, 0, n);
                assertTrue(engine.step(averaged, NonFinite.PROPAGATE));
                engine.step(optimizer, aloneState, alone, Floats.copyOf(arena, grads));
                float[] params = Floats.toArray(alone);
                float w = (float) (1 - WeightEmaReference.decay(t, average.decay(), average.minDecay(),
                        average.updateAfterStep(), average.warmup(), average.warmupGamma(), average.warmupPower()));
                WeightEmaReference.update(expected, params, w);
                String where = optimizer + " at " + width + (twoThreads ? ", 2 threads" : "") + (heap ? ", heap" : "")
                        + ", n=" + n
                        + ", " + average + ", step " + t;
                Harness.compare(where, "params", Floats.toArray(p), params, start);
                for (String key : optimizer.stateKeys()) {
                    Harness.compare(where, key, Floats.toArray(state.slot(key)), Floats.toArray(aloneState.slot(key)),
                            start);
                }
                Harness.compare(where, "ema", Floats.toArray(ema), expected, start);
            }
        }
    }

    @Example
    void muonAveragesItsMatrix() {
        Muon muon = Muon.defaults();
        int rows = 48;
        int cols = 64;
        int n = rows * cols;
        SplittableRandom random = new SplittableRandom(7);
        float[] start = Data.NORMAL.fill(n, random);
        float[] expected = start.clone();
        WeightEma average = WeightEma.of(0.99);
        try (Arena arena = Arena.ofShared()) {
            Engine engine = Engine.create();
            MemorySegment p = Floats.copyOf(arena, start);
            MemorySegment alone = Floats.copyOf(arena, start);
            MemorySegment ema = Floats.copyOf(arena, start);
            MemorySegment g = Floats.allocate(arena, n);
            OptimizerState state = muon.newState(rows, cols, arena);
            OptimizerState aloneState = muon.newState(rows, cols, arena);
            List<Group> model = List.of(new Group(muon, List.of(new Block(state, p, g).withEma(ema))).withEma(average));
            for (int t = 1; t <= 3; t++) {
                MemorySegment.copy(Data.NORMAL.fill(n, random), 0, g, ValueLayout.JAVA_FLOAT, 0, n);
                engine.step(model, NonFinite.PROPAGATE);
                engine.step(muon, aloneState, alone, g);
                float[] params = Floats.toArray(alone);
                WeightEmaReference.update(expected, params, (float) (1 - WeightEmaReference.decay(t, 0.99, 0, 0, false,
                        1, 1)));
                Harness.compare("Muon, step " + t, "params", Floats.toArray(p), params, start);
                Harness.compare("Muon, step " + t, "ema", Floats.toArray(ema), expected, start);
            }
        }
    }

    @Example
    void sixteenBitParamsAverageInTheirFormat() {
        for (Format format : List.of(Format.BF16, Format.FP16)) {
            for (LaneWidth width : LaneWidth.values()) {
                if (width.bits() > LaneWidth.maxSupportedBits()) {
                    continue;
                }
                sixteenBit(format, width, 5_000 + width.bits());
            }
        }
    }

    private static void sixteenBit(Format format, LaneWidth width, int n) {
        SplittableRandom random = new SplittableRandom(n);
        Optimizer adam = Adam.defaults();
        WeightEma average = WeightEma.of(0.9).withWarmup(1, 0.75);
        float[] expected = new float[n];
        try (Arena arena = Arena.ofShared()) {
            Engine engine = Engine.create(width);
            MemorySegment p = arena.allocate(2L * n, 64);
            MemorySegment ema = arena.allocate(2L * n, 64);
            MemorySegment g = arena.allocate(2L * n, 64);
            for (int i = 0; i < n; i++) {
                p.setAtIndex(H, i, narrow(format, (float) random.nextGaussian()));
                ema.setAtIndex(H, i, narrow(format, (float) random.nextGaussian()));
                expected[i] = widen(format, ema.getAtIndex(H, i));
            }
            OptimizerState state = adam.newState(n, arena, new Formats(format, format, Format.FP32));
            List<Group> model = List.of(new Group(adam, List.of(new Block(state, p, g).withEma(ema))).withEma(average));
            for (int t = 1; t <= 4; t++) {
                for (int i = 0; i < n; i++) {
                    g.setAtIndex(H, i, narrow(format, (float) random.nextGaussian()));
                }
                engine.step(model, NonFinite.PROPAGATE);
                float[] params = new float[n];
                for (int i = 0; i < n; i++) {
                    params[i] = widen(format, p.getAtIndex(H, i));
                }
                WeightEmaReference.update(expected, params, (float) (1 - WeightEmaReference.decay(t, 0.9, 0, 0, true,
                        1, 0.75)));
                for (int i = 0; i < n; i++) {
                    expected[i] = widen(format, narrow(format, expected[i]));
                    assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(widen(format, ema.getAtIndex(H, i))),
                            format + " at " + width + ", step " + t + ", element " + i);
                }
            }
        }
    }

    /** Round to nearest even, as torch narrows a float32 result to bf16 or fp16. */
    private static short narrow(Format format, float x) {
        if (format == Format.FP16) {
            return Float.floatToFloat16(x);
        }
        int bits = Float.floatToRawIntBits(x);
        return (short) ((bits + 0x7fff + (bits >>> 16 & 1)) >>> 16);
    }

    private static float widen(Format format, short bits) {
        return format == Format.FP16 ? Float.float16ToFloat(bits) : Float.intBitsToFloat(bits << 16);
    }

    @Example
    void anAverageWithoutItsCounterpartIsRefusedBeforeAnythingMoves() {
        Optimizer adam = Adam.defaults();
        try (Arena arena = Arena.ofConfined()) {
            Engine engine = Engine.create();
            MemorySegment p = Floats.copyOf(arena, new float[] {1, 2, 3});
            MemorySegment g = Floats.copyOf(arena, new float[] {1, 1, 1});
            OptimizerState s = adam.newState(3, arena);
            Block plain = new Block(s, p, g);
            Block withEma = plain.withEma(Floats.allocate(arena, 3));
            IllegalArgumentException noConfig = assertThrows(IllegalArgumentException.class,
                    () -> engine.step(List.of(new Group(adam, List.of(withEma))), NonFinite.PROPAGATE));
            assertTrue(noConfig.getMessage().startsWith("blocks[0].ema is set but its group has no WeightEma"),
                    noConfig.getMessage());
            IllegalArgumentException noSegment = assertThrows(IllegalArgumentException.class,
                    () -> engine.step(List.of(new Group(adam, List.of(plain)).withEma(WeightEma.of(0.9))),
                            NonFinite.PROPAGATE));
            assertTrue(noSegment.getMessage().startsWith("blocks[0].ema is null"), noSegment.getMessage());
            Block wrongSize = plain.withEma(Floats.allocate(arena, 2));
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> engine.step(List.of(new Group(adam, List.of(wrongSize)).withEma(WeightEma.of(0.9))),
                            NonFinite.PROPAGATE));
            assertTrue(size.getMessage().startsWith("blocks[0].ema holds 8 bytes but params 12"), size.getMessage());
            Block aliased = plain.withEma(p);
            assertThrows(IllegalArgumentException.class,
                    () -> engine.step(List.of(new Group(adam, List.of(aliased)).withEma(WeightEma.of(0.9))),
                            NonFinite.PROPAGATE));
            assertEquals(0, s.step());
            assertEquals(List.of(1f, 2f, 3f), List.of(p.getAtIndex(ValueLayout.JAVA_FLOAT, 0),
                    p.getAtIndex(ValueLayout.JAVA_FLOAT, 1), p.getAtIndex(ValueLayout.JAVA_FLOAT, 2)));
            assertThrows(IllegalArgumentException.class, () -> WeightEma.of(1.5));
            assertThrows(IllegalArgumentException.class, () -> WeightEma.of(0.9).withWarmup(0, 1));
        }
    }
}
