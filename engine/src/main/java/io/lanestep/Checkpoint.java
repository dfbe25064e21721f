package io.lanestep;

import io.lanestep.CheckpointReader.Entry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Saves and restores everything needed to resume training: per block the step counter, the scalar
 * state and every state slot, with each group's optimizer configuration. Independent of the lane
 * width. Three shapes, as a training program holds its state:
 * <ul>
 *   <li>one optimizer's states: {@link #save(Path, Optimizer, List)};
 *   <li>a whole model, every group with its own configuration and algorithm in one file, as
 *       PyTorch's optimizer {@code state_dict} holds every parameter group: {@link #save(Path, List)};
 *   <li>a shard of a model (the ZeRO-1 pattern: each data-parallel rank steps a slice of the
 *       model's flat parameter vector): {@link #saveParts(Path, List)} records each state's global
 *       offset, and {@link #restoreParts(List, List)} restores N shard files into M shards of
 *       any split, placing each state at its offset ({@link OptimizerState#placeAt}). A state
 *       that rounds stochastically must be placed at its part's offset before its first step.
 * </ul>
 * The first two restore block by block in order; only {@code restoreParts} matches by offset.
 *
 * <p>Format, version 2, little-endian:
 * <pre>
 * "LANESTEP" (8 bytes) | version u32 = 2 | group count u32 | per group: descriptor length u32,
 *     descriptor, UTF-8: the optimizer class name, its state and scalar keys, its configuration
 * block count u32 | per block: group u32, offset u64, length u64, step u64, scalar count u32,
 *     scalars f32..., slot count u32, then per slot: its length u64 (the block's length, except
 *     for Adafactor's factored statistics) and that many floats
 * CRC-32C u32 of every byte before it
 * </pre>
 * Version 3, written when a state has other formats than float32 ({@link Formats}): each block's
 * step is followed by its formats u32 (params, grads and state {@link Format} ordinals in bits 0-1,
 * 2-3 and 4-5, master weights bit 6, stochastic rounding bit 7) and the rounding seed u64; its
 * slots hold their elements little-endian in the state's format, and a state with master weights
 * has them as a last, float32 slot; an 8-bit (Q8) slot holds its codes, padding and absmax floats
 * as in memory, and restores only whole and into Q8. A restore into a state of other formats is refused unless
 * {@link Conversion#CONVERT} is asked for. Version 1 (one descriptor, blocks without group and
 * offset, end to end from offset 0) is still read. The class name and keys decide whether a state can take a block; the configuration is
 * recorded for people, and a restored state keeps its own (a resumed run may change its rate).
 *
 * <p>A save writes a temporary file next to the target, forces it to disk, renames it over the
 * target atomically and forces the directory: a crash at any point leaves the old checkpoint or
 * the new one, never a mix. A restore reads every file once through the checksum, writing the bytes
 * it checks into a private copy (beside the file, else in the temporary directory; deleted when
 * the restore ends), then the layout checks and the checks of every target state (its optimizer,
 * length, and that its memory is open, accessible by this thread and writable), then the copy into
 * the states; so a flipped byte anywhere, in any file, is refused before any state is written, and
 * a file changed or truncated while being restored cannot reach a state. Files are streamed in
 * chunks of 1 MiB, whatever their size. Saves and restores claim their states in one global order,
 * waiting for steps in progress; steps never wait, so no two calls can wait on each other.
 *
 * <p>Every save, and every restore but {@code restoreParts}, also takes a stream in place of the
 * file (for example an entry of the zip that holds the model's weights), in the same format under
 * the same checks: a save writes the checkpoint and leaves the stream open; a restore reads the
 * stream to its end and holds its bytes in memory for the two reads, so a truncated or corrupted
 * stream is refused before any state is written.
 *
 * <p>Save and restore hold every state they touch as a step does: they wait for a step in
 * progress on another thread to end, and while they run, steps of those states are refused
 * ({@link java.util.ConcurrentModificationException}), so a save is never a torn mid-step state.
 */
public final class Checkpoint {
    /**
     * The newest format version this class writes (for states with 16-bit formats, master weights
     * or stochastic rounding; float32 states are written as version 2); it reads versions 1 to 3.
     */
    public static final int VERSION = 3;

    /** Whether a restore may convert state saved in one set of {@link Formats} into a state of another. */
    public enum Conversion {
        /** Refuse a state whose formats differ from the saved ones. */
        NONE,
        /**
         * Convert: slots widen exactly or round to nearest even into the target's format; saved
         * master weights are dropped when the target has none (a target with master weights needs
         * saved ones); the target keeps its own rounding seed.
         */
        CONVERT
    }

    private Checkpoint() {
    }

    /**
     * A state's place in a model: its block starts at element {@code offset} of the model's flat
     * parameter vector (for a shard, the rank's first element).
     *
     * @param offset where the state's block starts, at least 0
     * @param state  the block's optimizer state, not empty
     */
    public record Part(long offset, OptimizerState state) {
        /** Rejects a null state, a negative offset, an empty state and an end past {@code Long.MAX_VALUE}. */
        public Part {
            Objects.requireNonNull(state, "state");
            if (offset < 0) {
                throw new IllegalArgumentException("offset must be >= 0, got " + offset + "; pass the block's first"
                        + " element in the model's flat parameter vector");
            }
            if (state.length() == 0) {
                throw new IllegalArgumentException("the state is empty; leave empty shards out");
            }
            Math.addExact(offset, state.length());
        }
    }

    /** A state to save or restore, with its name in messages and its place. */
    record Target(String name, OptimizerState state, Optimizer optimizer, int group, long offset) {
    }

    /**
     * Writes {@code states}, all made by {@code optimizer}'s algorithm, to {@code file} atomically.
     *
     * @throws IllegalArgumentException if a state belongs to another optimizer or is listed twice
     * @throws IllegalStateException    if a state's memory is closed or confined to another thread
     * @throws IOException              if the file cannot be written; the old checkpoint is then intact
     */
    public static void save(Path file, Optimizer optimizer, List<OptimizerState> states) throws IOException {
        CheckpointSaver.save(file, List.of(optimizer), inOrder(optimizer, states));
    }

    /**
     * Writes every group of a model to {@code file} atomically, each with its configuration.
     *
     * @throws IllegalArgumentException if a block's state belongs to another optimizer than its group's,
     *                                  or a state is listed twice
     * @throws IllegalStateException    if a state's memory is closed or confined to another thread
     * @throws IOException              if the file cannot be written; the old checkpoint is then intact
     */
    public static void save(Path file, List<Group> groups) throws IOException {
        CheckpointSaver.save(file, optimizers(groups), inOrder(groups));
    }

    /**
     * {@link #save(Path, Optimizer, List)} to a stream, in the same format: for example one entry of
     * a zip beside the model's weights. The stream is flushed and left open.
     *
     * @throws IOException if the stream fails; what it received is then incomplete, and a restore refuses it
     */
    public static void save(OutputStream stream, Optimizer optimizer, List<OptimizerState> states) throws IOException {
        CheckpointSaver.save(stream, List.of(optimizer), inOrder(optimizer, states));
    }

    /** {@link #save(Path, List)} to a stream, as {@link #save(OutputStream, Optimizer, List)} does. */
    public static void save(OutputStream stream, List<Group> groups) throws IOException {
        CheckpointSaver.save(stream, optimizers(groups), inOrder(groups));
    }

    /**
     * Writes the states of one shard with their offsets to {@code file} atomically; the parts may
     * come from different optimizers, but must not overlap.
     *
     * @throws IllegalArgumentException if two parts overlap or a state is listed twice
     * @throws IllegalStateException    if a state's memory is closed or confined to another thread
     * @throws IOException              if the file cannot be written; the old checkpoint is then intact
     */
    public static void saveParts(Path file, List<Part> parts) throws IOException {
        List<Optimizer> optimizers = new ArrayList<>();
        CheckpointSaver.save(file, optimizers, parts(parts, optimizers));
    }

    /** {@link #saveParts(Path, List)} to a stream, as {@link #save(OutputStream, Optimizer, List)} does. */
    public static void saveParts(OutputStream stream, List<Part> parts) throws IOException {
        List<Optimizer> optimizers = new ArrayList<>();
        CheckpointSaver.save(stream, optimizers, parts(parts, optimizers));
    }

    /** The parts as targets, each optimizer a group added to {@code optimizers}; they must not overlap. */
    private static List<Target> parts(List<Part> parts, List<Optimizer> optimizers) {
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            int g = optimizers.indexOf(p.state().optimizer());
            if (g < 0) {
                g = optimizers.size();
                optimizers.add(p.state().optimizer());
            }
            if (p.state().formats().rounding().stochastic() && p.state().offset() != p.offset()) {
                throw new IllegalArgumentException("parts[" + i + "] rounds stochastically keyed from element "
                        + p.state().offset() + " of the model, not from its offset " + p.offset() + ", so no other"
                        + " split could continue its sequence; place each shard's state with placeAt(offset) before"
                        + " its first step");
            }
            targets.add(new Target("parts[" + i + "]", p.state(), p.state().optimizer(), g, p.offset()));
        }
        List<Target> sorted = new ArrayList<>(targets);
        sorted.sort(Comparator.comparingLong(Target::offset));
        for (int i = 1; i < sorted.size(); i++) {
            Target a = sorted.get(i - 1);
            Target b = sorted.get(i);
            if (a.offset() + a.state().length() > b.offset()) {
                throw new IllegalArgumentException(a.name() + " " + range(a) + " and " + b.name() + " " + range(b)
                        + " overlap; give each element of the model to one part");
            }
        }
        return targets;
    }

    /**
     * Restores {@code file} into {@code states}, block by block in order; they must have been made
     * by {@code optimizer}'s algorithm with the saved lengths. Nothing is written unless the whole
     * file and every state check out.
     *
     * @throws CheckpointException naming what is wrong: truncated, corrupted, wrong version,
     *                             mismatched (another optimizer, another number or length of blocks), or
     *                             a target state whose memory is closed, confined to another thread or
     *                             read-only; no state is written then
     */
    public static void restore(Path file, Optimizer optimizer, List<OptimizerState> states) throws IOException {
        restore(file, optimizer, states, Conversion.NONE);
    }

    /**
     * {@link #restore(Path, Optimizer, List)}, converting between formats if {@code conversion} says so.
     *
     * @throws CheckpointException as {@link #restore(Path, Optimizer, List)}, and for a state whose
     *                             formats differ from the saved ones under {@link Conversion#NONE}
     */
    public static void restore(Path file, Optimizer optimizer, List<OptimizerState> states, Conversion conversion)
            throws IOException {
        Objects.requireNonNull(conversion, "conversion");
        List<Target> targets = inOrder(optimizer, states);
        try (CheckpointReader reader = CheckpointReader.open(file)) {
            restoreInOrder(reader, targets, false, conversion);
        }
    }

    /**
     * {@link #restore(Path, Optimizer, List)} from a stream written by {@link #save(OutputStream,
     * Optimizer, List)} or holding a file's bytes. The stream is read to its end (a zip entry ends
     * where the checkpoint does) and held in memory while it is checked, so that nothing is written
     * unless all of it checks out; it is left open.
     *
     * @throws CheckpointException as {@link #restore(Path, Optimizer, List)}: a truncated or corrupted stream
     *                             is refused before any state is written
     */
    public static void restore(InputStream stream, Optimizer optimizer, List<OptimizerState> states)
            throws IOException {
        restore(stream, optimizer, states, Conversion.NONE);
    }

    /** {@link #restore(InputStream, Optimizer, List)}, converting between formats if {@code conversion} says so. */
    public static void restore(InputStream stream, Optimizer optimizer, List<OptimizerState> states,
                               Conversion conversion) throws IOException {
        Objects.requireNonNull(conversion, "conversion");
        List<Target> targets = inOrder(optimizer, states);
        try (CheckpointReader reader = CheckpointReader.read(stream)) {
            restoreInOrder(reader, targets, false, conversion);
        }
    }

    /**
     * Restores a model saved by {@link #save(Path, List)} into {@code groups}: the same number of
     * groups and blocks, each of the saved algorithm and length. Nothing is written unless the
     * whole file and every state check out.
     *
     * @throws CheckpointException as {@link #restore(Path, Optimizer, List)}, and if a block was saved in
     *                             another group
     */
    public static void restore(Path file, List<Group> groups) throws IOException {
        List<Target> targets = inOrder(groups);
        try (CheckpointReader reader = CheckpointReader.open(file)) {
            restoreGroups(reader, groups, targets);
        }
    }

    /** {@link #restore(Path, List)} from a stream, as {@link #restore(InputStream, Optimizer, List)} reads it. */
    public static void restore(InputStream stream, List<Group> groups) throws IOException {
        List<Target> targets = inOrder(groups);
        try (CheckpointReader reader = CheckpointReader.read(stream)) {
            restoreGroups(reader, groups, targets);
        }
    }

    private static void restoreGroups(CheckpointReader reader, List<Group> groups, List<Target> targets)
            throws IOException {
        if (reader.groups != groups.size()) {
            throw new CheckpointException(reader.name() + " holds " + reader.groups + " groups, but " + groups.size()
                    + " groups were given");
        }
        restoreInOrder(reader, targets, true, Conversion.NONE);
    }

    /**
     * Restores the elements of {@code parts} from shard files saved by {@link #saveParts}, whatever
     * the old and the new split: each part takes the saved elements of its range, which the files
     * together must cover once, from states of its algorithm that agree on the step and the scalar
     * state. Nothing is written unless every file and every part check out.
     *
     * @throws CheckpointException naming the file and block, or the part, and what is wrong: any
     *                             failure of {@link #restore(Path, Optimizer, List)}, saved blocks that
     *                             overlap, a range not covered, or blocks of one part that disagree
     */
    public static void restoreParts(List<Path> files, List<Part> parts) throws IOException {
        List<CheckpointReader> readers = new ArrayList<>();
        try {
            List<Entry> entries = new ArrayList<>();
            for (Path f : files) {
                CheckpointReader r = CheckpointReader.open(f);
                readers.add(r);
                for (Entry e : r.entries) {
                    if (e.length() > 0) {
                        entries.add(e);
                    }
                }
            }
            entries.sort(Comparator.comparingLong(Entry::offset));
            for (int i = 1; i < entries.size(); i++) {
                Entry a = entries.get(i - 1);
                Entry b = entries.get(i);
                if (a.end() > b.offset()) {
                    throw new CheckpointException(a.name() + " [" + a.offset() + ", " + a.end() + ") and " + b.name()
                            + " [" + b.offset() + ", " + b.end() + ") overlap; restore from the shards of one save");
                }
            }
            List<Target> targets = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                Part p = parts.get(i);
                targets.add(new Target("parts[" + i + "]", p.state(), p.state().optimizer(), 0, p.offset()));
            }
            List<Copy> plan = new ArrayList<>();
            for (Target t : targets) {
                plan.addAll(cover(t, entries));
            }
            checkTargets(targets);
            write(plan, targets, true);
        } finally {
            for (CheckpointReader r : readers) {
                r.close();
            }
        }
    }

    /** Saved elements {@code [from, from + n)} of an entry that go to a target's element {@code into}. */
    private record Copy(Entry entry, long from, long n, Target target, long into) {
    }

    private static void restoreInOrder(CheckpointReader reader, List<Target> targets, boolean groups,
                                       Conversion conversion) throws IOException {
        if (reader.entries.size() != targets.size()) {
            throw new CheckpointException(reader.name() + " holds " + reader.entries.size() + " blocks, but "
                    + targets.size() + " " + (groups ? "blocks" : "states") + " were given");
        }
        List<Copy> plan = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Entry e = reader.entries.get(i);
            Target t = targets.get(i);
            if (groups && e.group() != t.group()) {
                throw new CheckpointException(e.name() + " was saved in group " + e.group() + ", but " + t.name()
                        + " is in group " + t.group() + "; list the groups and blocks as they were saved");
            }
            matches(e, t, conversion);
            if (e.length() != t.state().length()) {
                throw new CheckpointException(e.name() + " has " + e.length() + " floats, but " + t.name() + " has "
                        + t.state().length());
            }
            for (int k = 0; k < Math.min(e.slots(), t.state().savedSlotCount()); k++) {
                if (e.slotLengths()[k] != t.state().savedSlotLength(k)) {
                    throw new CheckpointException(e.name() + " slot " + k + " has " + e.slotLengths()[k] + " floats,"
                            + " but " + t.name() + "'s has " + t.state().slotLength(k) + " (a state of another shape);"
                            + " make the state with the saved parameter's shape");
                }
            }
            plan.add(new Copy(e, 0, -1, t, 0));
        }
        checkTargets(targets);
        write(plan, targets, false);
    }

    /** The saved pieces that make up target {@code t}, in order; they must cover it and agree. */
    private static List<Copy> cover(Target t, List<Entry> sorted) throws CheckpointException {
        long start = t.offset();
        long end = start + t.state().length();
        int lo = 0;
        int hi = sorted.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted.get(mid).end() <= start) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        List<Copy> pieces = new ArrayList<>();
        long at = start;
        for (int i = lo; at < end; i++) {
            Entry e = i < sorted.size() ? sorted.get(i) : null;
            if (e == null || e.offset() > at) {
                throw new CheckpointException("no saved block holds elements [" + at + ", "
                        + (e == null ? end : Math.min(end, e.offset())) + ") of " + t.name() + " " + range(t)
                        + "; pass the shard files that cover it");
            }
            matches(e, t, Conversion.NONE);
            if (e.formats().state() == Format.Q8) {
                throw new CheckpointException(e.name() + " holds 8-bit state, whose blocks of 256 share an absmax, so"
                        + " a range of elements cannot take it; restore it whole with restore(file, optimizer, states)");
            }
            if (!e.elementwise() || t.state().slotCount() > 0 && t.state().slotLength(0) != t.state().length()) {
                throw new CheckpointException(e.name() + " or " + t.name() + " holds factored state (Adafactor's row"
                        + " and column statistics), which a range of elements cannot take; restore it whole with"
                        + " restore(file, groups)");
            }
            Entry first = pieces.isEmpty() ? e : pieces.getFirst().entry();
            if (e.step() != first.step() || !java.util.Arrays.equals(e.scalars(), first.scalars())) {
                throw new CheckpointException(first.name() + " and " + e.name() + ", which make up " + t.name()
                        + ", disagree on the step (" + first.step() + ", " + e.step() + ") or the scalar state;"
                        + " restore from the shards of one save");
            }
            long n = Math.min(end, e.end()) - at;
            pieces.add(new Copy(e, at - e.offset(), n, t, at - start));
            at += n;
        }
        return pieces;
    }

    private static void matches(Entry e, Target t, Conversion conversion) throws CheckpointException {
        String expected = kind(descriptor(t.optimizer()));
        if (!e.kind().equals(expected)) {
            throw new CheckpointException(e.name() + " holds the state of " + e.kind() + ", not of " + expected
                    + " (" + t.name() + ")");
        }
        int scalars = t.state().optimizer().scalarKeys().size();
        if (e.scalars().length != scalars) {
            throw new CheckpointException(e.name() + " has " + e.scalars().length + " scalars, but the optimizer"
                    + " has " + scalars);
        }
        Formats saved = e.formats();
        Formats own = t.state().formats();
        if (!saved.equals(own)) {
            if (conversion == Conversion.NONE) {
                throw new CheckpointException(e.name() + " was saved from a state of formats " + saved + ", but "
                        + t.name() + " has " + own + "; make the state with the saved formats, or restore with"
                        + " Checkpoint.Conversion.CONVERT");
            }
            if (own.state() == Format.Q8 || saved.state() == Format.Q8) {
                throw new CheckpointException(e.name() + " was saved from a state of formats " + saved + ", but "
                        + t.name() + " has " + own + "; 8-bit (Q8) state converts to no other format: make the state"
                        + " with the saved formats");
            }
            if (own.masterWeights() && !saved.masterWeights()) {
                throw new CheckpointException(e.name() + " holds no master weights, which " + t.name() + " keeps ("
                        + own + "); make the state without master weights, or save one that has them");
            }
        }
        int savedStateSlots = e.slots() - (saved.masterWeights() ? 1 : 0);
        if (savedStateSlots != t.state().slotCount()) {
            throw new CheckpointException(e.name() + " has " + savedStateSlots + " slots, but the optimizer has "
                    + t.state().slotCount());
        }
    }

    private static void checkTargets(List<Target> targets) throws CheckpointException {
        for (Target t : targets) {
            OptimizerState s = t.state();
            for (int k = 0; k < s.slotCount(); k++) {
                try {
                    Checks.usable(t.name() + " slot " + s.keys().get(k), s.slot(k), true);
                    if (k == 0 && s.formats().masterWeights()) {
                        Checks.usable(t.name() + " master weights", s.master(), true);
                    }
                } catch (IllegalStateException | IllegalArgumentException e) {
                    throw new CheckpointException("cannot restore: " + e.getMessage());
                }
            }
        }
        try {
            distinct(targets);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("cannot restore: " + e.getMessage());
        }
    }

    /** Writes {@code plan} into the claimed targets; {@code place}: also places each at its offset. */
    private static void write(List<Copy> plan, List<Target> targets, boolean place) throws IOException {
        claim(targets);
        try {
            if (place) {
                for (Target t : targets) {
                    t.state().place(t.offset());
                }
            }
            ByteBuffer chunk = ByteBuffer.allocateDirect(CheckpointReader.CHUNK);
            for (Copy c : plan) {
                OptimizerState s = c.target().state();
                s.setStep(c.entry().step());
                for (int k = 0; k < c.entry().scalars().length; k++) {
                    s.setScalar(k, c.entry().scalars()[k]);
                }
                CheckpointReader.copy(c.entry(), c.from(), c.n(), s, c.into(), chunk);
            }
        } finally {
            release(targets);
        }
    }

    private static List<Target> inOrder(Optimizer optimizer, List<OptimizerState> states) {
        Objects.requireNonNull(optimizer, "optimizer");
        List<Target> targets = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < states.size(); i++) {
            OptimizerState s = states.get(i);
            if (!optimizer.accepts(s)) {
                throw new IllegalArgumentException("states[" + i + "] was made for " + s.optimizer() + ", not "
                        + optimizer + "; save each optimizer's states in their own checkpoint, or the model's"
                        + " groups with save(file, groups)");
            }
            targets.add(new Target("states[" + i + "]", s, optimizer, 0, offset));
            offset += s.length();
        }
        return targets;
    }

    private static List<Target> inOrder(List<Group> groups) {
        List<Target> targets = new ArrayList<>();
        long offset = 0;
        for (int g = 0; g < groups.size(); g++) {
            Group group = groups.get(g);
            for (int b = 0; b < group.blocks().size(); b++) {
                OptimizerState s = group.blocks().get(b).state();
                String name = "groups[" + g + "].blocks[" + b + "]";
                if (!group.optimizer().accepts(s)) {
                    throw new IllegalArgumentException(name + " holds a state made for " + s.optimizer() + ", not its"
                            + " group's " + group.optimizer() + "; put the block in a group of its algorithm");
                }
                targets.add(new Target(name, s, group.optimizer(), g, offset));
                offset += s.length();
            }
        }
        return targets;
    }

    private static List<Optimizer> optimizers(List<Group> groups) {
        return groups.stream().map(Group::optimizer).toList();
    }

    private static String range(Target t) {
        return "[" + t.offset() + ", " + (t.offset() + t.state().length()) + ")";
    }

    /** Checks every state is listed once; a step holds one state once, and so must a checkpoint. */
    private static void distinct(List<Target> targets) {
        Set<OptimizerState> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Target t : targets) {
            if (!seen.add(t.state())) {
                String first = targets.stream().filter(o -> o.state() == t.state()).findFirst().orElseThrow().name();
                throw new IllegalArgumentException(t.name() + " is " + first + " again; list each state once");
            }
        }
    }

    /**
     * Claims every state as a step would, waiting for steps in progress on other threads to end;
     * steps tried meanwhile are refused. A step never waits, and every save and restore claims in
     * one global order (the states' creation order), so no two claims can wait on each other.
     */
    static void claim(List<Target> targets) {
        distinct(targets);
        List<OptimizerState> order = new ArrayList<>(targets.stream().map(Target::state).toList());
        order.sort(Comparator.comparingLong(s -> s.claimOrder));
        for (OptimizerState s : order) {
            while (!s.tryAcquire()) {
                Thread.yield();
            }
        }
    }

    static void release(List<Target> targets) {
        for (Target t : targets) {
            t.state().release();
        }
    }

    /** Class name and state keys decide compatibility; the configuration is recorded for people. */
    static String descriptor(Optimizer optimizer) {
        return optimizer.getClass().getName() + " " + optimizer.stateKeys() + " " + optimizer.scalarKeys() + "\n"
                + optimizer;
    }

    static String kind(String descriptor) {
        int end = descriptor.indexOf('\n');
        return end < 0 ? descriptor : descriptor.substring(0, end);
    }
}
