package io.lanestep.perf;

import io.lanestep.Adam;
import io.lanestep.AdamW;
import io.lanestep.Checkpoint;
import io.lanestep.CheckpointException;
import io.lanestep.Floats;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.OptimizerState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Checkpoints at real scale (the reliability issue; {@code -Pbigckpt}, not in CI): the AdamW state
 * of a model of {@code floats} parameters (default 750M: two 3 GB slots) saved and restored with
 * timings beside {@code dd} of the same size, peak memory beyond the states, a flipped byte
 * refused before anything is written, and a save SIGKILLed mid-way leaving the old checkpoint or
 * the new one; then the same for a bf16 and an 8-bit state whose slots pass 2 GiB each. Prints one
 * Markdown table.
 */
public final class BigCheckpoint {
    private static final AdamW ADAMW = new AdamW(1e-3, 0.9, 0.999, 1e-8, 1e-2, false, false);
    private static final Map<String, Formats> FORMATS = Map.of("fp32", Formats.FP32,
            "bf16", new Formats(Format.FP32, Format.FP32, Format.BF16), "q8", new Formats(Format.FP32, Format.FP32, Format.Q8));

    private BigCheckpoint() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(Path.of(args[1]), Long.parseLong(args[2]), Float.parseFloat(args[3]), FORMATS.get(args[4]));
            return;
        }
        long floats = args.length > 0 ? Long.parseLong(args[0]) : 750_000_000L;
        Path dir = Files.createDirectories(Path.of(args.length > 1 ? args[1] : "target/bigckpt"));
        Path file = dir.resolve("adamw.ckpt");
        long rssBefore = rss("VmRSS");
        StringBuilder table = new StringBuilder("| what | figure |\n|---|---|\n");
        try (Arena arena = Arena.ofShared()) {
            OptimizerState source = state(arena, floats, 1f);
            long states = 2 * 2 * floats * Float.BYTES;
            long t0 = System.nanoTime();
            Checkpoint.save(file, ADAMW, List.of(source));
            double save = seconds(t0);
            long size = Files.size(file);
            double ddWrite = dd("if=/dev/zero", "of=" + dir.resolve("dd.bin"), size, "conv=fdatasync");
            Arena targetArena = Arena.ofShared();
            OptimizerState target = ADAMW.newState(floats, targetArena);
            t0 = System.nanoTime();
            Checkpoint.restore(file, ADAMW, List.of(target));
            double restore = seconds(t0);
            double ddRead = dd("if=" + file, "of=/dev/null", size, "");
            Files.delete(dir.resolve("dd.bin"));
            boolean equal = equal(source, target);
            long beyond = rss("VmHWM") - rssBefore - states;
            row(table, "state", String.format(Locale.ROOT, "AdamW, %d floats per slot, 2 slots: %.2f GB", floats,
                    states / 2 / 1e9));
            row(table, "file", size + " bytes");
            row(table, "save", String.format(Locale.ROOT, "%.1f s, %.2f GB/s; `dd conv=fdatasync` of the same size"
                    + " %.1f s, %.2f GB/s: %.0f%% of the disk's sequential write", save, size / save / 1e9, ddWrite,
                    size / ddWrite / 1e9, 100 * ddWrite / save));
            row(table, "restore (checksum pass writing a private copy, then the copy)", String.format(Locale.ROOT, "%.1f s, %.2f GB/s of file; `dd` read of"
                    + " the file %.1f s, %.2f GB/s: %.0f%%", restore, size / restore / 1e9, ddRead,
                    size / ddRead / 1e9, 100 * ddRead / restore));
            row(table, "restored equal to saved", String.valueOf(equal));
            row(table, "peak memory beyond the states", String.format(Locale.ROOT, "%.0f MiB (RSS high-water minus"
                    + " the states and the JVM before them)", beyond / 1048576.0));
            row(table, "flipped byte", corrupt(file, size, target));
            targetArena.close();
            row(table, "restored as 3 shards", shards(file, floats, source, 3));
        }
        row(table, "SIGKILL during a save", kills(file, floats, 2, "fp32"));
        Files.deleteIfExists(file);
        for (String name : List.of("bf16", "q8")) {
            lowPrecision(table, dir, name);
        }
        try (var left = Files.newDirectoryStream(dir, "*.tmp")) {
            for (Path tmp : left) {
                Files.delete(tmp); // the killed saves' temporary files
            }
        }
        System.out.print(table);
    }

    /**
     * A state whose slots pass 2 GiB each in the {@code name} format (bf16: 1.1e9 elements, 8-bit:
     * 2.2e9): saved, restored equal, a flipped byte refused with nothing written, a save killed.
     */
    private static void lowPrecision(StringBuilder table, Path dir, String name) throws Exception {
        Formats formats = FORMATS.get(name);
        long floats = name.equals("bf16") ? 1_100_000_000L : 2_200_000_000L;
        Path file = dir.resolve(name + ".ckpt");
        String figures;
        try (Arena arena = Arena.ofShared()) {
            OptimizerState source = state(arena, floats, 1f, formats);
            long t0 = System.nanoTime();
            Checkpoint.save(file, ADAMW, List.of(source));
            double save = seconds(t0);
            OptimizerState target = ADAMW.newState(floats, arena, formats);
            t0 = System.nanoTime();
            Checkpoint.restore(file, ADAMW, List.of(target));
            double restore = seconds(t0);
            long size = Files.size(file);
            figures = String.format(Locale.ROOT, "%d elements, slots of %.2f GB; file %d bytes; save %.1f s, restore"
                    + " %.1f s; restored equal to saved: %s; %s", floats, source.slot(Adam.EXP_AVG).byteSize() / 1e9,
                    size, save, restore, equal(source, target), corrupt(file, size, target));
        }
        row(table, name + " state over 2 GiB per slot", figures);
        row(table, name + ": SIGKILL during a save", kills(file, floats, 1, name));
        Files.deleteIfExists(file);
    }

    private static String corrupt(Path file, long size, OptimizerState target) throws IOException {
        long at = size - 4 - 12_345;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
            MemorySegment first = target.slot(Adam.EXP_AVG);
            first.setAtIndex(Floats.LAYOUT, 0, -7f);
            String result;
            try {
                Checkpoint.restore(file, ADAMW, List.of(target));
                result = "accepted: **broken**";
            } catch (CheckpointException e) {
                boolean untouched = first.getAtIndex(Floats.LAYOUT, 0) == -7f;
                result = "byte " + at + " of the last slot flipped: refused (" + e.getMessage().replace(file.toString(),
                        "the file") + "); state untouched: " + untouched;
            }
            f.seek(at);
            f.write(b);
            return result;
        }
    }

    /** Restores the one-block file into {@code n} parts (a ZeRO-1 resume on n ranks) and compares. */
    private static String shards(Path file, long floats, OptimizerState source, int n) throws IOException {
        try (Arena arena = Arena.ofShared()) {
            List<Checkpoint.Part> parts = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                long from = floats * i / n;
                parts.add(new Checkpoint.Part(from, ADAMW.newState(floats * (i + 1) / n - from, arena)));
            }
            long t0 = System.nanoTime();
            Checkpoint.restoreParts(List.of(file), parts);
            double took = seconds(t0);
            boolean equal = true;
            for (Checkpoint.Part p : parts) {
                for (String key : source.keys()) {
                    long bytes = p.state().length() * Float.BYTES;
                    equal &= source.slot(key).asSlice(p.offset() * Float.BYTES, bytes).mismatch(p.state().slot(key)) == -1;
                }
                equal &= p.state().step() == source.step();
            }
            return String.format(Locale.ROOT, "%.1f s (`restoreParts`, %d parts of about %d floats); each equal to"
                    + " its slice of the saved state: %s", took, n, floats / n, equal);
        }
    }

    /** Kills a JVM saving a new checkpoint (values 2) over the old one (values 1) and restores what is left. */
    private static String kills(Path file, long floats, int times, String format) throws Exception {
        StringBuilder s = new StringBuilder();
        Formats formats = FORMATS.get(format);
        try (Arena arena = Arena.ofShared()) {
            Checkpoint.save(file, ADAMW, List.of(state(arena, floats, 1f, formats)));
        }
        for (int k = 0; k < times; k++) {
            Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                    BigCheckpoint.class.getName(), "child", file.toString(), String.valueOf(floats), "2", format)
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
            for (String line; (line = out.readLine()) != null && !line.equals("saving"); ) {
                // wait until the child has filled its state and started to save
            }
            TimeUnit.MILLISECONDS.sleep(1500 + 1000L * k);
            child.destroyForcibly().waitFor();
            try (Arena arena = Arena.ofShared()) {
                OptimizerState back = ADAMW.newState(floats, arena, formats);
                Checkpoint.restore(file, ADAMW, List.of(back));
                MemorySegment slot = back.slot(Adam.EXP_AVG);
                byte last = slot.get(ValueLayout.JAVA_BYTE, slot.byteSize() - 1);
                s.append(k == 0 ? "" : "; ").append("kill ").append(k + 1).append(": restored the ")
                        .append(last == marker(formats, 1f) ? "old" : last == marker(formats, 2f) ? "new" : "**mixed**")
                        .append(" checkpoint");
            }
        }
        return s.toString();
    }

    private static void child(Path file, long floats, float value, Formats formats) throws IOException {
        try (Arena arena = Arena.ofShared()) {
            OptimizerState state = state(arena, floats, value, formats);
            System.out.println("saving");
            System.out.flush();
            Checkpoint.save(file, ADAMW, List.of(state));
        }
    }

    private static OptimizerState state(Arena arena, long floats, float value) {
        return state(arena, floats, value, Formats.FP32);
    }

    /** A state whose every element holds {@code value} in float32, else every byte of its slots holds it. */
    private static OptimizerState state(Arena arena, long floats, float value, Formats formats) {
        OptimizerState s = ADAMW.newState(floats, arena, formats);
        if (formats.state() != Format.FP32) {
            for (String key : s.keys()) {
                s.slot(key).fill((byte) value);
            }
            return s;
        }
        for (String key : s.keys()) {
            MemorySegment slot = s.slot(key);
            MemorySegment pattern = Floats.allocate(arena, 1 << 16);
            for (int i = 0; i < 1 << 16; i++) {
                pattern.setAtIndex(Floats.LAYOUT, i, value);
            }
            for (long at = 0; at < floats; at += 1 << 16) {
                long n = Math.min(1 << 16, floats - at);
                MemorySegment.copy(pattern, 0, slot, at * Float.BYTES, n * Float.BYTES);
            }
        }
        return s;
    }

    /** The last byte of a slot {@link #state} filled with {@code value}. */
    private static byte marker(Formats formats, float value) {
        return formats.state() == Format.FP32 ? (byte) (Float.floatToIntBits(value) >>> 24) : (byte) value;
    }

    private static boolean equal(OptimizerState a, OptimizerState b) {
        for (String key : a.keys()) {
            if (a.slot(key).mismatch(b.slot(key)) != -1) {
                return false;
            }
        }
        return a.step() == b.step();
    }

    /** Seconds {@code dd bs=1M} takes to copy {@code bytes}. */
    private static double dd(String in, String out, long bytes, String extra) throws Exception {
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder("dd", in, out, "bs=1M", "count=" + (bytes + 1048575) / 1048576);
        if (!extra.isEmpty()) {
            pb.command().add(extra);
        }
        Process p = pb.redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IOException("dd failed: " + pb.command());
        }
        return seconds(t0);
    }

    private static long rss(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no " + field + " in /proc/self/status");
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void row(StringBuilder table, String what, String figure) {
        table.append("| ").append(what).append(" | ").append(figure).append(" |\n");
    }
}
