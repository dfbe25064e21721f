package io.lanestep;

/**
 * The incubating Vector API is never resolved by default: a JVM started without
 * {@code --add-modules jdk.incubator.vector} would fail later with a bare
 * {@code NoClassDefFoundError: jdk/incubator/vector/FloatVector}. Every entry point that leads to
 * a kernel checks it first and says what to do.
 */
final class VectorModule {
    private static final boolean PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private VectorModule() {
    }

    static void require() {
        if (!PRESENT) {
            throw new IllegalStateException("Lanestep's kernels use the incubating Vector API, which this JVM has"
                    + " not loaded: start java with --add-modules jdk.incubator.vector (in Maven: surefire's argLine"
                    + " and exec's arguments; in Gradle: jvmArgs of Test and JavaExec)");
        }
    }
}
