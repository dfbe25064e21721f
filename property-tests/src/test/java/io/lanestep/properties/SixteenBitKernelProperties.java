package io.lanestep.properties;

import io.lanestep.Block;
import io.lanestep.Engine;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.Group;
import io.lanestep.LaneWidth;
import io.lanestep.NonFinite;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.reference.ReferenceState;
import io.lanestep.reference.lowp.Bf16;
import io.lanestep.reference.lowp.FormatReference;
import io.lanestep.reference.lowp.Fp16;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;

/**
 * Every optimizer with 16-bit kernels, at every lane width and in every combination of float32
 * and one 16-bit format (float32 state for LAMB, which keeps it),
 * equals {@link FormatReference} bit for bit (a NaN equals any NaN: payloads are not compared),
 * on blocks that start at any element offset of native memory.
 */
@Tag("kernels")
class SixteenBitKernelProperties implements OptimizerDomain {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Property(tries = 600)
    void everyFormatGivesTheReferenceBits(@ForAll("sixteenBit") Optimizer optimizer, @ForAll("widths") LaneWidth width,
                                          @ForAll("formats") Formats formats, @ForAll("lengths") int n,
                                          @ForAll @IntRange(min = 1, max = 6) int steps, @ForAll("data") Data data,
                                          @ForAll long seed, @ForAll @IntRange(max = 9) int offset,
                                          @ForAll boolean shared, @ForAll("gradScales") float gradScale) {
        if (!Formats.supportsLowPrecisionState(optimizer)) {
            formats = new Formats(formats.params(), formats.grads(), Format.FP32, formats.masterWeights(),
                    formats.rounding());
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] params = data.fill(n, random);
        FormatReference.round(params, formats.params());
        ReferenceState reference = FormatReference.newState(optimizer, n, formats);
        Engine engine = Engine.create(width);
        try (Arena confined = Arena.ofConfined(); Arena sharedArena = Arena.ofShared()) {
            Arena arena = shared ? sharedArena : confined;
            MemorySegment p = place(arena, params, formats.params(), offset);
            OptimizerState state = optimizer.newState(n, arena, formats);
            for (int t = 0; t < steps; t++) {
                float[] grads = data.fill(n, random);
                FormatReference.round(grads, formats.grads());
                MemorySegment g = place(arena, grads, formats.grads(), offset + 1);
                if (gradScale == 1f) {
                    engine.step(optimizer, state, p, g);
                } else {
                    engine.step(List.of(new Group(optimizer, List.of(new Block(state, p, g)))), NonFinite.PROPAGATE,
                            gradScale);
                    // The kernels scale the gradient in float32, after reading it from its format.
                    for (int i = 0; i < n; i++) {
                        grads[i] *= gradScale;
                    }
                }
                FormatReference.step(optimizer, formats, params, grads, reference);
                String where = optimizer + " with " + formats + " at " + width + ", n=" + n + ", " + data
                        + ", gradScale " + gradScale + ", step " + (t + 1);
                compareParams(where, formats, state, p, params);
                for (String key : optimizer.stateKeys()) {
                    compare(where, key, state.slot(key), formats.state(), reference.slot(key));
                }
            }
        }
    }

