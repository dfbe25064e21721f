package io.lanestep;

import java.util.List;

/**
 * Rprop, PyTorch's {@code torch.optim.Rprop}: each coordinate keeps its own step size, grown by
 * {@code etaPlus} while the gradient keeps its sign and shrunk by {@code etaMinus} when it flips.
 * With {@code sign(x)} = 1, −1 or 0 (0 also for NaN, as PyTorch's vectorized sign), per element:
 * <pre>
 * g = maximize ? -g : g
 * s = sign(g * prev)
 * factor = s &gt; 0 ? f(etaPlus) : s &lt; 0 ? f(etaMinus) : 1
 * stepSize = min(max(stepSize * factor, f(stepMin)), f(stepMax))
 * if factor == f(etaMinus):  g = 0            after a sign change: no move, and prev resets
 * p = fma(-sign(g), stepSize, p)
 * prev = g
 * </pre>
 * The step sizes start at {@code f(lr)}.
 *
 * @param lr       initial step size, finite and &ge; 0 (1e-2)
 * @param etaMinus shrink factor in (0, 1) (0.5)
 * @param etaPlus  growth factor, finite and &gt; 1 (1.2)
 * @param stepMin  smallest step size, finite and &ge; 0 (1e-6)
 * @param stepMax  largest step size, finite and &ge; stepMin (50)
 * @param maximize ascend instead of descend
 * @param numerics which PyTorch's arithmetic to reproduce ({@link Numerics}; the old constructor: {@code
 *     TORCH_1_13})
 */
public record Rprop(double lr, double etaMinus, double etaPlus, double stepMin, double stepMax, boolean maximize,
                    Numerics numerics)
        implements Optimizer {

    /** State key of the previous (possibly zeroed) gradient. */
    public static final String PREV = "prev";
    /** State key of the per-coordinate step size. */
    public static final String STEP_SIZE = "step_size";

    /** Validates every hyperparameter. */
    public Rprop {
        Numerics.check(numerics, "Rprop");
        Hyper.nonNegative("lr", lr);
        if (!(etaMinus > 0 && etaMinus < 1 && etaPlus > 1 && Double.isFinite(etaPlus))) {
            throw new IllegalArgumentException("etas must satisfy 0 < etaMinus < 1 < etaPlus, got (" + etaMinus
                    + ", " + etaPlus + "); pass a shrink factor below 1 and a finite growth factor above 1");
        }
        Hyper.nonNegative("stepMin", stepMin);
        Hyper.nonNegative("stepMax", stepMax);
        if (stepMax < stepMin) {
            throw new IllegalArgumentException("stepMax " + stepMax + " is below stepMin " + stepMin
                    + "; pass step sizes with stepMin <= stepMax");
        }
    }

    /** The configuration with torch 1.13.1's arithmetic. */
    public Rprop(double lr, double etaMinus, double etaPlus, double stepMin, double stepMax, boolean maximize) {
        this(lr, etaMinus, etaPlus, stepMin, stepMax, maximize, Numerics.TORCH_1_13);
    }

    /** PyTorch's defaults: lr 1e-2, etas (0.5, 1.2), step sizes (1e-6, 50). */
    public static Rprop defaults() {
        return new Rprop(1e-2, 0.5, 1.2, 1e-6, 50, false);
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Rprop withLearningRate(double learningRate) {
        return new Rprop(learningRate, etaMinus, etaPlus, stepMin, stepMax, maximize, numerics);
    }

    @Override
    public List<String> stateKeys() {
        return List.of(PREV, STEP_SIZE);
    }

    @Override
    public float initialStateValue(String key) {
        return key.equals(STEP_SIZE) ? (float) lr : 0f;
    }

    /** This configuration with {@code etaMinus} changed, validated as the constructor validates it. */
    public Rprop withEtaMinus(double etaMinus) {
        return new Rprop(lr, etaMinus, etaPlus, stepMin, stepMax, maximize, numerics);
    }

    /** This configuration with {@code etaPlus} changed, validated as the constructor validates it. */
    public Rprop withEtaPlus(double etaPlus) {
        return new Rprop(lr, etaMinus, etaPlus, stepMin, stepMax, maximize, numerics);
    }

    /** This configuration with {@code stepMin} changed, validated as the constructor validates it. */
    public Rprop withStepMin(double stepMin) {
        return new Rprop(lr, etaMinus, etaPlus, stepMin, stepMax, maximize, numerics);
    }

    /** This configuration with {@code stepMax} changed, validated as the constructor validates it. */
    public Rprop withStepMax(double stepMax) {
        return new Rprop(lr, etaMinus, etaPlus, stepMin, stepMax, maximize, numerics);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public Rprop withMaximize(boolean maximize) {
        return new Rprop(lr, etaMinus, etaPlus, stepMin, stepMax, maximize, numerics);
    }

    /** This configuration with PyTorch arithmetic {@code profile}, everything else equal. */
    public Rprop withNumerics(Numerics profile) {
        return new Rprop(lr, etaMinus, etaPlus, stepMin, stepMax, maximize, profile);
    }
}
