package io.lanestep;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.lang.foreign.ValueLayout;

/**
 * The float32 power of XLA's CPU code, which optax's jitted steps compute their bias corrections
 * ({@code b**count}) and ADOPT's clip bound ({@code count**0.25}) with: XLA calls the C library's
 * {@code powf} and flushes a subnormal result to zero. glibc's {@code powf} is not correctly
 * rounded: it differs from the correctly rounded power in the last bit at some step counts (327 of
 * the first 5,000 for {@code f(0.99)^t}, 10 for {@code f(0.999)^t}; the first at {@code f(0.95)^58},
 * {@code f(0.99)^349}, {@code 843^0.25}), so a long optax run stays bit for bit only with the same
 * function. Where the C library cannot be called (native
 * access denied), this is the correctly rounded power instead; {@link #NATIVE} says which.
 */
public final class XlaMath {
    private static final MethodHandle POWF;
    /** Whether the C library's {@code powf} is in use. */
    public static final boolean NATIVE;

    static {
        MethodHandle powf = null;
        try {
            Linker linker = Linker.nativeLinker();
            ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
            powf = linker.defaultLookup().find("powf")
                    .map(s -> linker.downcallHandle(s, FunctionDescriptor.of(f, f, f), Linker.Option.critical(false)))
                    .orElse(null);
        } catch (IllegalCallerException | UnsupportedOperationException e) {
            powf = null;
        }
        POWF = powf;
        NATIVE = powf != null;
    }

    private XlaMath() {
    }

    /** {@code x^y} as XLA's CPU code computes it in float32. */
    public static float pow(float x, float y) {
        float r;
        if (POWF == null) {
            r = (float) Math.pow(x, y);
        } else {
            try {
                r = (float) POWF.invokeExact(x, y);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }
        return Math.abs(r) < Float.MIN_NORMAL ? r * 0f : r;
    }

    /**
     * optax's {@code linear_schedule(0, end, steps)} (so {@code warmup_constant_schedule(0, end, steps)})
     * at {@code count}, as XLA computes it in float32: {@code f(end)} from {@code count >= steps} on,
     * before that {@code fma(fma(-f(count), 1/f(steps), 1), f(-end), f(end))}.
     */
    public static float linearWarmup(double end, long steps, long count) {
        if (count >= steps) {
            return (float) end;
        }
        float fraction = Math.fma(-(float) count, 1f / (float) steps, 1f);
        return Math.fma(fraction, (float) -end, (float) end);
    }
}
