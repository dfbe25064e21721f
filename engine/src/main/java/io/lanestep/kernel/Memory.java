package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;

/**
 * The kinds of memory a step accepts, and the one form each reaches the loops in.
 *
 * <p>C2 profiles the kind of segment the JDK's access code sees. Once a loop has seen heap and
 * native segments, or a confined session next to shared ones, its vector loads stop being
 * intrinsics and every later step runs 30-120x slower, for the rest of the process. So the loops
 * only ever see two forms:
 * <ul>
 * <li><b>Heap</b> segments over a {@code float[]} ({@code MemorySegment.ofArray}, heap
 *     {@code FloatBuffer}s): the array and the index of the segment's first float, stepped by
 *     loops of their own ({@code FloatVector.fromArray}).
 * <li><b>Native</b> segments: shared, automatic and global ones ({@code ofAddress} views, direct
 *     buffers) as they are; they mix without a cliff. A shared arena can be closed by another
 *     thread mid-step, so its segments keep their scope: the JDK then refuses the access instead
 *     of touching freed memory. A <b>confined</b> segment is re-derived as a global view of the
 *     same bytes, once per segment object: only its owner thread can close it, and that thread is
 *     inside the step (waiting for the workers, if any) until the step is over, so the memory
 *     outlives every access. The view is never handed out. Making it calls the restricted
 *     {@code reinterpret}: grant the engine native access ({@code --enable-native-access}).
 * </ul>
 * Read-only heap segments hide their array ({@code heapBase()} is empty) and heap segments over
 * other arrays have no {@code float[]}: both are refused, with the fix.
 */
public final class Memory {
    /** A thread that owns no segment: a segment it cannot access is confined to some thread. */
    private static final Thread NOBODY = Thread.ofPlatform().unstarted(() -> { });

    private Memory() {
    }

    /**
     * Why {@code segment} cannot be stepped, or null when it can. Builds a message only on
     * failure.
     */
    public static String problem(MemorySegment segment) {
        if (segment.isNative()) {
            return null;
        }
        Object base = heapBase(segment);
        if (base == null) {
            return "is a read-only heap segment, whose array the engine cannot reach; pass the writable"
                    + " MemorySegment.ofArray(array) (the engine only reads gradients) or native memory";
        }
        if (!(base instanceof float[])) {
            return "is a heap segment over " + base.getClass().getSimpleName() + "; pass"
                    + " MemorySegment.ofArray of a float[] or native memory";
        }
        if (segment.address() % Float.BYTES != 0) {
            return "starts " + segment.address() + " bytes into its float[], not on a float; slice it at a"
                    + " multiple of 4 bytes";
        }
        return null;
    }

    /** {@code segment.heapBase().orElse(null)}, without an allocation per step: see {@link HeapBases}. */
    public static Object heapBase(MemorySegment segment) {
        return HeapBases.of(segment);
    }

    /** Whether {@code segment} is native and confined to a thread. */
    static boolean confined(MemorySegment segment) {
        return segment.isNative() && !segment.isAccessibleBy(NOBODY);
    }

    /** A native segment in the form the loops see: a global view of a confined one, else itself. */
    public static MemorySegment loopView(MemorySegment segment) {
        return confined(segment) ? MemorySegment.ofAddress(segment.address()).reinterpret(segment.byteSize())
                : segment;
    }
}
