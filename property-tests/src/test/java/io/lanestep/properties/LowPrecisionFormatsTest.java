package io.lanestep.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lanestep.reference.lowp.Bf16;
import io.lanestep.reference.lowp.BlockQuantizer;
import io.lanestep.reference.lowp.DynamicMap;
import io.lanestep.reference.lowp.Philox;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The low-precision formats' reference definitions against independent oracles: exact decimal
 * arithmetic for rounding, Random123's published known answers for Philox, torch's float32
 * arithmetic for bitsandbytes' code map.
 */
class LowPrecisionFormatsTest {

    /** Any bit pattern, a third of them exact ties between two bf16 values (low half 0x8000). */
    @Provide
    Arbitrary<Float> anyFloat() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().map(Float::intBitsToFloat)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().map(b -> Float.intBitsToFloat(b & 0xffff0000 | 0x8000))));
    }

    /** Round to nearest even, worked out on the exact values of the two bf16 neighbours. */
    @Property(tries = 20000)
    void bf16RoundsToNearestEven(@ForAll("anyFloat") float x) {
        short b = Bf16.fromFloat(x);
        if (Float.isNaN(x)) {
            assertEquals(Bf16.NAN, b);
            return;
        }
        if (Float.isInfinite(x)) {
            assertEquals(x, Bf16.toFloat(b));
            return;
        }
        int bits = Float.floatToRawIntBits(x);
        int down = bits & 0xffff0000;
        int up = down + 0x10000;
        BigDecimal exact = new BigDecimal(x);
        BigDecimal low = new BigDecimal(Float.intBitsToFloat(down));
        float upper = Float.intBitsToFloat(up);
        // Past the largest finite bf16 the upper neighbour is infinity; IEEE rounds there from the
        // midpoint with the next (unrepresentable) value, 2^128 - 2^119 for the magnitude.
        BigDecimal high = Float.isInfinite(upper)
                ? new BigDecimal(2).pow(128).subtract(new BigDecimal(2).pow(119)).multiply(BigDecimal.valueOf(Math.signum(x)))
                : new BigDecimal(upper);
        int cmp = exact.subtract(low).abs().compareTo(exact.subtract(high).abs());
        int expected = cmp < 0 ? down : cmp > 0 ? up : ((down >>> 16 & 1) == 0 ? down : up);
        assertEquals((short) (expected >>> 16), b, "x = " + x + " bits " + Integer.toHexString(bits));
        assertEquals(Bf16.toFloat(b), Bf16.toFloat(Bf16.fromFloat(Bf16.toFloat(b))), "bf16 values are kept");
    }

    /**
     * The mean over all 2^16 random inputs is x exactly, for every finite x below the largest
     * bf16: the rounding is unbiased by construction, not only on average over draws.
     */
    @Property(tries = 3000)
    void stochasticRoundingIsExactlyUnbiasedOverAllRandomInputs(@ForAll("anyFloat") float x) {
        if (!Float.isFinite(x) || Math.abs(x) > 3.3e38f) {
            return;
        }
        BigDecimal sum = BigDecimal.ZERO;
        for (int r = 0; r < 1 << 16; r++) {
            short b = Bf16.stochastic(x, r);
            float v = Bf16.toFloat(b);
            assertTrue(v == Bf16.toFloat((short) (Float.floatToRawIntBits(x) >>> 16))
                    || v == Bf16.toFloat((short) ((Float.floatToRawIntBits(x) >>> 16) + 1)), "a neighbour of " + x);
            sum = sum.add(new BigDecimal(v));
        }
        assertEquals(0, sum.compareTo(new BigDecimal(x).multiply(BigDecimal.valueOf(1 << 16))), "mean of " + x);
    }

    /**
     * 10^7 draws from Lanestep's stream (seed 42, step 7, elements 0 ... 10^7-1) rounding one value
     * a quarter of a gap above a bf16: the fraction rounded up is 0.25 within 0.0007, five standard
     * deviations of a fair Bernoulli(0.25) mean over 10^7 draws (sd 1.37e-4).
     */
    @Test
    void stochasticRoundingIsUnbiasedOverTenMillionDraws() {
        float x = Float.intBitsToFloat(0x3f804000); // 1 + 2^-9: a quarter of the bf16 gap above 1
        long up = 0;
        int n = 10_000_000;
        for (long i = 0; i < n; i++) {
            up += Bf16.stochastic(x, Philox.random16(42, 7, i)) != (short) 0x3f80 ? 1 : 0;
        }
        double fraction = (double) up / n;
        System.out.printf("stochastic rounding, 10^7 draws at p = 0.25: fraction up %.6f%n", fraction);
        assertEquals(0.25, fraction, 0.0007);
    }

    /** Random123's known-answer vectors for philox4x32-10 (kat_vectors). */
    @Test
    void philoxMatchesRandom123KnownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                Philox.block(0, 0, 0, 0, 0, 0));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                Philox.block(-1, -1, -1, -1, -1, -1));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox.block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    /** The stream is a function of (seed, step, index) alone: any order of asking gives the same bits. */
    @Property(tries = 2000)
    void randomBitsDependOnSeedStepAndIndexOnly(@ForAll long seed, @ForAll long step, @ForAll long index) {
        int r = Philox.random16(seed, step, index);
        assertTrue(r >= 0 && r < 1 << 16);
        Philox.random16(seed, step + 1, index ^ 1);
        assertEquals(r, Philox.random16(seed, step, index));
    }

    /**
     * The 256 codes, value by value, against bitsandbytes' construction run in torch 2.13's float32
     * arithmetic ({@code src/test/python/dynamic_map.py}, output in the test resources).
     */
    @Test
    void dynamicMapIsBitsandbytesConstruction() throws Exception {
        for (boolean signed : new boolean[] {true, false}) {
            Path golden = Path.of(System.getProperty("lowp.dir"), signed ? "dynamic_map_signed.txt"
                    : "dynamic_map_unsigned.txt");
            List<String> lines = Files.readAllLines(golden).stream().filter(l -> !l.isBlank()).toList();
            float[] codes = DynamicMap.codes(signed);
            assertEquals(256, lines.size());
            for (int i = 0; i < 256; i++) {
                assertEquals(Float.intBitsToFloat(Integer.parseUnsignedInt(lines.get(i).trim(), 16)), codes[i],
                        (signed ? "signed" : "unsigned") + " code " + i);
            }
        }
    }

    /** The chosen code is at the least distance, ties to the lower; every code maps to itself. */
    @Property(tries = 20000)
    void quantizationPicksTheNearestCode(@ForAll("unit") float x, @ForAll boolean signed) {
        float[] codes = DynamicMap.codes(signed);
        int q = BlockQuantizer.nearest(x, signed);
        double best = Math.abs((double) x - codes[q]);
        for (int i = 0; i < codes.length; i++) {
            double d = Math.abs((double) x - codes[i]);
            assertTrue(d > best || d == best && i >= q, x + " -> code " + q + " but code " + i + " is nearer");
        }
        assertEquals(codes[q], codes[BlockQuantizer.nearest(codes[q], signed)]);
    }

    @Provide
    Arbitrary<Float> unit() {
        return Arbitraries.floats().between(-1, 1).withSpecialValue(0f).withSpecialValue(1f);
    }

    /** Blocks of 256 with one absmax each: every value within half a code gap of its block's scale. */
    @Property(tries = 200)
    void blocksRoundTripWithinHalfACodeGap(@ForAll("moment") float[] values, @ForAll boolean signed) {
        float[] input = signed ? values : abs(values);
        byte[] codes = new byte[input.length];
        float[] absmax = new float[(input.length + 255) / 256];
        BlockQuantizer.quantize(input, signed, codes, absmax);
        float[] map = DynamicMap.codes(signed);
        for (int i = 0; i < input.length; i++) {
            float back = BlockQuantizer.dequantize(codes, absmax, signed, i);
            float scale = absmax[i / 256];
            int q = codes[i] & 0xff;
            double gap = Math.max(q > 0 ? map[q] - map[q - 1] : 0, q < 255 ? map[q + 1] - map[q] : 0);
            assertTrue(Math.abs(back - input[i]) <= (gap / 2 + 1e-6) * scale + Math.ulp(scale),
                    "element " + i + ": " + input[i] + " came back " + back);
        }
        assertTrue(BlockQuantizer.quantized(4096) && !BlockQuantizer.quantized(4095), "the small-tensor rule");
    }

    @Provide
    Arbitrary<float[]> moment() {
        return Arbitraries.floats().between(-3, 3).array(float[].class).ofMinSize(1).ofMaxSize(1000);
    }

    private static float[] abs(float[] a) {
        float[] b = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Math.abs(a[i]);
        }
        return b;
    }
}
