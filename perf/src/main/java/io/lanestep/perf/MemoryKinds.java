package io.lanestep.perf;

import io.lanestep.Floats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The kinds of memory a JVM stack hands the engine, each made with the same values: what
 * {@link MemoryKindsBench} steps alone and after all the others.
 */
enum MemoryKinds {
    /** A shared arena's segments: the all-native reference. */
    SHARED,
    /** A confined arena's segments (state too). */
    CONFINED,
    /** An automatic arena's segments. */
    AUTO,
    /** {@code MemorySegment.ofAddress(a).reinterpret(n)}: what ND4J, DJL and JavaCPP pointers give. */
    GLOBAL,
    /** {@code MemorySegment.ofBuffer} of a direct {@code ByteBuffer}. */
    DIRECT,
    /** {@code MemorySegment.ofArray(float[])} params and grads, native state. */
    HEAP,
    /** One call mixing kinds: heap params, direct-buffer grads, confined state. */
    MIXED;

    /** Every kind in the order a polluting run steps them before the measured one. */
    static final List<MemoryKinds> ALL = List.of(values());

    /** Params, grads and the arena of the state, all holding {@link Blocks}' values. */
    record Operands(MemorySegment params, MemorySegment grads, Arena stateArena) {
    }

    /**
     * Makes the operands of this kind; {@code owner} is a shared arena that outlives them and
     * backs the global views and direct buffers.
     */
    Operands make(long n, Arena owner) {
        MemorySegment p = Blocks.params(owner, n);
        MemorySegment g = Blocks.grads(owner, n);
        return switch (this) {
            case SHARED -> new Operands(p, g, owner);
            case CONFINED -> {
                Arena confined = Arena.ofConfined();
                yield new Operands(copy(confined, p), copy(confined, g), confined);
            }
            case AUTO -> {
                Arena auto = Arena.ofAuto();
                yield new Operands(copy(auto, p), copy(auto, g), auto);
            }
            case GLOBAL -> new Operands(global(p), global(g), owner);
            case DIRECT -> new Operands(direct(p), direct(g), owner);
            case HEAP -> new Operands(MemorySegment.ofArray(Floats.toArray(p)), MemorySegment.ofArray(Floats.toArray(g)),
                    owner);
            case MIXED -> new Operands(MemorySegment.ofArray(Floats.toArray(p)), direct(g), Arena.ofConfined());
        };
    }

    private static MemorySegment copy(Arena arena, MemorySegment s) {
        return Floats.allocate(arena, Floats.length(s)).copyFrom(s);
    }

    private static MemorySegment global(MemorySegment s) {
        return MemorySegment.ofAddress(s.address()).reinterpret(s.byteSize());
    }

    private static MemorySegment direct(MemorySegment s) {
        ByteBuffer b = ByteBuffer.allocateDirect((int) s.byteSize()).order(ByteOrder.nativeOrder());
        return MemorySegment.ofBuffer(b).copyFrom(s);
    }
}
