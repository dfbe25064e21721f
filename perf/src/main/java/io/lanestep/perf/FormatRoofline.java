package io.lanestep.perf;

import io.lanestep.Format;
import io.lanestep.Formats;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Roofline} for an Adam block stored in other formats: reads params, grads and both
 * moments, writes params and both moments, each in its own format, with one add per written
 * stream, at the CPU's widest vectors: the fastest a step could move those bytes.
 */
final class FormatRoofline {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** 16-bit lanes as many as {@link #S}'s. */
    private static final VectorSpecies<Short> H =
            VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    /** 8-bit lanes as many as {@link #S}'s. */
    private static final VectorSpecies<Byte> B =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(S.vectorBitSize() / 4));
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private FormatRoofline() {
    }

    /** One pass over {@code [from, to)}; the tail past the last whole vector is left out (at most 15 elements). */
    static void run(Formats formats, long length, MemorySegment params, MemorySegment master, MemorySegment grads,
                    MemorySegment m, MemorySegment v, long from, long to) {
        long end = from + S.loopBound(to - from);
        if (formats.state() == Format.Q8) {
            q8(formats.params() == Format.FP32, Format.q8AbsmaxOffset(length), params, grads, m, v, from, end);
        } else if (formats.masterWeights()) {
            master(params, master, grads, m, v, from, end);
        } else if (formats.equals(Formats.FP32)) {
            Roofline.run(params, grads, new MemorySegment[] {m, v}, from, to);
        } else if (formats.state() == Format.FP32) {
            halfParams(params, grads, m, v, from, end);
        } else {
            allHalf(params, grads, m, v, from, end);
        }
    }

    private static void halfParams(MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, long from,
                                   long to) {
        for (long i = from; i < to; i += S.length()) {
            ShortVector gv = ShortVector.fromMemorySegment(H, g, i * 2, ORDER);
            FloatVector mv = FloatVector.fromMemorySegment(S, m, i * 4, ORDER).add(1f);
            FloatVector vv = FloatVector.fromMemorySegment(S, v, i * 4, ORDER).add(1f);
            mv.intoMemorySegment(m, i * 4, ORDER);
            vv.intoMemorySegment(v, i * 4, ORDER);
            ShortVector.fromMemorySegment(H, p, i * 2, ORDER).add(gv).intoMemorySegment(p, i * 2, ORDER);
        }
    }

    /** Master weights: reads and writes the float32 master and moments, reads 16-bit grads, writes the 16-bit copy. */
    private static void master(MemorySegment p, MemorySegment w, MemorySegment g, MemorySegment m, MemorySegment v,
                               long from, long to) {
        for (long i = from; i < to; i += S.length()) {
            ShortVector gv = ShortVector.fromMemorySegment(H, g, i * 2, ORDER);
            FloatVector mv = FloatVector.fromMemorySegment(S, m, i * 4, ORDER).add(1f);
            FloatVector vv = FloatVector.fromMemorySegment(S, v, i * 4, ORDER).add(1f);
            FloatVector wv = FloatVector.fromMemorySegment(S, w, i * 4, ORDER).add(1f);
            mv.intoMemorySegment(m, i * 4, ORDER);
            vv.intoMemorySegment(v, i * 4, ORDER);
            wv.intoMemorySegment(w, i * 4, ORDER);
            gv.add((short) 1).intoMemorySegment(p, i * 2, ORDER);
        }
    }

    /** 8-bit moments: codes read and written a byte each, absmax a float per 256, params and grads fp32 or 16-bit. */
    private static void q8(boolean fp32, long absAt, MemorySegment p, MemorySegment g, MemorySegment m,
                           MemorySegment v, long from, long to) {
        for (long i = from; i < to; i += S.length()) {
            if (fp32) {
                FloatVector gv = FloatVector.fromMemorySegment(S, g, i * 4, ORDER);
                FloatVector.fromMemorySegment(S, p, i * 4, ORDER).add(gv).intoMemorySegment(p, i * 4, ORDER);
            } else {
                ShortVector gv = ShortVector.fromMemorySegment(H, g, i * 2, ORDER);
                ShortVector.fromMemorySegment(H, p, i * 2, ORDER).add(gv).intoMemorySegment(p, i * 2, ORDER);
            }
            ByteVector.fromMemorySegment(B, m, i, ORDER).add((byte) 1).intoMemorySegment(m, i, ORDER);
            ByteVector.fromMemorySegment(B, v, i, ORDER).add((byte) 1).intoMemorySegment(v, i, ORDER);
            if (i % 256 == 0) {
                long at = absAt + i / 256 * 4;
                m.set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, at,
                        m.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, at) + 1f);
                v.set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, at,
                        v.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, at) + 1f);
            }
        }
    }

    private static void allHalf(MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, long from,
                                long to) {
        for (long i = from; i < to; i += S.length()) {
            ShortVector gv = ShortVector.fromMemorySegment(H, g, i * 2, ORDER);
            ShortVector mv = ShortVector.fromMemorySegment(H, m, i * 2, ORDER).add(gv);
            ShortVector vv = ShortVector.fromMemorySegment(H, v, i * 2, ORDER).add(gv);
            mv.intoMemorySegment(m, i * 2, ORDER);
            vv.intoMemorySegment(v, i * 2, ORDER);
            ShortVector.fromMemorySegment(H, p, i * 2, ORDER).add(mv).intoMemorySegment(p, i * 2, ORDER);
        }
    }
}