    /**
     * Every optimizer with 16-bit kernels with 8-bit block-quantized state, params and grads in
     * float32 (native or float[]) or a 16-bit format: every step's parameters and every code and
     * absmax equal the reference's, at every lane width, blocks long enough for 8 bits (and some
     * just under, which stay float32, as does a block without state).
     */
    @Property(tries = 250)
    void eightBitStateGivesTheReferenceBits(@ForAll("eightBit") Optimizer optimizer, @ForAll("widths") LaneWidth width,
                                             @ForAll("formats") Formats base, @ForAll @IntRange(min = 4000, max = 20000) int n,
                                             @ForAll @IntRange(min = 1, max = 5) int steps, @ForAll("data") Data data,
                                             @ForAll long seed, @ForAll boolean shared, @ForAll boolean heap) {
        Formats formats = new Formats(base.params(), base.grads(), Format.Q8, base.masterWeights(), base.rounding());
        SplittableRandom random = new SplittableRandom(seed);
        float[] params = data.fill(n, random);
        FormatReference.round(params, formats.params());
        ReferenceState reference = FormatReference.newState(optimizer, n, formats);
        Engine engine = Engine.create(width);
        try (Arena confined = Arena.ofConfined(); Arena sharedArena = Arena.ofShared()) {
            Arena arena = shared ? sharedArena : confined;
            // float32 params and grads may be float[]s: the 8-bit kernel has heap loops of its own.
            boolean onHeap = heap && formats.params() == Format.FP32 && formats.grads() == Format.FP32;
            MemorySegment p = onHeap ? MemorySegment.ofArray(params.clone()) : place(arena, params, formats.params(), 0);
            OptimizerState state = optimizer.newState(n, arena, formats);
            assertEqualsQ8(n >= 4096 && !optimizer.stateKeys().isEmpty(), state.formats().state() == Format.Q8);
            for (int t = 0; t < steps; t++) {
                float[] grads = data.fill(n, random);
                FormatReference.round(grads, formats.grads());
                MemorySegment g = onHeap ? MemorySegment.ofArray(grads.clone()) : place(arena, grads, formats.grads(), 1);
                engine.step(optimizer, state, p, g);
                var quantized = FormatReference.step(optimizer, formats, params, grads, reference);
                String where = optimizer + " with " + state.formats() + (onHeap ? " on the heap" : "") + " at " + width
                        + ", n=" + n + ", " + data + ", step " + (t + 1);
                compareParams(where, formats, state, p, params);
                for (String key : optimizer.stateKeys()) {
                    MemorySegment slot = state.slot(key);
                    if (state.formats().state() != Format.Q8) {
                        compare(where, key, slot, Format.FP32, reference.slot(key));
                        continue;
                    }
                    FormatReference.Quantized q = quantized.get(key);
                    for (int i = 0; i < n; i++) {
                        if (slot.get(ValueLayout.JAVA_BYTE, i) != q.codes()[i]) {
                            throw new AssertionError(where + ": " + key + " code[" + i + "] engine "
                                    + (slot.get(ValueLayout.JAVA_BYTE, i) & 0xff) + " != reference "
                                    + (q.codes()[i] & 0xff));
                        }
                    }
                    long at = Format.q8AbsmaxOffset(n);
                    for (int b = 0; b < q.absmax().length; b++) {
                        float e = slot.get(FLOAT, at + 4L * b);
                        if (Float.floatToIntBits(e) != Float.floatToIntBits(q.absmax()[b])) {
                            throw new AssertionError(where + ": " + key + " absmax[" + b + "] engine " + e
                                    + " != reference " + q.absmax()[b]);
                        }
                    }
                }
            }
        }
    }

