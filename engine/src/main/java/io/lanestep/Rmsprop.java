package io.lanestep;

import java.util.ArrayList;
import java.util.List;

/**
 * RMSprop (seed §5) with PyTorch's {@code torch.optim.RMSprop} options and defaults. No bias
 * correction; {@code eps} is added outside the square root.
 *
 * <p>Per element ({@code f} rounds a double to float once):
 * <pre>
 * g = maximize ? -g : g
 * if weightDecay != 0:  g = fma(p, f(weightDecay), g)
 * v = fma(f(1 - alpha) * g, g, v * f(alpha))
 * if centered:  a = fma(g, f(1 - alpha), a * f(alpha));  avg = sqrt(fma(-a, a, v))
 * else:         avg = sqrt(v)
 * avg = avg + f(eps)
 * if momentum > 0:  buf = buf * f(momentum) + g / avg;  p = fma(buf, f(-lr), p)
 * else:             p = p + (f(-lr) * g) / avg
 * </pre>
 *
 * @param lr          learning rate, finite and &ge; 0 (PyTorch default 1e-2)
 * @param alpha       smoothing constant of the squared-gradient average, in [0, 1] (0.99)
 * @param eps         added to the root mean square, finite and &ge; 0 (1e-8)
 * @param weightDecay L2 penalty, finite and &ge; 0 (0)
 * @param momentum    momentum factor in [0, 1] (0)
 * @param centered    divide by the gradient's estimated standard deviation instead of its RMS
 * @param maximize    ascend instead of descend
 * @param numerics which PyTorch's arithmetic to reproduce ({@link Numerics}; the old constructor: {@code
 *     TORCH_1_13})
 */
public record Rmsprop(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered,
                      boolean maximize, Numerics numerics)
        implements Optimizer {

    /** State key of the running average of squared gradients. */
    public static final String SQUARE_AVG = "square_avg";
    /** State key of the momentum buffer (momentum &gt; 0). */
    public static final String MOMENTUM_BUFFER = "momentum_buffer";
    /** State key of the running average of gradients (centered). */
    public static final String GRAD_AVG = "grad_avg";

    /** Validates every hyperparameter. */
    public Rmsprop {
        Numerics.check(numerics, "Rmsprop");
        Hyper.nonNegative("lr", lr);
        Hyper.unitInterval("alpha", alpha);
        Hyper.nonNegative("eps", eps);
        Hyper.nonNegative("weightDecay", weightDecay);
        Hyper.unitInterval("momentum", momentum);
    }

    /** The configuration with torch 1.13.1's arithmetic. */
    public Rmsprop(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered,
                   boolean maximize) {
        this(lr, alpha, eps, weightDecay, momentum, centered, maximize, Numerics.TORCH_1_13);
    }

    /** PyTorch's defaults: lr 1e-2, alpha 0.99, eps 1e-8, no decay, momentum or centering. */
    public static Rmsprop defaults() {
        return new Rmsprop(1e-2, 0.99, 1e-8, 0, 0, false, false);
    }


    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Rmsprop withLearningRate(double learningRate) {
        return new Rmsprop(learningRate, alpha, eps, weightDecay, momentum, centered, maximize, numerics);
    }

    @Override
    public List<String> stateKeys() {
        List<String> keys = new ArrayList<>(List.of(SQUARE_AVG));
        if (momentum > 0) {
            keys.add(MOMENTUM_BUFFER);
        }
        if (centered) {
            keys.add(GRAD_AVG);
        }
        return List.copyOf(keys);
    }

    /** This configuration with {@code alpha} changed, validated as the constructor validates it. */
    public Rmsprop withAlpha(double alpha) {
        return new Rmsprop(lr, alpha, eps, weightDecay, momentum, centered, maximize, numerics);
    }

    /** This configuration with {@code eps} changed, validated as the constructor validates it. */
    public Rmsprop withEps(double eps) {
        return new Rmsprop(lr, alpha, eps, weightDecay, momentum, centered, maximize, numerics);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Rmsprop withWeightDecay(double weightDecay) {
        return new Rmsprop(lr, alpha, eps, weightDecay, momentum, centered, maximize, numerics);
    }

    /** This configuration with {@code momentum} changed, validated as the constructor validates it. */
    public Rmsprop withMomentum(double momentum) {
        return new Rmsprop(lr, alpha, eps, weightDecay, momentum, centered, maximize, numerics);
    }

    /** This configuration with {@code centered} changed, validated as the constructor validates it. */
    public Rmsprop withCentered(boolean centered) {
        return new Rmsprop(lr, alpha, eps, weightDecay, momentum, centered, maximize, numerics);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public Rmsprop withMaximize(boolean maximize) {
        return new Rmsprop(lr, alpha, eps, weightDecay, momentum, centered, maximize, numerics);
    }

    /** This configuration with PyTorch arithmetic {@code profile}, everything else equal. */
    public Rmsprop withNumerics(Numerics profile) {
        return new Rmsprop(lr, alpha, eps, weightDecay, momentum, centered, maximize, profile);
    }
}
