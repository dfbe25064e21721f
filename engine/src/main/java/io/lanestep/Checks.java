package io.lanestep;

import io.lanestep.kernel.Memory;
import java.lang.foreign.MemorySegment;

/**
 * Argument checks run before a step writes anything, so a refused step loses nothing. Each
 * message names the argument and the fix. None of them allocates on success.
 */
final class Checks {
    private Checks() {
    }

    /** Checks one block; {@code index} is its position in a multi-block step, or -1 for a single block. */
    static void block(Optimizer optimizer, OptimizerState state, MemorySegment params, MemorySegment grads,
                      int index) {
        if (state == null || params == null || grads == null) {
            throw new NullPointerException(where(index) + "state, params and grads must not be null");
        }
        if (!optimizer.accepts(state)) {
            throw new IllegalArgumentException(where(index) + "state was created for " + state.optimizer()
                    + " but the step was given " + optimizer + "; step a state with the optimizer kind and"
                    + " options it was made for, or make a new one with optimizer.newState(length, arena)");
        }
        if (state.torn()) {
            throw new IllegalStateException(where(index) + "state was left half-stepped by a step whose norm exchange"
                    + " failed; restore it from the last checkpoint (Checkpoint.restore) before stepping it again");
        }
        Formats formats = state.formats();
        long paramBytes = state.length() * formats.params().bytes();
        long gradBytes = state.length() * formats.grads().bytes();
        // Messages are built only on failure: a passing check must not allocate.
        if (params.byteSize() != paramBytes || grads.byteSize() != gradBytes || !isUsable(params, true)
                || !isUsable(grads, false) || overlap(params, grads)) {
            String where = where(index);
            length(where + "params", params, formats.params(), state.length());
            length(where + "grads", grads, formats.grads(), state.length());
            usable(where + "params", params, true);
            usable(where + "grads", grads, false);
            disjoint(where + "params", params, where + "grads", grads);
        }
        // The 8-bit kernel has heap loops for float32 params and grads; the 16-bit copies have none.
        boolean nativeOnly = formats.lowPrecision() && !(formats.state() == Format.Q8
                && formats.params() == Format.FP32 && formats.grads() == Format.FP32);
        if (nativeOnly && !(params.isNative() && grads.isNative())) {
            throw new IllegalArgumentException(where(index) + (params.isNative() ? "grads" : "params")
                    + " is a heap segment but the state was made for " + formats + ", whose 16-bit loops step"
                    + " native memory only; copy the block into an Arena's memory (or make the state with float32"
                    + " params and grads for float[] operands)");
        }
        kind(index, "params", params);
        kind(index, "grads", grads);
        MemorySegment master = state.masterOrEmpty();
        if (master.byteSize() != 0 && (!isUsable(master, true) || overlap(params, master) || overlap(grads, master))) {
            usable(where(index) + "master weights", master, true);
            disjoint(where(index) + "params", params, where(index) + "master weights", master);
            disjoint(where(index) + "grads", grads, where(index) + "master weights", master);
        }
        for (int i = 0; i < state.slotCount(); i++) {
            MemorySegment slot = state.slot(i);
            if (!isUsable(slot, true) || overlap(params, slot) || overlap(grads, slot)) {
                String where = where(index);
                String name = where + "state slot " + state.keys().get(i);
                usable(name, slot, true);
                disjoint(where + "params", params, name, slot);
                disjoint(where + "grads", grads, name, slot);
            }
        }
    }

