package io.lanestep;

/**
 * Every optimizer by name, at PyTorch's defaults, to change by name with its withers:
 * <pre>{@code
 * Optimizer adamW = Lanestep.adamW().withLearningRate(3e-4).withWeightDecay(0.05);
 * }</pre>
 * Each wither validates as the record's constructor does, with the same messages. This class also
 * names Lanestep's optimizers without importing them, where DJL's or DL4J's {@code Adam} or
 * {@code Sgd} is imported. The seed lecture's optimizers and LARS have no PyTorch defaults: they
 * take their learning rate (or batch size) and keep the lecture's or the paper's other settings.
 */
public final class Lanestep {
    private Lanestep() {
    }

    /** {@code torch.optim.Adam()}: lr 1e-3, betas (0.9, 0.999), eps 1e-8. */
    public static Adam adam() {
        return Adam.defaults();
    }

    /** {@code torch.optim.AdamW()}: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2. */
    public static AdamW adamW() {
        return AdamW.defaults();
    }

    /** {@code torch.optim.Adamax()}: lr 2e-3, betas (0.9, 0.999), eps 1e-8. */
    public static Adamax adamax() {
        return Adamax.defaults();
    }

    /** {@code torch.optim.NAdam()}: lr 2e-3, betas (0.9, 0.999), eps 1e-8, momentum decay 4e-3. */
    public static NAdam nAdam() {
        return NAdam.defaults();
    }

    /** {@code torch.optim.RAdam()}: lr 1e-3, betas (0.9, 0.999), eps 1e-8. */
    public static RAdam rAdam() {
        return RAdam.defaults();
    }

    /** {@code torch.optim.Adagrad()}: lr 1e-2, eps 1e-10. */
    public static Adagrad adagrad() {
        return Adagrad.defaults();
    }

    /** {@code torch.optim.Adadelta()}: lr 1, rho 0.9, eps 1e-6. */
    public static Adadelta adadelta() {
        return Adadelta.defaults();
    }

    /** {@code torch.optim.RMSprop()}: lr 1e-2, alpha 0.99, eps 1e-8. */
    public static Rmsprop rmsprop() {
        return Rmsprop.defaults();
    }

    /** {@code torch.optim.Rprop()}: lr 1e-2, etas (0.5, 1.2), step sizes (1e-6, 50). */
    public static Rprop rprop() {
        return Rprop.defaults();
    }

    /** {@code torch.optim.ASGD()}: lr 1e-2, lambd 1e-4, alpha 0.75, t0 1e6. */
    public static Asgd asgd() {
        return Asgd.defaults();
    }

    /** {@code torch.optim.Adafactor()}: lr 1e-2, beta2 decay -0.8, eps (None, 1e-3), d 1. */
    public static Adafactor adafactor() {
        return Adafactor.defaults();
    }

    /** {@code torch.optim.SGD()} of torch 2: lr 1e-3, no momentum. */
    public static Sgd sgd() {
        return Sgd.of(1e-3);
    }

    /** LAMB (You et al.): lr 1e-3, betas (0.9, 0.999), eps 1e-6, weight decay 1e-2. */
    public static Lamb lamb() {
        return Lamb.defaults();
    }

    /** Lion (Chen et al.): lr 1e-4, betas (0.9, 0.99). */
    public static Lion lion() {
        return Lion.defaults();
    }

    /** ADOPT (Taniguchi et al.), timm's defaults: lr 1e-3, betas (0.9, 0.9999), eps 1e-6, clip exponent 0.333. */
    public static Adopt adopt() {
        return Adopt.defaults();
    }

    /** Adan (Xie et al.), timm's defaults: lr 1e-3, betas (0.98, 0.92, 0.99), eps 1e-8, proximal decay. */
    public static Adan adan() {
        return Adan.defaults();
    }

    /** timm's AdamWLegacy: lr 1e-3, betas (0.9, 0.999), eps 1e-8, decay 1e-2; with caution, timm's cadamw. */
    public static AdamWLegacy adamWLegacy() {
        return AdamWLegacy.defaults();
    }

    /** AdEMAMix (Pagliardini et al.) at {@code lr}, optax's defaults: b1 0.9, b2 0.999, b3 0.9999, alpha 5. */
    public static AdEMAMix adEMAMix(double lr) {
        return AdEMAMix.of(lr);
    }

    /** Simplified AdEMAMix (Morwani et al.) at {@code lr}, optax's defaults: b1 0.99, b2 0.95, alpha 0. */
    public static SimplifiedAdEMAMix simplifiedAdEMAMix(double lr) {
        return SimplifiedAdEMAMix.of(lr);
    }

    /** LaProp (Ziyin et al.), timm's defaults: lr 4e-4, betas (0.9, 0.999), eps 1e-15. */
    public static LaProp laProp() {
        return LaProp.defaults();
    }

    /** Schedule-Free AdamW (Defazio et al.), optax's defaults: lr 0.0025, b1 0.9, b2 0.999, eps 1e-8. */
    public static ScheduleFreeAdamW scheduleFreeAdamW() {
        return ScheduleFreeAdamW.defaults();
    }

    /** Schedule-Free SGD (Defazio et al.) at {@code lr}, optax's defaults otherwise: b1 0.9, no decay. */
    public static ScheduleFreeSgd scheduleFreeSgd(double lr) {
        return ScheduleFreeSgd.of(lr);
    }

    /** MARS (Yuan et al.), timm's defaults for a matrix: lr 3e-3, betas (0.9, 0.99), gamma 0.025, AdamW type. */
    public static Mars mars() {
        return Mars.defaults();
    }

    /** Prodigy (Mishchenko and Defazio), optax's defaults: lr 1, betas (0.9, 0.999), estimLr0 1e-6. */
    public static Prodigy prodigy() {
        return Prodigy.defaults();
    }

    /** Muon (Jordan et al.) as torch.optim.Muon, torch's defaults: lr 1e-3, weight decay 0.1, momentum 0.95. */
    public static Muon muon() {
        return Muon.defaults();
    }

    /** LARS (You et al.) at {@code lr}, the paper's ImageNet setting otherwise. */
    public static Lars lars(double lr) {
        return Lars.of(lr);
    }

    /** The seed lecture's heavy-ball momentum at {@code lr}, momentum 0.9. */
    public static HeavyBallMomentum heavyBallMomentum(double lr) {
        return new HeavyBallMomentum(lr, 0.9);
    }

    /** The seed lecture's averaged momentum at {@code lr}, momentum 0.9. */
    public static AveragedMomentum averagedMomentum(double lr) {
        return new AveragedMomentum(lr, 0.9);
    }

    /** The seed lecture's signal-to-noise SGD for batches of {@code batchSize}, its other defaults. */
    public static SignalToNoiseSgd signalToNoiseSgd(double batchSize) {
        return SignalToNoiseSgd.defaults(batchSize);
    }
}
