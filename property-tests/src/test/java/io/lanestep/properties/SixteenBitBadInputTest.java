package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adam;
import io.lanestep.Engine;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.Lamb;
import io.lanestep.OptimizerState;
import io.lanestep.Prodigy;
import io.lanestep.Rounding;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.Example;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.function.Executable;

/** Steps of 16-bit blocks refuse operands of another format, naming the argument and the fix, and write nothing. */
@Tag("default-width")
class SixteenBitBadInputTest {
    private static final int N = 37;
    private static final Adam ADAM = Adam.defaults();
    private static final Formats BF16 = Formats.halfParams(Format.BF16);

    private final Engine engine = Engine.create();

    /** A bf16 block with fp32 moments that has taken two steps, so every byte of its state is in use. */
    private record Setup(MemorySegment params, MemorySegment grads, OptimizerState state) {
        static Setup of(Arena arena, Engine engine) {
            float[] p = new float[N];
            float[] g = new float[N];
            for (int i = 0; i < N; i++) {
                p[i] = i * 0.5f - 3;
                g[i] = 1.5f - i * 0.25f;
            }
            MemorySegment params = SixteenBitKernelProperties.place(arena, p, Format.BF16, 0);
            MemorySegment grads = SixteenBitKernelProperties.place(arena, g, Format.BF16, 0);
            OptimizerState state = ADAM.newState(N, arena, BF16);
            engine.step(ADAM, state, params, grads);
            engine.step(ADAM, state, params, grads);
            return new Setup(params, grads, state);
        }

        byte[] snapshot() {
            byte[] p = params.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            byte[] m = state.slot(Adam.EXP_AVG).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            byte[] v = state.slot(Adam.EXP_AVG_SQ).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            byte[] all = new byte[p.length + m.length + v.length + 1];
            System.arraycopy(p, 0, all, 0, p.length);
            System.arraycopy(m, 0, all, p.length, m.length);
            System.arraycopy(v, 0, all, p.length + m.length, v.length);
            all[all.length - 1] = (byte) state.step();
            return all;
        }
    }

