package io.lanestep;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/** Float32 segments as the engine wants them: native byte order, 64-byte aligned off-heap. */
public final class Floats {
    /** Alignment of every segment the engine allocates: one cache line, one 512-bit register. */
    public static final long ALIGNMENT = 64;

    /** The element layout the engine reads and writes: native order, any 4-byte-multiple offset. */
    public static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Floats() {
    }

    /** A zeroed block of {@code length} floats in {@code arena}, aligned to {@value #ALIGNMENT} bytes. */
    public static MemorySegment allocate(Arena arena, long length) {
        Objects.requireNonNull(arena, "arena");
        if (length < 0 || length > Long.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("length must be >= 0 and fit in a segment, got " + length);
        }
        return arena.allocate(length * Float.BYTES, ALIGNMENT);
    }

    /** A {@value #ALIGNMENT}-byte-aligned off-heap copy of {@code values} in {@code arena}. */
    public static MemorySegment copyOf(Arena arena, float[] values) {
        MemorySegment segment = allocate(arena, values.length);
        MemorySegment.copy(values, 0, segment, LAYOUT, 0, values.length);
        return segment;
    }

    /** The floats of {@code segment} as a new array (for tests and inspection, not the hot path). */
    public static float[] toArray(MemorySegment segment) {
        return segment.toArray(LAYOUT);
    }

    /** Number of floats in {@code segment}. */
    public static long length(MemorySegment segment) {
        return segment.byteSize() / Float.BYTES;
    }
}
