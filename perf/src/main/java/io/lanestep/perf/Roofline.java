package io.lanestep.perf;

import io.lanestep.Floats;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The memory roofline of an optimizer's access pattern: reads params, grads and every state slot,
 * writes params and every slot, with one add per written stream, at the CPU's widest vectors.
 * An optimizer step cannot be faster than this for the same bytes.
 */
final class Roofline {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private Roofline() {
    }

    static void run(MemorySegment params, MemorySegment grads, MemorySegment[] slots, long from, long to) {
        long end = from + S.loopBound(to - from);
        switch (slots.length) {
            case 0 -> zero(params, grads, from, end);
            case 1 -> one(params, grads, slots[0], from, end);
            case 2 -> two(params, grads, slots[0], slots[1], from, end);
            default -> three(params, grads, slots[0], slots[1], slots[2], from, end);
        }
        for (long i = end; i < to; i++) {
            float g = grads.getAtIndex(Floats.LAYOUT, i);
            float p = params.getAtIndex(Floats.LAYOUT, i);
            for (MemorySegment slot : slots) {
                float v = slot.getAtIndex(Floats.LAYOUT, i) + g;
                slot.setAtIndex(Floats.LAYOUT, i, v);
                p += v;
            }
            params.setAtIndex(Floats.LAYOUT, i, slots.length == 0 ? p + g : p);
        }
    }

    private static FloatVector load(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(S, s, i * Float.BYTES, ORDER);
    }

    private static void store(FloatVector v, MemorySegment s, long i) {
        v.intoMemorySegment(s, i * Float.BYTES, ORDER);
    }

    private static void zero(MemorySegment p, MemorySegment g, long from, long to) {
        for (long i = from; i < to; i += S.length()) {
            store(load(p, i).add(load(g, i)), p, i);
        }
    }

    private static void one(MemorySegment p, MemorySegment g, MemorySegment a, long from, long to) {
        for (long i = from; i < to; i += S.length()) {
            FloatVector gv = load(g, i);
            FloatVector av = load(a, i).add(gv);
            store(av, a, i);
            store(load(p, i).add(av), p, i);
        }
    }

    private static void two(MemorySegment p, MemorySegment g, MemorySegment a, MemorySegment b, long from, long to) {
        for (long i = from; i < to; i += S.length()) {
            FloatVector gv = load(g, i);
            FloatVector av = load(a, i).add(gv);
            FloatVector bv = load(b, i).add(gv);
            store(av, a, i);
            store(bv, b, i);
            store(load(p, i).add(av).add(bv), p, i);
        }
    }

    private static void three(MemorySegment p, MemorySegment g, MemorySegment a, MemorySegment b, MemorySegment c,
                              long from, long to) {
        for (long i = from; i < to; i += S.length()) {
            FloatVector gv = load(g, i);
            FloatVector av = load(a, i).add(gv);
            FloatVector bv = load(b, i).add(gv);
            FloatVector cv = load(c, i).add(gv);
            store(av, a, i);
            store(bv, b, i);
            store(cv, c, i);
            store(load(p, i).add(av).add(bv).add(cv), p, i);
        }
    }
}
