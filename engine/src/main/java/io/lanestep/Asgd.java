package io.lanestep;

import java.util.List;

/**
 * Averaged SGD, PyTorch's {@code torch.optim.ASGD}: SGD with a decaying rate {@code eta} and a
 * running average {@code ax} of the iterates that starts at step {@code t0}. {@code eta} and
 * {@code mu} are per-block scalar state, updated after each step. At step {@code t} (from 1), with
 * the {@code eta} and {@code mu} of the previous step, per element:
 * <pre>
 * g = maximize ? -g : g;  if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * torch 1.13, torch 2.x single:
 *     p = p * f(1 - lambd·eta);  p = fma(g, -eta, p)
 *     ax = mu != 1 ? ax + (p - ax) * mu : p
 *     eta = f(lr / (1 + lambd·lr·t)^alpha)
 * torch 2.x foreach:
 *     p = fma(-fma(p, f(lambd), g), eta, p)
 *     ax = fma(p - ax, mu, ax)
 *     eta = (1 / pow32(f(t) * f(lambd·lr) + 1, alpha)) * f(lr),  pow32(x, a) = f(x^a) (sqrt for a = 0.5)
 * mu = f(1 / max(1, t - t0))
 * </pre>
 *
 * @param lr          learning rate, finite and &ge; 0 (1e-2)
 * @param lambd       decay term, finite and &ge; 0 (1e-4)
 * @param alpha       power of the rate's decay, finite (0.75)
 * @param t0          the step at which averaging starts, finite (1e6)
 * @param weightDecay L2 penalty, finite and &ge; 0 (0)
 * @param maximize    ascend instead of descend
 * @param numerics    which PyTorch's arithmetic to reproduce (fused is refused: torch has no fused ASGD)
 */
public record Asgd(double lr, double lambd, double alpha, double t0, double weightDecay, boolean maximize,
                   Numerics numerics) implements Optimizer {

    /** State key of the averaged iterate. */
    public static final String AX = "ax";
    /** Scalar state key of the current rate. */
    public static final String ETA = "eta";
    /** Scalar state key of the current averaging weight. */
    public static final String MU = "mu";

    /** Validates every hyperparameter. */
    public Asgd {
        Numerics.check(numerics, "Asgd");
        Hyper.nonNegative("lr", lr);
        Hyper.nonNegative("lambd", lambd);
        Hyper.nonNegative("weightDecay", weightDecay);
        if (!Double.isFinite(alpha)) {
            throw new IllegalArgumentException("alpha must be finite, got " + alpha);
        }
        if (!Double.isFinite(t0)) {
            throw new IllegalArgumentException("t0 must be finite, got " + t0);
        }
    }

    /** PyTorch's defaults: lr 1e-2, lambd 1e-4, alpha 0.75, t0 1e6, no decay. */
    public static Asgd defaults() {
        return new Asgd(1e-2, 1e-4, 0.75, 1e6, 0, false, Numerics.TORCH_1_13);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Asgd withLearningRate(double learningRate) {
        return new Asgd(learningRate, lambd, alpha, t0, weightDecay, maximize, numerics);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(AX);
    }

    @Override
    public List<String> scalarKeys() {
        return List.of(ETA, MU);
    }

    @Override
    public float initialScalarValue(String key) {
        return key.equals(ETA) ? (float) lr : 1f;
    }

    /** The rate {@code eta} after step {@code t}, as a float (the profile's formula). */
    public float nextEta(long t) {
        if (numerics == Numerics.TORCH_2_FOREACH) {
            float x = (float) t * (float) (lambd * lr) + 1f;
            float power = alpha == 0.5 ? (float) Math.sqrt(x) : (float) Math.pow(x, alpha);
            return (1f / power) * (float) lr;
        }
        return (float) (lr / Math.pow(1 + lambd * lr * t, alpha));
    }

    /** The averaging weight {@code mu} after step {@code t}. */
    public float nextMu(long t) {
        return (float) (1 / Math.max(1, t - t0));
    }

    /** This configuration with {@code lambd} changed, validated as the constructor validates it. */
    public Asgd withLambd(double lambd) {
        return new Asgd(lr, lambd, alpha, t0, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code alpha} changed, validated as the constructor validates it. */
    public Asgd withAlpha(double alpha) {
        return new Asgd(lr, lambd, alpha, t0, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code t0} changed, validated as the constructor validates it. */
    public Asgd withT0(double t0) {
        return new Asgd(lr, lambd, alpha, t0, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Asgd withWeightDecay(double weightDecay) {
        return new Asgd(lr, lambd, alpha, t0, weightDecay, maximize, numerics);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public Asgd withMaximize(boolean maximize) {
        return new Asgd(lr, lambd, alpha, t0, weightDecay, maximize, numerics);
    }

    /** This configuration with PyTorch arithmetic {@code profile}, everything else equal. */
    public Asgd withNumerics(Numerics profile) {
        return new Asgd(lr, lambd, alpha, t0, weightDecay, maximize, profile);
    }
}
