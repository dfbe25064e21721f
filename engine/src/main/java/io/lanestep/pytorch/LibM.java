package io.lanestep.pytorch;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The C library's {@code cos} and {@code pow}, which Python's {@code math.cos} and {@code **} call,
 * so that schedulers reproduce torch's doubles to the last bit. Java's {@code Math.cos} is the more
 * accurate one at a few arguments (two of the 3 404 the sample scheduler cases use, which changes
 * one learning rate of a OneCycleLR run), so matching torch means calling what Python calls. Where
 * the C library cannot be called (native access denied, no {@code cos} symbol), this falls back
 * to {@code Math.cos}/{@code Math.pow}; {@link #NATIVE} says which is in use.
 */
final class LibM {
    private static final MethodHandle COS;
    private static final MethodHandle POW;
    /** Whether the C library's functions are in use. */
    static final boolean NATIVE;

    static {
        MethodHandle cos = null;
        MethodHandle pow = null;
        try {
            Linker linker = Linker.nativeLinker();
            Optional<MemorySegment> c = linker.defaultLookup().find("cos");
            Optional<MemorySegment> p = linker.defaultLookup().find("pow");
            if (c.isPresent() && p.isPresent()) {
                ValueLayout.OfDouble d = ValueLayout.JAVA_DOUBLE;
                cos = linker.downcallHandle(c.get(), FunctionDescriptor.of(d, d), Linker.Option.critical(false));
                pow = linker.downcallHandle(p.get(), FunctionDescriptor.of(d, d, d), Linker.Option.critical(false));
            }
        } catch (IllegalCallerException | UnsupportedOperationException e) {
            cos = null;
            pow = null;
        }
        COS = cos;
        POW = pow;
        NATIVE = cos != null;
    }

    private LibM() {
    }

    static double cos(double x) {
        if (COS == null) {
            return Math.cos(x);
        }
        try {
            return (double) COS.invokeExact(x);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static double pow(double x, double y) {
        if (POW == null) {
            return Math.pow(x, y);
        }
        try {
            return (double) POW.invokeExact(x, y);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