    /**
     * A NaN stored as fp16 is {@code 0x7e00} with a sign, as c10::Half writes it, whatever payload
     * the float NaN had (Float.floatToFloat16 keeps payload bits): in the vector loops, which
     * narrow through it, and in the scalar tails. The NaN gradients carry payloads.
     */
    @Property(tries = 60)
    void fp16NaNHasNoPayload(@ForAll("widths") LaneWidth width, @ForAll("lengths") int n, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Formats formats = new Formats(Format.FP16, Format.FP16, Format.FP32);
        Optimizer sgd = io.lanestep.Sgd.of(0.1);
        float[] params = Data.NORMAL.fill(n, random);
        float[] grads = Data.NORMAL.fill(n, random);
        boolean[] nan = new boolean[n];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = place(arena, params, Format.FP16, 0);
            MemorySegment g = place(arena, grads, Format.FP16, 0);
            for (int i = 0; i < n; i++) {
                nan[i] = random.nextInt(4) == 0;
                if (nan[i]) {
                    g.setAtIndex(SHORT, i, (short) (random.nextBoolean() ? 0xfe55 : 0x7d01));
                }
            }
            Engine.create(width).step(sgd, sgd.newState(n, arena, formats), p, g);
            for (int i = 0; i < n; i++) {
                int bits = p.getAtIndex(SHORT, i) & 0x7fff;
                if (nan[i] && bits != 0x7e00) {
                    throw new AssertionError("fp16 params[" + i + "] of " + n + " at " + width + ": a NaN written as "
                            + Integer.toHexString(bits) + ", not 7e00");
                }
            }
        }
    }

    private static void assertEqualsQ8(boolean expected, boolean actual) {
        if (expected != actual) {
            throw new AssertionError("a block of 4096 elements or more with state keeps it in 8 bits, a smaller one"
                    + " (or one without state) float32");
        }
    }

    /** {@code values} written in {@code format} (by the reference's own encoders), {@code offset} elements into native memory. */
    static MemorySegment place(Arena arena, float[] values, Format format, int offset) {
        long size = format.bytes();
        MemorySegment s = arena.allocate((values.length + offset + 1L) * size, 64)
                .asSlice(offset * size, values.length * size);
        for (int i = 0; i < values.length; i++) {
            switch (format) {
                case FP32 -> s.setAtIndex(FLOAT, i, values[i]);
                case BF16 -> s.setAtIndex(SHORT, i, Bf16.fromFloat(values[i]));
                case FP16 -> s.setAtIndex(SHORT, i, Fp16.fromFloat(values[i]));
                case Q8 -> throw new IllegalArgumentException("Q8 holds state only");
            }
        }
        return s;
    }

    static float read(MemorySegment s, Format format, long i) {
        return switch (format) {
            case FP32 -> s.getAtIndex(FLOAT, i);
            case BF16 -> Bf16.toFloat(s.getAtIndex(SHORT, i));
            case FP16 -> Fp16.toFloat(s.getAtIndex(SHORT, i));
            case Q8 -> throw new IllegalArgumentException("Q8 is read per block");
        };
    }

    /** The block's params, and under master weights the master and its 16-bit copy, against the reference's. */
    static void compareParams(String where, Formats formats, OptimizerState state, MemorySegment p, float[] params) {
        if (formats.masterWeights()) {
            compare(where, "master weights", state.master(), Format.FP32, params);
            float[] copy = params.clone();
            FormatReference.round(copy, formats.params());
            compare(where, "params (the 16-bit copy)", p, formats.params(), copy);
        } else {
            compare(where, "params", p, formats.params(), params);
        }
    }

    static void compare(String where, String what, MemorySegment engine, Format format, float[] reference) {
        for (int i = 0; i < reference.length; i++) {
            float e = read(engine, format, i);
            if (Float.floatToIntBits(e) != Float.floatToIntBits(reference[i])) {
                throw new AssertionError(where + ": " + what + "[" + i + "] engine " + e + " ("
                        + Integer.toHexString(Float.floatToRawIntBits(e)) + ") != reference " + reference[i] + " ("
                        + Integer.toHexString(Float.floatToRawIntBits(reference[i])) + ")");
            }
        }
    }

    /** Mostly 1, the scale the 16-bit loops skip multiplying by; sometimes a loss scale's inverse or a clip coefficient. */
    @Provide
    Arbitrary<Float> gradScales() {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(1f)),
                Tuple.of(1, Arbitraries.of(0x1p-10f, 0.37f, 0.999f, 0f)));
    }

    @Provide
    Arbitrary<Optimizer> sixteenBit() {
        return Optimizers.all().filter(Formats::supports);
    }

    @Provide
    Arbitrary<Optimizer> eightBit() {
        return Optimizers.all().filter(Formats::supportsLowPrecisionState);
    }

    /**
     * Each operand float32 or the block's one 16-bit format; 16-bit params with master weights,
     * or (bf16) with stochastic rounding, or neither.
     */
    @Provide
    Arbitrary<Formats> formats() {
        Arbitrary<Format> sixteen = Arbitraries.of(Format.BF16, Format.FP16);
        Arbitrary<Boolean> wide = Arbitraries.of(true, false);
        Arbitrary<Integer> params = Arbitraries.integers().between(0, 3);
        return Combinators.combine(sixteen, params, wide, wide, Arbitraries.longs()).as((h, p, g, s, seed) -> {
            Format state = s ? Format.FP32 : h;
            Format grads = g ? Format.FP32 : h;
            return switch (p) {
                case 0 -> new Formats(Format.FP32, grads, state);
                case 1 -> new Formats(h, grads, state);
                case 2 -> new Formats(h, grads, state, true);
                default -> h == Format.BF16 ? Formats.stochasticRounding(grads, state, seed)
                        : new Formats(h, grads, state);
            };
        });
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Optimizers.lengths();
    }

    @Provide
    Arbitrary<Data> data() {
        return Arbitraries.of(Data.NORMAL, Data.SPECIAL, Data.NONFINITE);
    }
}
