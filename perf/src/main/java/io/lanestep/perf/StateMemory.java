package io.lanestep.perf;

import io.lanestep.Adam;
import io.lanestep.Format;
import io.lanestep.Formats;
import io.lanestep.OptimizerState;
import java.lang.foreign.Arena;

/** What Adam's state allocates per format, measured from the segments the state holds. */
final class StateMemory {
    private static final long ELEMENTS = 16_777_216L;

    private StateMemory() {
    }

    /** Bytes of 8-bit Adam state over float32 Adam state, for a block of 16M elements. */
    static double q8OverFp32() {
        return (double) bytes(new Formats(Format.FP32, Format.FP32, Format.Q8)) / bytes(Formats.FP32);
    }

    private static long bytes(Formats formats) {
        try (Arena arena = Arena.ofConfined()) {
            OptimizerState state = Adam.defaults().newState(ELEMENTS, arena, formats);
            long total = 0;
            for (String key : state.keys()) {
                total += state.slot(key).byteSize();
            }
            return total;
        }
    }
}
