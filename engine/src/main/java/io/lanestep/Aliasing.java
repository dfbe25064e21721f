package io.lanestep;

import io.lanestep.kernel.Memory;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The check that no block of a multi-block step writes memory that another of its blocks reads or
 * writes: blocks run one after another or in parallel, so such a step's result would depend on
 * their order. Every segment is an interval; intervals are sorted (native ones by address, heap
 * ones by their array's identity hash, then offset) and swept in order: {@code n log n}. A
 * training loop steps the same blocks over the same memory every time, so each state keeps a
 * stamp of the last check it passed and an unchanged step is recognised in one comparison per
 * block (1000 blocks: about 130 us for the full check, a few for the comparison); a warm check
 * allocates nothing.
 */
final class Aliasing {
    private static final ThreadLocal<Aliasing> SCRATCH = ThreadLocal.withInitial(Aliasing::new);
    /** Segment codes: params, grads, master weights, moving average, then state slot k as SLOT + k. */
    private static final int PARAMS = 0;
    private static final int GRADS = 1;
    private static final int MASTER = 2;
    private static final int EMA = 3;
    private static final int SLOT = 4;

    private long[] start = new long[0];
    private long[] end = new long[0];
    private int[] block = new int[0];
    private int[] code = new int[0];
    /** 0 for native memory, else the heap array's identity hash | 1 << 32 (so heap sorts after native). */
    private long[] space = new long[0];
    private Object[] base = new Object[0];
    private int[] order = new int[0];
    private int[] merged = new int[0];
    private int count;

    /** Numbers the full checks, so that a block can say which one it passed. */
    private static final AtomicLong CHECKS = new AtomicLong();

    /**
     * What a state's block was when a full check passed: the check, its block count, and the
     * block's params, grads and moving average (a state's own slots never move).
     */
    record Stamp(long check, int blocks, long params, long paramBytes, Object paramBase, long grads, long gradBytes,
                 Object gradBase, MemorySegment ema) {
        boolean matches(long check, int blocks, MemorySegment p, MemorySegment g, MemorySegment e) {
            return this.check == check && this.blocks == blocks && params == p.address()
                    && paramBytes == p.byteSize() && paramBase == base(p) && grads == g.address()
                    && gradBytes == g.byteSize() && gradBase == base(g) && sameMemory(ema, e);
        }

        private static boolean sameMemory(MemorySegment a, MemorySegment b) {
            return a == b || a != null && b != null && a.address() == b.address() && a.byteSize() == b.byteSize()
                    && base(a) == base(b);
        }
    }

    /**
     * Checks the blocks of {@code groups} in order ({@code blocks} when groups is null), numbered
     * across groups; the caller holds every block's state. A step over the same blocks and memory
     * as the last one that passed (every state stamped by that check, as many blocks, the same
     * params and grads) is that check again and costs one comparison per block.
     */
    static void check(List<Group> groups, List<Block> blocks) {
        if (unchanged(groups, blocks)) {
            return;
        }
        fullCheck(groups, blocks);
        long check = CHECKS.incrementAndGet();
        int count = count(groups, blocks);
        for (int g = 0; g < (groups == null ? 1 : groups.size()); g++) {
            for (Block b : Engine.blocks(groups, blocks, g)) {
                b.state().aliasStamp = new Stamp(check, count, b.params().address(), b.params().byteSize(),
                        base(b.params()), b.grads().address(), b.grads().byteSize(), base(b.grads()), b.ema());
            }
        }
    }

    private static boolean unchanged(List<Group> groups, List<Block> blocks) {
        int count = count(groups, blocks);
        long check = -1;
        for (int g = 0; g < (groups == null ? 1 : groups.size()); g++) {
            for (Block b : Engine.blocks(groups, blocks, g)) {
                Stamp stamp = b.state().aliasStamp;
                if (stamp == null) {
                    return false;
                }
                check = check < 0 ? stamp.check() : check;
                if (!stamp.matches(check, count, b.params(), b.grads(), b.ema())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static int count(List<Group> groups, List<Block> blocks) {
        if (groups == null) {
            return blocks.size();
        }
        int n = 0;
        for (Group g : groups) {
            n += g.blocks().size();
        }
        return n;
    }

    private static Object base(MemorySegment s) {
        return s.isNative() ? null : Memory.heapBase(s);
    }

    private static void fullCheck(List<Group> groups, List<Block> blocks) {
        Aliasing a = SCRATCH.get();
        a.count = 0;
        int slots = 0;
        for (int g = 0; g < (groups == null ? 1 : groups.size()); g++) {
            for (Block b : Engine.blocks(groups, blocks, g)) {
                slots = Math.max(slots, b.state().slotCount());
            }
        }
        for (int segment = PARAMS; segment < SLOT + slots; segment++) {
            int index = 0;
            for (int g = 0; g < (groups == null ? 1 : groups.size()); g++) {
                for (Block b : Engine.blocks(groups, blocks, g)) {
                    OptimizerState s = b.state();
                    switch (segment) {
                        case PARAMS -> a.add(b.params(), index, segment);
                        case GRADS -> a.add(b.grads(), index, segment);
                        case MASTER -> a.add(s.masterOrEmpty(), index, segment);
                        case EMA -> {
                            if (b.ema() != null) {
                                a.add(b.ema(), index, segment);
                            }
                        }
                        default -> {
                            if (segment - SLOT < s.slotCount()) {
                                a.add(s.slot(segment - SLOT), index, segment);
                            }
                        }
                    }
                    index++;
                }
            }
        }
        a.sort();
        long hit = a.sweep();
        a.clearBases();
        if (hit >= 0) {
            int earlier = (int) (hit >>> 32);
            int later = (int) hit;
            throw refusal(groups, blocks, a.block[earlier], a.code[earlier], a.block[later], a.code[later]);
        }
    }

    private void add(MemorySegment s, int index, int segment) {
        if (s.byteSize() == 0) {
            return;
        }
        if (count == start.length) {
            int n = Math.max(64, 2 * count);
            start = Arrays.copyOf(start, n);
            end = Arrays.copyOf(end, n);
            block = Arrays.copyOf(block, n);
            code = Arrays.copyOf(code, n);
            space = Arrays.copyOf(space, n);
            base = Arrays.copyOf(base, n);
            order = Arrays.copyOf(order, n);
            merged = Arrays.copyOf(merged, n);
        }
        Object array = s.isNative() ? null : Memory.heapBase(s);
        start[count] = s.address();
        end[count] = s.address() + s.byteSize();
        block[count] = index;
        code[count] = segment;
        space[count] = array == null ? 0 : 1L << 32 | System.identityHashCode(array) & 0xffffffffL;
        base[count] = array;
        order[count] = count;
        count++;
    }

    /** Drops the references to the caller's arrays, which a thread's scratch must not keep alive. */
    private void clearBases() {
        Arrays.fill(base, 0, count, null);
    }

    private boolean before(int i, int j) {
        return space[i] != space[j] ? space[i] < space[j] : start[i] < start[j];
    }

    /** A natural merge sort of {@code order}: ascending runs found, then merged pairwise. */
    private void sort() {
        while (true) {
            int runs = 0;
            for (int from = 0; from < count; ) {
                int mid = runEnd(from);
                int to = mid < count ? runEnd(mid) : count;
                merge(from, mid, to);
                from = to;
                runs++;
            }
            System.arraycopy(merged, 0, order, 0, count);
            if (runs <= 1) {
                return;
            }
        }
    }

    private int runEnd(int from) {
        int i = from + 1;
        while (i < count && !before(order[i], order[i - 1])) {
            i++;
        }
        return i;
    }

    private void merge(int from, int mid, int to) {
        for (int i = from, j = mid, k = from; k < to; k++) {
            merged[k] = j >= to || i < mid && !before(order[j], order[i]) ? order[i++] : order[j++];
        }
    }

    /**
     * In sorted order, an interval overlaps an earlier one of its space exactly when it starts
     * before that one's end; so each is compared with the earlier interval of another block that
     * reaches furthest (for grads, which are only read: the furthest written one). Returns the
     * pair found as {@code earlier << 32 | later}, or -1.
     */
    private long sweep() {
        int anyFar = -1;
        int anyOther = -1;
        int writtenFar = -1;
        int writtenOther = -1;
        for (int n = 0, first = 0; n < count; n++) {
            int i = order[n];
            if (n > 0 && space[i] != space[order[n - 1]]) {
                anyFar = anyOther = writtenFar = writtenOther = -1;
                first = n;
            }
            int far = code[i] == GRADS ? writtenFar : anyFar;
            int other = code[i] == GRADS ? writtenOther : anyOther;
            int candidate = far >= 0 && block[far] != block[i] ? far : other;
            if (candidate >= 0 && end[candidate] > start[i]) {
                int hit = base[candidate] == base[i] ? candidate : pairwise(first, n);
                if (hit >= 0) {
                    return (long) hit << 32 | i;
                }
            }
            if (anyFar < 0 || end[i] > end[anyFar]) {
                anyOther = anyFar >= 0 && block[anyFar] != block[i] ? anyFar : anyOther;
                anyFar = i;
            } else if (block[i] != block[anyFar] && (anyOther < 0 || end[i] > end[anyOther])) {
                anyOther = i;
            }
            if (code[i] == GRADS) {
                continue;
            }
            if (writtenFar < 0 || end[i] > end[writtenFar]) {
                writtenOther = writtenFar >= 0 && block[writtenFar] != block[i] ? writtenFar : writtenOther;
                writtenFar = i;
            } else if (block[i] != block[writtenFar] && (writtenOther < 0 || end[i] > end[writtenOther])) {
                writtenOther = i;
            }
        }
        return -1;
    }

    /**
     * The earlier interval of the space that overlaps {@code order[n]}, of another block and
     * written if it is not, or -1: compared one by one, for heap arrays of equal identity hash.
     */
    private int pairwise(int first, int n) {
        int i = order[n];
        for (int m = first; m < n; m++) {
            int j = order[m];
            if (block[j] != block[i] && base[j] == base[i] && end[j] > start[i]
                    && (code[i] != GRADS || code[j] != GRADS)) {
                return j;
            }
        }
        return -1;
    }

    private static IllegalArgumentException refusal(List<Group> groups, List<Block> blocks, int blockA, int codeA,
                                                    int blockB, int codeB) {
        return new IllegalArgumentException(name(groups, blocks, blockA, codeA) + " and "
                + name(groups, blocks, blockB, codeB) + " overlap in memory, and the step writes at least one of"
                + " them, so its result would depend on the order the blocks run; give each block its own memory"
                + " (copy gradients that are another block's parameters first)");
    }

    private static String name(List<Group> groups, List<Block> blocks, int index, int segment) {
        String what = switch (segment) {
            case PARAMS -> "params";
            case GRADS -> "grads";
            case MASTER -> "master weights";
            case EMA -> "ema";
            default -> "state slot " + state(groups, blocks, index).keys().get(segment - SLOT);
        };
        return "blocks[" + index + "]." + what;
    }

    private static OptimizerState state(List<Group> groups, List<Block> blocks, int index) {
        if (groups == null) {
            return blocks.get(index).state();
        }
        for (Group g : groups) {
            if (index < g.blocks().size()) {
                return g.blocks().get(index).state();
            }
            index -= g.blocks().size();
        }
        throw new IndexOutOfBoundsException(index);
    }
}
