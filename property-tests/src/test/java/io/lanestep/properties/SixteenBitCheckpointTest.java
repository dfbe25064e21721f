package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.Adagrad;
import io.lanestep.Adam;
import io.lanestep.Adan;
import io.lanestep.Adopt;
import io.lanestep.Asgd;
import io.lanestep.Checkpoint;
import io.lanestep.CheckpointException;
import io.lanestep.Engine;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.LaProp;
import io.lanestep.Lamb;
import io.lanestep.Lars;
import io.lanestep.Lion;
import io.lanestep.NAdam;
import io.lanestep.Optimizer;
import io.lanestep.OptimizerState;
import io.lanestep.Rmsprop;
import io.lanestep.Rprop;
import io.lanestep.Sgd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.Tag;

/**
 * Checkpoints of 16-bit states (version 3): a run saved and restored mid-way continues bit for bit
 * as the uninterrupted run, stochastic rounding's sequence and 8-bit moments included; a restore into other formats
 * is refused unless a conversion is asked for, and then converts exactly.
 */
@Tag("default-width")
class SixteenBitCheckpointTest {
    private static final int N = 4099;
    private static final Adam ADAM = Adam.defaults();
    private final Engine engine = Engine.create();

    @Example
    void aRestoredRunContinuesBitForBitInEveryFormat() throws Exception {
        List<Formats> eightBit = List.of(new Formats(Format.FP32, Format.FP32, Format.Q8),
                new Formats(Format.BF16, Format.BF16, Format.Q8));
        List<Map.Entry<Optimizer, Formats>> runs = new ArrayList<>();
        for (Formats formats : List.of(Formats.halfParams(Format.BF16), Formats.all(Format.FP16),
                Formats.masterWeights(Format.BF16, Format.BF16), Formats.stochasticRounding(Format.BF16, Format.FP32, 99),
                eightBit.get(0), eightBit.get(1), Formats.FP32)) {
            runs.add(Map.entry(ADAM, formats));
        }
        // 8-bit state of one, two and three slots, signed and unsigned maps, non-zero initial states
        // (Adagrad's, Rprop's step sizes), scalar state beside the slots (NAdam's, ASGD's),
        // a second pass (LARS's).
        for (Optimizer o : List.of(new Rmsprop(0.01, 0.99, 1e-8, 0, 0.9, true, false), new Adagrad(0.1, 0, 0, 0.1, 1e-10, false),
                Lion.defaults(), new Sgd(0.01, 0.9, 0, 0, true, false), Rprop.defaults(), NAdam.defaults(),
                Asgd.defaults(), Lars.of(1.0), Adopt.defaults(), Adan.defaults(), LaProp.defaults())) {
            for (Formats formats : eightBit) {
                runs.add(Map.entry(o, formats));
            }
        }
        // Two passes whose first sums the squares of the restored master.
        runs.add(Map.entry(Lars.of(1.0), Formats.masterWeights(Format.BF16, Format.BF16)));
        // LAMB: 16-bit params with its float32 state, and its master weights.
        runs.add(Map.entry(Lamb.defaults(), Formats.halfParams(Format.BF16)));
        runs.add(Map.entry(Lamb.defaults(), Formats.masterWeights(Format.FP16, Format.FP16)));
        for (Map.Entry<Optimizer, Formats> run : runs) {
            Optimizer opt = run.getKey();
            Formats formats = run.getValue();
            Path dir = Files.createTempDirectory("lanestep-ckpt16");
            try (Arena arena = Arena.ofConfined()) {
                float[][] grads = new float[6][];
                SplittableRandom random = new SplittableRandom(5);
                for (int t = 0; t < grads.length; t++) {
                    grads[t] = Data.NORMAL.fill(N, random);
                }
                float[] p0 = Data.NORMAL.fill(N, random);
                MemorySegment whole = SixteenBitKernelProperties.place(arena, p0, formats.params(), 0);
                OptimizerState wholeState = opt.newState(N, arena, formats);
                MemorySegment resumed = SixteenBitKernelProperties.place(arena, p0, formats.params(), 0);
                OptimizerState first = opt.newState(N, arena, formats);
                Path file = dir.resolve("half.ckpt");
                OptimizerState second = opt.newState(N, arena, formats);
                for (int t = 0; t < grads.length; t++) {
                    MemorySegment g = SixteenBitKernelProperties.place(arena, grads[t], formats.grads(), 0);
                    engine.step(opt, wholeState, whole, g);
                    if (t < 3) {
                        engine.step(opt, first, resumed, g);
                        if (t == 2) {
                            Checkpoint.save(file, opt, List.of(first));
                            Checkpoint.restore(file, opt, List.of(second));
                        }
                    } else {
                        engine.step(opt, second, resumed, g);
                    }
                }
                String what = opt + ", " + formats;
                assertEquals(wholeState.step(), second.step(), what);
                assertArrayEquals(bytes(whole), bytes(resumed), what + ": params");
                for (String key : opt.stateKeys()) {
                    assertArrayEquals(bytes(wholeState.slot(key)), bytes(second.slot(key)), what + ": " + key);
                }
                if (formats.masterWeights()) {
                    assertArrayEquals(bytes(wholeState.master()), bytes(second.master()), what + ": master weights");
                }
            } finally {
                delete(dir);
            }
        }
    }