    private static void refused(Setup s, Class<? extends Throwable> type, Executable call, String... words) {
        byte[] before = s.snapshot();
        Throwable e = assertThrows(type, call);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "message lacks '" + w + "': " + e.getMessage());
        }
        assertArrayEquals(before, s.snapshot(), "a refused step wrote to params or state");
    }

    @Example
    void float32ParamsForABf16StateAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            Setup s = Setup.of(arena, engine);
            MemorySegment fp32 = arena.allocate(4L * N, 64);
            refused(s, IllegalArgumentException.class, () -> engine.step(ADAM, s.state(), fp32, s.grads()),
                    "params", "another format", "BF16", "Formats");
        }
    }

    @Example
    void gradsOfAnotherFormatAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            Setup s = Setup.of(arena, engine);
            MemorySegment fp32 = arena.allocate(4L * N, 64);
            refused(s, IllegalArgumentException.class, () -> engine.step(ADAM, s.state(), s.params(), fp32),
                    "grads", "another format", "BF16");
        }
    }

    @Example
    void aSixteenBitSegmentOfOddByteLengthIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            Setup s = Setup.of(arena, engine);
            MemorySegment odd = arena.allocate(2L * N + 1, 64);
            refused(s, IllegalArgumentException.class, () -> engine.step(ADAM, s.state(), s.params(), odd),
                    "grads", "odd", "BF16");
        }
    }

    @Example
    void aStateForFloat32IsRefusedForSixteenBitParams() {
        try (Arena arena = Arena.ofConfined()) {
            Setup s = Setup.of(arena, engine);
            OptimizerState fp32State = ADAM.newState(N, arena);
            byte[] before = s.snapshot();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> engine.step(ADAM, fp32State, s.params(), s.grads()));
            assertTrue(e.getMessage().contains("params") && e.getMessage().contains("37 floats"), e.getMessage());
            assertArrayEquals(before, s.snapshot());
            assertTrue(fp32State.step() == 0);
        }
    }

    @Example
    void heapSegmentsAreRefusedForSixteenBitStates() {
        try (Arena arena = Arena.ofConfined()) {
            Setup s = Setup.of(arena, engine);
            MemorySegment heap = MemorySegment.ofArray(new short[N]);
            refused(s, IllegalArgumentException.class, () -> engine.step(ADAM, s.state(), heap, s.grads()),
                    "params", "heap", "native", "Arena");
        }
    }

    /** float[] params and grads step 8-bit moments (the property tests that), but not 16-bit ones. */
    @Example
    void floatArraysAreRefusedForASixteenBitState() {
        try (Arena arena = Arena.ofConfined()) {
            OptimizerState state = ADAM.newState(N, arena, new Formats(Format.FP32, Format.FP32, Format.BF16));
            float[] p = new float[N];
            float[] g = new float[N];
            java.util.Arrays.fill(g, 0.5f);
            MemorySegment m = state.slot(Adam.EXP_AVG);
            byte[] before = m.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> engine.step(ADAM, state, MemorySegment.ofArray(p), MemorySegment.ofArray(g)));
            assertTrue(e.getMessage().contains("heap") && e.getMessage().contains("16-bit loops")
                    && e.getMessage().contains("Arena"), e.getMessage());
            assertArrayEquals(before, m.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), "a refused step wrote state");
            assertArrayEquals(new float[N], p, "a refused step wrote params");
        }
    }

    @Example
    void aBlockMixingBf16AndFp16IsRefusedAtStateCreation() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ADAM.newState(N, arena, new Formats(Format.BF16, Format.FP16, Format.FP32)));
            assertTrue(e.getMessage().contains("mix bf16 and fp16") && e.getMessage().contains("one of them"),
                    e.getMessage());
        }
    }

    @Example
    void stochasticRoundingIsRefusedOutsideBf16ParamsWithoutMaster() {
        IllegalArgumentException fp16 = assertThrows(IllegalArgumentException.class,
                () -> new Formats(Format.FP16, Format.FP16, Format.FP32, false, Rounding.stochastic(7)));
        assertTrue(fp16.getMessage().contains("bf16 params") && fp16.getMessage().contains("Rounding.NEAREST"),
                fp16.getMessage());
        IllegalArgumentException master = assertThrows(IllegalArgumentException.class,
                () -> new Formats(Format.BF16, Format.BF16, Format.FP32, true, Rounding.stochastic(7)));
        assertTrue(master.getMessage().contains("master weights"), master.getMessage());
        NullPointerException none = assertThrows(NullPointerException.class,
                () -> new Formats(Format.BF16, Format.BF16, Format.FP32, false, null));
        assertTrue(none.getMessage().contains("Rounding.stochastic(seed)"), none.getMessage());
    }

    @Example
    void anOptimizerWithoutSixteenBitKernelsIsRefusedAtStateCreation() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Prodigy.defaults().newState(N, arena, BF16));
            assertTrue(e.getMessage().contains("Prodigy") && e.getMessage().contains("Formats.FP32")
                    && e.getMessage().contains("Adam"), e.getMessage());
        }
    }

    @Example
    void lambTakesSixteenBitParamsButRefusesLowPrecisionState() {
        try (Arena arena = Arena.ofConfined()) {
            Lamb lamb = Lamb.defaults();
            lamb.newState(N, arena, BF16);
            for (Format state : new Format[] {Format.BF16, Format.Q8}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> lamb.newState(5000, arena, new Formats(Format.BF16, Format.BF16, state)));
                assertTrue(e.getMessage().contains("Lamb keeps float32 state")
                        && e.getMessage().contains("Formats.halfParams(BF16)"), e.getMessage());
            }
        }
    }
}
