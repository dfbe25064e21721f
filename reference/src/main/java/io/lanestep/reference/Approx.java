package io.lanestep.reference;

/**
 * A double-precision value with a bound on the error a float32 evaluation of the same formula can
 * have (running error analysis): every float32 rounding adds half an ulp, relative 2⁻²⁴, plus
 * half the smallest subnormal, and input errors propagate to first order and beyond. An infinite
 * bound means the formula is ill-conditioned at this input (a divisor indistinguishable from 0).
 */
public record Approx(double value, double error) {
    static final double UNIT = 0x1p-24;
    private static final double SUBNORMAL = Float.MIN_VALUE;

    /** An error bound that arithmetic made NaN (0 times an infinite bound) is unbounded. */
    public Approx {
        if (Double.isNaN(error)) {
            error = Double.POSITIVE_INFINITY;
        }
    }

    /** A float input: exact. */
    public static Approx exact(double x) {
        return new Approx(x, 0);
    }

    /** A hyperparameter computed in double and rounded to float once. */
    public static Approx rounded(double x) {
        return new Approx(x, round(x));
    }

    private static double round(double v) {
        return UNIT * Math.abs(v) + SUBNORMAL;
    }

    public Approx plus(Approx b) {
        double v = value + b.value;
        return new Approx(v, error + b.error + round(v));
    }

    public Approx minus(Approx b) {
        return plus(b.negate());
    }

    public Approx negate() {
        return new Approx(-value, error);
    }

    public Approx times(Approx b) {
        double v = value * b.value;
        return new Approx(v, Math.abs(value) * b.error + Math.abs(b.value) * error + error * b.error + round(v));
    }

    public Approx dividedBy(Approx b) {
        double v = value / b.value;
        double margin = Math.abs(b.value) - b.error;
        double e = margin > 0 ? (error + Math.abs(v) * b.error) / margin + round(v) : Double.POSITIVE_INFINITY;
        return new Approx(v, e);
    }

    public Approx sqrt() {
        double v = Math.sqrt(Math.max(0, value));
        double below = Math.sqrt(Math.max(0, value - error));
        if (value - error < 0 && error > 0) {
            // The float radicand may be negative, and its root NaN: PyTorch's centered RMSprop does this.
            return new Approx(v, Double.POSITIVE_INFINITY);
        }
        double e = v + below > 0 ? error / (v + below) : Math.sqrt(error);
        return new Approx(v, e + round(v));
    }

    public Approx abs() {
        return new Approx(Math.abs(value), error);
    }

    public Approx min(Approx b) {
        return new Approx(Math.min(value, b.value), Math.max(error, b.error));
    }

    public Approx max(Approx b) {
        return new Approx(Math.max(value, b.value), Math.max(error, b.error));
    }

    /** min(cap, this / divisor), with min(cap, x/0) = cap. */
    public Approx ratioCappedAt(Approx divisor, Approx cap) {
        if (divisor.value == 0) {
            return value >= 0 && divisor.error == 0 ? cap : new Approx(cap.value, Double.POSITIVE_INFINITY);
        }
        Approx q = dividedBy(divisor);
        if (q.value - q.error >= cap.value + cap.error) {
            return cap;
        }
        return new Approx(Math.min(cap.value, q.value), Math.max(q.error, cap.error));
    }

    /** Whether a float32 result lies within twice this bound (the slack covers operation order). */
    public boolean admits(float actual) {
        return Double.isInfinite(error) || Math.abs(actual - value) <= 2 * error + 4 * SUBNORMAL;
    }
}