    @Example
    void otherFormatsAreRefusedUnlessConvertedAndThenConvertExactly() throws Exception {
        Path dir = Files.createTempDirectory("lanestep-ckpt16");
        try (Arena arena = Arena.ofConfined()) {
            Formats bf16 = Formats.all(Format.BF16);
            MemorySegment p = SixteenBitKernelProperties.place(arena, Data.NORMAL.fill(N, new SplittableRandom(1)),
                    Format.BF16, 0);
            MemorySegment g = SixteenBitKernelProperties.place(arena, Data.NORMAL.fill(N, new SplittableRandom(2)),
                    Format.BF16, 0);
            OptimizerState saved = ADAM.newState(N, arena, bf16);
            engine.step(ADAM, saved, p, g);
            engine.step(ADAM, saved, p, g);
            Path file = dir.resolve("bf16.ckpt");
            Checkpoint.save(file, ADAM, List.of(saved));

            OptimizerState fp32 = ADAM.newState(N, arena);
            byte[] before = bytes(fp32.slot(Adam.EXP_AVG));
            CheckpointException refused = assertThrows(CheckpointException.class,
                    () -> Checkpoint.restore(file, ADAM, List.of(fp32)));
            assertTrue(refused.getMessage().contains("formats") && refused.getMessage().contains("CONVERT"),
                    refused.getMessage());
            assertArrayEquals(before, bytes(fp32.slot(Adam.EXP_AVG)), "a refused restore wrote");
            assertEquals(0, fp32.step());

            Checkpoint.restore(file, ADAM, List.of(fp32), Checkpoint.Conversion.CONVERT);
            assertEquals(2, fp32.step());
            for (String key : ADAM.stateKeys()) {
                for (int i = 0; i < N; i++) {
                    float want = SixteenBitKernelProperties.read(saved.slot(key), Format.BF16, i);
                    float got = fp32.slot(key).getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got), key + "[" + i + "]");
                }
            }
            OptimizerState eightBit = ADAM.newState(N, arena, new Formats(Format.BF16, Format.BF16, Format.Q8));
            CheckpointException q8 = assertThrows(CheckpointException.class,
                    () -> Checkpoint.restore(file, ADAM, List.of(eightBit), Checkpoint.Conversion.CONVERT));
            assertTrue(q8.getMessage().contains("converts to no other format"), q8.getMessage());
            OptimizerState master = ADAM.newState(N, arena, Formats.masterWeights(Format.BF16, Format.BF16));
            CheckpointException noMaster = assertThrows(CheckpointException.class,
                    () -> Checkpoint.restore(file, ADAM, List.of(master), Checkpoint.Conversion.CONVERT));
            assertTrue(noMaster.getMessage().contains("no master weights"), noMaster.getMessage());
        } finally {
            delete(dir);
        }
    }

    private static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    private static void delete(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
