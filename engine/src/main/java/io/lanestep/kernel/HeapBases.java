package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;

/**
 * {@link MemorySegment#heapBase()} of the heap segments a thread steps, remembered by identity.
 * {@code heapBase()} returns an {@code Optional}; once the JIT has seen several segment classes the
 * call is not inlined and escape analysis cannot remove it, so the checks of every step of a heap
 * block allocated 64 B (measured after stepping every other memory kind first). A training loop
 * passes the same segment objects every step, and a segment's base never changes, so a repeat
 * needs no new call. Weak references: an entry keeps neither the segment nor its array alive.
 */
final class HeapBases {
    private static final int ENTRIES = 8;
    private static final ThreadLocal<HeapBases> OF_THREAD = ThreadLocal.withInitial(HeapBases::new);

    @SuppressWarnings("unchecked")
    private final WeakReference<MemorySegment>[] segments = new WeakReference[ENTRIES];
    @SuppressWarnings("unchecked")
    private final WeakReference<Object>[] bases = new WeakReference[ENTRIES];
    private int next;

    private HeapBases() {
    }

    /** {@code segment.heapBase().orElse(null)}, allocating only the first time this thread asks for {@code segment}. */
    static Object of(MemorySegment segment) {
        return OF_THREAD.get().lookUp(segment);
    }

    private Object lookUp(MemorySegment segment) {
        for (int i = 0; i < ENTRIES; i++) {
            WeakReference<MemorySegment> s = segments[i];
            if (s != null && s.get() == segment) {
                return bases[i].get();
            }
        }
        Object base = segment.heapBase().orElse(null);
        segments[next] = new WeakReference<>(segment);
        bases[next] = new WeakReference<>(base);
        next = (next + 1) % ENTRIES;
        return base;
    }
}