    /**
     * Checks a block's moving average against its group's: both or neither, and an average of
     * the params' size, writable here, apart from the params and grads.
     */
    static void ema(WeightEma config, MemorySegment ema, MemorySegment params, MemorySegment grads, int index) {
        if (config == null) {
            if (ema != null) {
                throw new IllegalArgumentException(where(index) + "ema is set but its group has no WeightEma; step"
                        + " the blocks in a group.withEma(WeightEma.of(decay)), or drop the block's ema");
            }
            return;
        }
        if (ema == null) {
            throw new IllegalArgumentException(where(index) + "ema is null but its group averages the weights; give"
                    + " every block of the group an average, block.withEma(copy of its params)");
        }
        if (ema.byteSize() != params.byteSize() || !isUsable(ema, true) || overlap(ema, params) || overlap(ema, grads)) {
            if (ema.byteSize() != params.byteSize()) {
                throw new IllegalArgumentException(where(index) + "ema holds " + ema.byteSize() + " bytes but params "
                        + params.byteSize() + "; pass an average of the params' size and format");
            }
            usable(where(index) + "ema", ema, true);
            disjoint(where(index) + "params", params, where(index) + "ema", ema);
            disjoint(where(index) + "grads", grads, where(index) + "ema", ema);
        }
        kind(index, "ema", ema);
    }

    private static void kind(int index, String name, MemorySegment segment) {
        String problem = Memory.problem(segment);
        if (problem != null) {
            throw new IllegalArgumentException(where(index) + name + " " + problem);
        }
    }

    private static String where(int index) {
        return index < 0 ? "" : "blocks[" + index + "].";
    }

    /** Checks that {@code grads[index]} can be read here; builds a message only on failure. */
    static void readable(MemorySegment grads, int index) {
        if (!isUsable(grads, false)) {
            usable("grads[" + index + "]", grads, false);
        }
        String problem = Memory.problem(grads);
        if (problem != null) {
            throw new IllegalArgumentException("grads[" + index + "] " + problem);
        }
    }

    private static boolean isUsable(MemorySegment segment, boolean written) {
        return segment.scope().isAlive() && segment.isAccessibleBy(Thread.currentThread())
                && !(written && segment.isReadOnly());
    }

    private static void length(String name, MemorySegment segment, Format format, long elements) {
        long bytes = elements * format.bytes();
        if (segment.byteSize() == bytes) {
            return;
        }
        String held = segment.byteSize() % 2 != 0 && format.bytes() == 2
                ? segment.byteSize() + " bytes, an odd number, which no 16-bit array has"
                : segment.byteSize() + " bytes";
        String other = segment.byteSize() == elements * (6 - format.bytes())
                ? " (" + elements + " elements of " + (format.bytes() == 2 ? "4" : "2") + " bytes: another format)"
                : "";
        String made = format == Format.FP32 ? elements + " floats" : elements + " " + format + " elements";
        throw new IllegalArgumentException(name + " holds " + held + other + " but the state was made for " + made
                + " (" + bytes + " bytes); pass a segment of exactly that many elements in that format (slice it"
                + " with asSlice), or make the state with the Formats of your memory"
                + " (optimizer.newState(length, arena, formats))");
    }

    static void usable(String name, MemorySegment segment, boolean written) {
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException(name + " belongs to an arena that is already closed; keep the arena"
                    + " open for as long as the block is trained");
        }
        if (!segment.isAccessibleBy(Thread.currentThread())) {
            throw new IllegalStateException(name + " is confined to another thread; step it from its owner thread"
                    + " or allocate it from a shared arena");
        }
        if (written && segment.isReadOnly()) {
            throw new IllegalArgumentException(name + " is read-only but the step writes it; pass a writable segment");
        }
    }

    private static void disjoint(String nameA, MemorySegment a, String nameB, MemorySegment b) {
        if (overlap(a, b)) {
            throw new IllegalArgumentException(nameA + " and " + nameB + " overlap in memory; the step reads one"
                    + " while writing the other, so give each its own memory");
        }
    }

    static boolean overlap(MemorySegment a, MemorySegment b) {
        if (a.byteSize() == 0 || b.byteSize() == 0 || a.isNative() != b.isNative()) {
            return false;
        }
        if (!a.isNative() && Memory.heapBase(a) != Memory.heapBase(b)) {
            return false;
        }
        long a0 = a.address();
        long b0 = b.address();
        return a0 < b0 + b.byteSize() && b0 < a0 + a.byteSize();
    }
}
