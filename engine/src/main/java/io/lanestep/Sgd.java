package io.lanestep;

import java.util.List;

/**
 * Stochastic gradient descent with PyTorch's {@code torch.optim.SGD} semantics, momentum,
 * dampening, L2 weight decay, Nesterov and maximize included. With momentum 0 it is the seed's
 * vanilla SGD, {@code Φ -= η ĝ}.
 *
 * <p>Per element, with {@code g} the gradient and {@code p} the parameter:
 * <pre>
 * d = maximize ? -g : g
 * if weightDecay != 0:  d = fma(p, f(weightDecay), d)
 * if momentum != 0:
 *     buf = (first step) ? d : fma(d, f(1 - dampening), buf * f(momentum))
 *     d   = nesterov ? fma(buf, f(momentum), d) : buf
 * p = fma(d, f(-lr), p)
 * </pre>
 * where {@code f} rounds a double to float once. The first step copies {@code d} into the buffer
 * without dampening, as PyTorch does.
 *
 * @param lr          learning rate, finite and &ge; 0
 * @param momentum    momentum factor in [0, 1]
 * @param dampening   dampening of the gradient in the momentum buffer, in [0, 1]
 * @param weightDecay L2 penalty, finite and &ge; 0
 * @param nesterov    Nesterov momentum; needs momentum &gt; 0 and dampening 0
 * @param maximize    ascend the objective instead of descending it
 * @param numerics which PyTorch's arithmetic to reproduce ({@link Numerics}; the old constructor: {@code
 *     TORCH_1_13})
 */
public record Sgd(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                  boolean maximize, Numerics numerics)
        implements Optimizer {

    /** State key of the momentum buffer, as in PyTorch. */
    public static final String MOMENTUM_BUFFER = "momentum_buffer";

    /** Validates every hyperparameter. */
    public Sgd {
        Numerics.check(numerics, "Sgd");
        Hyper.nonNegative("lr", lr);
        Hyper.unitInterval("momentum", momentum);
        Hyper.unitInterval("dampening", dampening);
        Hyper.nonNegative("weightDecay", weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("nesterov needs momentum > 0 and dampening == 0, got momentum "
                    + momentum + " and dampening " + dampening + "; set dampening to 0 and a positive momentum,"
                    + " or turn nesterov off");
        }
    }

    /** The configuration with torch 1.13.1's arithmetic. */
    public Sgd(double lr, double momentum, double dampening, double weightDecay, boolean nesterov, boolean maximize) {
        this(lr, momentum, dampening, weightDecay, nesterov, maximize, Numerics.TORCH_1_13);
    }

    /** Vanilla SGD, {@code Φ -= lr·ĝ}. */
    public static Sgd of(double lr) {
        return new Sgd(lr, 0, 0, 0, false, false);
    }



    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public Sgd withLearningRate(double learningRate) {
        return new Sgd(learningRate, momentum, dampening, weightDecay, nesterov, maximize, numerics);
    }

    @Override
    public List<String> stateKeys() {
        return momentum == 0 ? List.of() : List.of(MOMENTUM_BUFFER);
    }

    /** This configuration with {@code momentum} changed, validated as the constructor validates it. */
    public Sgd withMomentum(double momentum) {
        return new Sgd(lr, momentum, dampening, weightDecay, nesterov, maximize, numerics);
    }

    /** This configuration with {@code dampening} changed, validated as the constructor validates it. */
    public Sgd withDampening(double dampening) {
        return new Sgd(lr, momentum, dampening, weightDecay, nesterov, maximize, numerics);
    }

    /** This configuration with {@code weightDecay} changed, validated as the constructor validates it. */
    public Sgd withWeightDecay(double weightDecay) {
        return new Sgd(lr, momentum, dampening, weightDecay, nesterov, maximize, numerics);
    }

    /** This configuration with {@code nesterov} changed, validated as the constructor validates it. */
    public Sgd withNesterov(boolean nesterov) {
        return new Sgd(lr, momentum, dampening, weightDecay, nesterov, maximize, numerics);
    }

    /** This configuration with {@code maximize} changed, validated as the constructor validates it. */
    public Sgd withMaximize(boolean maximize) {
        return new Sgd(lr, momentum, dampening, weightDecay, nesterov, maximize, numerics);
    }

    /** This configuration with PyTorch arithmetic {@code profile}, everything else equal. */
    public Sgd withNumerics(Numerics profile) {
        return new Sgd(lr, momentum, dampening, weightDecay, nesterov, maximize, profile);
    }
}
