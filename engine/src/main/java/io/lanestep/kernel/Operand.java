package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;

/**
 * A caller's segment in the form the loops see ({@link Memory}), remembered by identity: a training
 * loop passes the same segment objects every step, so the view of a confined one is made once.
 */
final class Operand {
    private MemorySegment source;
    MemorySegment segment;
    float[] array;
    int base;

    void bind(MemorySegment s) {
        if (s == source) {
            return;
        }
        if (s.isNative()) {
            segment = Memory.loopView(s);
            array = null;
            base = 0;
        } else {
            segment = null;
            array = (float[]) s.heapBase().orElseThrow();
            base = (int) (s.address() / Float.BYTES);
        }
        source = s;
    }
}
