package io.lanestep;

/** Hyperparameter checks shared by the optimizer records; each message names the argument and the fix. */
final class Hyper {
    private Hyper() {
    }

    static void nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value
                    + "; pass a non-negative " + name);
        }
    }

    static void unitInterval(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must lie in [0, 1], got " + value
                    + "; pass a " + name + " between 0 and 1");
        }
    }

    static void belowOne(String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must lie in [0, 1), got " + value
                    + "; pass a " + name + " of at least 0 and below 1");
        }
    }

    static void positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and > 0, got " + value
                    + "; pass a positive " + name);
        }
    }

    /** A warm-up's length in steps. */
    static void warmupSteps(String name, long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + steps + "; pass 0 for none");
        }
    }
}
