package io.lanestep.properties;

import io.lanestep.AdEMAMix;
import io.lanestep.Adadelta;
import io.lanestep.Adafactor;
import io.lanestep.Adagrad;
import io.lanestep.Adam;
import io.lanestep.AdamW;
import io.lanestep.AdamWLegacy;
import io.lanestep.Adamax;
import io.lanestep.Adan;
import io.lanestep.Adopt;
import io.lanestep.Asgd;
import io.lanestep.AveragedMomentum;
import io.lanestep.HeavyBallMomentum;
import io.lanestep.LaProp;
import io.lanestep.Lamb;
import io.lanestep.LaneWidth;
import io.lanestep.Lars;
import io.lanestep.Lion;
import io.lanestep.Mars;
import io.lanestep.Muon;
import io.lanestep.NAdam;
import io.lanestep.Numerics;
import io.lanestep.Optimizer;
import io.lanestep.Prodigy;
import io.lanestep.RAdam;
import io.lanestep.Rmsprop;
import io.lanestep.Rprop;
import io.lanestep.ScheduleFreeAdamW;
import io.lanestep.ScheduleFreeSgd;
import io.lanestep.Sgd;
import io.lanestep.SignalToNoiseSgd;
import io.lanestep.SimplifiedAdEMAMix;
import io.lanestep.reference.Defaults;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Random valid configurations of every optimizer, edges (0, 1, lr = 0) included on purpose. */
final class Optimizers {
    private Optimizers() {
    }

    static Arbitrary<Optimizer> all() {
        return Arbitraries.oneOf(each());
    }

    /**
     * One arbitrary per elementwise optimizer (Muon steps matrices: {@code MuonProperties}): those
     * written below, and {@link #fromComponents} for every optimizer without one.
     */
    static List<Arbitrary<Optimizer>> each() {
        Map<Class<?>, Arbitrary<Optimizer>> written = new LinkedHashMap<>();
        for (Arbitrary<Optimizer> a : List.of(profiled(sgd()), heavyBall(), averaged(), profiled(rmsprop()),
                profiled(adam()), profiled(adamW()), signalToNoise(), profiled(adagrad()), profiled(adamax()),
                profiled(nadam()), profiled(radam()), profiled(rprop()), profiled(adadelta()), profiled(asgd()),
                adafactor(), lion(), lars(), lamb(), adopt(), adan(), adamWLegacy(), laProp(), mars(), prodigy(),
                scheduleFreeAdamW(), scheduleFreeSgd(), adEMAMix(), simplifiedAdEMAMix())) {
            written.put(a.sample().getClass(), a);
        }
        List<Arbitrary<Optimizer>> all = new ArrayList<>(written.values());
        for (Class<?> type : Optimizer.class.getPermittedSubclasses()) {
            if (type != Muon.class && !written.containsKey(type)) {
                all.add(fromComponents(type.asSubclass(Optimizer.class)));
            }
        }
        return all;
    }

    /**
     * Valid configurations of {@code type} drawn component by component from its defaults
     * ({@link Defaults}): a learning rate, betas, epsilons, a weight decay and a momentum drawn as
     * the arbitraries below draw them, every flag and numerics profile, and each other component
     * at its default; combinations its constructor refuses are dropped.
     */
    static Arbitrary<Optimizer> fromComponents(Class<? extends Optimizer> type) {
        Optimizer defaults = Defaults.of(type);
        RecordComponent[] components = type.getRecordComponents();
        List<Arbitrary<Object>> values = new ArrayList<>();
        for (RecordComponent c : components) {
            Object value;
            try {
                value = c.getAccessor().invoke(defaults);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            values.add(componentValues(c, value).map(v -> (Object) v));
        }
        Constructor<?> canonical;
        try {
            canonical = type.getDeclaredConstructor(
                    Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
        return Combinators.combine(values).as(args -> {
            try {
                return Optional.of((Optimizer) canonical.newInstance(args.toArray()));
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof IllegalArgumentException) {
                    return Optional.<Optimizer>empty();
                }
                throw new IllegalStateException(e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }).filter(Optional::isPresent).map(Optional::get);
    }

    private static Arbitrary<?> componentValues(RecordComponent c, Object value) {
        String name = c.getName();
        if (c.getType() == boolean.class) {
            return Arbitraries.of(true, false);
        }
        if (c.getType() == Numerics.class) {
            return Arbitraries.of(Numerics.values());
        }
        if (c.getType() != double.class) {
            return Arbitraries.just(value);
        }
        if (name.equals("lr")) {
            return lr();
        }
        if (name.matches("beta\\d*")) {
            return beta();
        }
        if (name.startsWith("eps")) {
            return eps();
        }
        if (name.equals("weightDecay")) {
            return decay();
        }
        return name.equals("momentum") ? unit() : Arbitraries.just(value);
    }

    /**
     * The configurations of {@code base} under every PyTorch profile (fused only where torch has a
     * fused kernel), with NAdam's and RAdam's torch 2.x options on or off.
     */
    static Arbitrary<Optimizer> profiled(Arbitrary<Optimizer> base) {
        return Combinators.combine(base, Arbitraries.of(Numerics.values()), Arbitraries.of(true, false),
                Arbitraries.of(true, false)).as((o, n, decoupled, maximize) -> {
                    boolean fusable = o instanceof Sgd || o instanceof Adam || o instanceof AdamW
                            || o instanceof Adagrad;
                    Numerics profile = n == Numerics.TORCH_2_FUSED && !fusable ? Numerics.TORCH_2_SINGLE : n;
                    return switch (o) {
                        case Sgd x -> x.withNumerics(profile);
                        case Rmsprop x -> x.withNumerics(profile);
                        case Adam x -> x.epsilonHat() ? x : x.withNumerics(profile);
                        case AdamW x -> x.withNumerics(profile);
                        case Adagrad x -> x.withNumerics(profile);
                        case Adamax x -> x.withNumerics(profile);
                        case NAdam x -> new NAdam(x.lr(), x.beta1(), x.beta2(), x.eps(), x.weightDecay(),
                                x.momentumDecay(), decoupled, maximize, profile);
                        case RAdam x -> new RAdam(x.lr(), x.beta1(), x.beta2(), x.eps(), x.weightDecay(), decoupled,
                                maximize, profile);
                        case Rprop x -> x.withNumerics(profile);
                        case Adadelta x -> x.withNumerics(profile);
                        case Asgd x -> x.withNumerics(profile);
                        default -> throw new IllegalArgumentException(o + " has no PyTorch profile");
                    };
                });
    }

    static Arbitrary<LaneWidth> widths() {
        return Arbitraries.of(Arrays.stream(LaneWidth.values())
                .filter(w -> w.bits() <= LaneWidth.maxSupportedBits()).toList());
    }

    /** Lengths 0 ... 3·16+1 around every width's lane multiples, and sometimes up to 10^5. */
    static Arbitrary<Integer> lengths() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(0, 3 * 16 + 1)),
                Tuple.of(2, Arbitraries.integers().between(50, 100_000)));
    }

    static Arbitrary<Double> lr() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0.0)),
                Tuple.of(1, Arbitraries.just(1.0 / 3)),
                Tuple.of(6, Arbitraries.doubles().between(-6, 0.3).ofScale(4).map(e -> Math.pow(10, e))));
    }

    static Arbitrary<Double> unit() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0.0)),
                Tuple.of(1, Arbitraries.just(1.0)),
                Tuple.of(4, Arbitraries.doubles().between(0, 1).ofScale(6)));
    }

    static Arbitrary<Double> decay() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0.0)),
                Tuple.of(1, Arbitraries.doubles().between(0, 0.5).ofScale(6)));
    }

    static Arbitrary<Optimizer> sgd() {
        return Combinators.combine(lr(), unit(), unit(), decay(), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as((lr, mu, damp, wd, nesterov, maximize) -> {
                    boolean canNesterov = mu > 0;
                    return new Sgd(lr, mu, nesterov && canNesterov ? 0 : damp, wd, nesterov && canNesterov, maximize);
                });
    }

    static Arbitrary<Optimizer> heavyBall() {
        return Combinators.combine(lr(), unit()).as(HeavyBallMomentum::new);
    }

    static Arbitrary<Optimizer> averaged() {
        return Combinators.combine(lr(), unit()).as(AveragedMomentum::new);
    }

    static Arbitrary<Double> beta() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0.0)),
                Tuple.of(1, Arbitraries.of(0.9, 0.999, 0.9999999)),
                Tuple.of(4, Arbitraries.doubles().between(0, 0.999999).ofScale(6)));
    }

    static Arbitrary<Double> eps() {
        return Arbitraries.of(0.0, 1e-40, 1e-12, 1e-8, 1e-6, 0.1, 1.0);
    }

    static Arbitrary<Optimizer> rmsprop() {
        return Combinators.combine(lr(), unit(), eps(), decay(), unit(), Arbitraries.of(true, false),
                Arbitraries.of(true, false)).as(Rmsprop::new);
    }

    /** PyTorch's form and DJL's and DL4J's epsilon-hat form. */
    static Arbitrary<Optimizer> adam() {
        return Combinators.combine(lr(), beta(), beta(), eps(), decay(), Arbitraries.of(true, false),
                Arbitraries.of(true, false), Arbitraries.of(false, true)).as((lr, b1, b2, eps, wd, ams, max, hat) ->
                        new Adam(lr, b1, b2, eps, wd, ams, max, Numerics.TORCH_1_13, hat));
    }

    static Arbitrary<Optimizer> adamW() {
        return Combinators.combine(lr(), beta(), beta(), eps(), decay(), Arbitraries.of(true, false),
                Arbitraries.of(true, false)).as(AdamW::new);
    }

    static Arbitrary<Optimizer> signalToNoise() {
        return Combinators.combine(Arbitraries.of(1.0, 2.0, 32.0, 0.5, 1000.0), Arbitraries.longs().between(1, 5),
                Arbitraries.of(16.0, 1.0, 0.25), Arbitraries.of(0.0, 1.0 / 32, 0.5, 3.0),
                Arbitraries.of(0.0, 1e-16, 1e-3)).as(SignalToNoiseSgd::new);
    }

    static Arbitrary<Optimizer> adagrad() {
        return Combinators.combine(lr(), Arbitraries.of(0.0, 0.01, 0.5), decay(), Arbitraries.of(0.0, 0.1, 1.0), eps(),
                Arbitraries.of(true, false)).as(Adagrad::new);
    }

    static Arbitrary<Optimizer> adamax() {
        return Combinators.combine(lr(), beta(), beta(), eps(), decay(), Arbitraries.of(true, false))
                .as(Adamax::new);
    }

    static Arbitrary<Optimizer> nadam() {
        return Combinators.combine(lr(), beta(), beta(), eps(), decay(), Arbitraries.of(0.0, 4e-3, 0.1))
                .as(NAdam::new);
    }

    static Arbitrary<Optimizer> radam() {
        return Combinators.combine(lr(), beta(), Arbitraries.of(0.5, 0.8, 0.9, 0.99, 0.999), eps(), decay())
                .as(RAdam::new);
    }

    static Arbitrary<Optimizer> rprop() {
        return Combinators.combine(lr(), Arbitraries.of(0.3, 0.5, 0.7), Arbitraries.of(1.1, 1.2, 1.5),
                Arbitraries.of(0.0, 1e-8, 1e-6), Arbitraries.of(1e-2, 1.0, 50.0), Arbitraries.of(true, false))
                .as(Rprop::new);
    }

    static Arbitrary<Optimizer> adadelta() {
        return Combinators.combine(lr(), unit(), eps(), decay(), Arbitraries.of(true, false))
                .as((lr, rho, eps, wd, maximize) -> new Adadelta(lr, rho, eps, wd, maximize, Numerics.TORCH_1_13));
    }

    static Arbitrary<Optimizer> asgd() {
        return Combinators.combine(lr(), Arbitraries.of(0.0, 1e-4, 0.01), Arbitraries.of(0.5, 0.75, 1.0),
                Arbitraries.of(0.0, 2.0, 3.0, 1e6), decay(), Arbitraries.of(true, false))
                .as((lr, lambd, alpha, t0, wd, maximize) -> new Asgd(lr, lambd, alpha, t0, wd, maximize,
                        Numerics.TORCH_1_13));
    }

    /** Adafactor as torch 2.x has it (single or foreach); matrices are in {@code AdafactorProperties}. */
    static Arbitrary<Optimizer> adafactor() {
        return Combinators.combine(Arbitraries.of(0.0, 1e-3, 0.02, 0.1), Arbitraries.of(-0.8, -0.5, 0.0),
                Arbitraries.of(Double.NaN, 0.0, 1e-20, 1e-3), Arbitraries.of(0.0, 1e-3), Arbitraries.of(1.0, 1.5),
                decay(), Arbitraries.of(true, false), Arbitraries.of(Numerics.TORCH_2_SINGLE, Numerics.TORCH_2_FOREACH))
                .as(Adafactor::new);
    }

    static Arbitrary<Optimizer> lion() {
        // timm's options: the caution mask and corrected decay (against an initial lr), on either of its paths.
        return Combinators.combine(lr(), beta(), beta(), decay(), Arbitraries.of(true, false),
                Arbitraries.of(false, true), Arbitraries.of(0.0, 1e-3, 0.05),
                Arbitraries.of(Numerics.TORCH_2_FOREACH, Numerics.TORCH_2_SINGLE))
                .as((lr, b1, b2, wd, maximize, caution, initialLr, numerics) -> new Lion(lr, b1, b2, wd, maximize,
                        caution, initialLr > 0, initialLr > 0 ? initialLr : lr, numerics));
    }

    static Arbitrary<Optimizer> adopt() {
        Arbitrary<Double> clipExponent = Arbitraries.of(Double.NaN, 0.0, 0.25, 0.333, 0.5, 1.0);
        // mode: timm's L2, decoupled or corrected decoupled decay, each with and without maximize, and
        // caution (0-11); optax's rule with and without Nesterov (12, 13).
        return Combinators.combine(lr(), beta(), beta(), eps(), clipExponent, decay(), Arbitraries.of(1e-3, 0.05, 1.0),
                Arbitraries.integers().between(0, 13)).as((lr, b1, b2, eps, clip, wd, initialLr, mode) -> mode >= 12
                        ? new Adopt(lr, b1, b2, eps, clip, 0, false, false, lr, false, false, mode == 13, true)
                        : new Adopt(lr, b1, b2, eps, clip, wd, mode % 3 != 0, mode % 3 == 2, initialLr, mode % 6 >= 3,
                                mode >= 6));
    }

    static Arbitrary<Optimizer> adan() {
        return Combinators.combine(lr(), beta(), beta(), beta(), eps(), decay(), Arbitraries.of(true, false),
                Arbitraries.of(false, true)).as(Adan::new);
    }

    static Arbitrary<Optimizer> laProp() {
        return Combinators.combine(lr(), beta(), beta(), eps(), decay(), Arbitraries.of(false, true),
                Arbitraries.integers().between(0, 2)).as((lr, b1, b2, eps, wd, caution, corrected) ->
                new LaProp(lr, b1, b2, eps, wd, caution, corrected == 2, corrected == 0 ? lr : 2 * lr + 1e-3));
    }

    static Arbitrary<Optimizer> mars() {
        return Combinators.combine(lr(), beta(), beta(), eps(), decay(), Arbitraries.of(0.025, 0.5),
                Arbitraries.integers().between(0, 15), beta()).as((lr, b1, b2, eps, wd, gamma, bits, b1d) ->
                new Mars(lr, b1, b2, eps, wd, gamma, (bits & 1) != 0, (bits & 2) != 0, 0.5, b1d, b2, (bits & 4) != 0,
                        (bits & 8) != 0));
    }

    static Arbitrary<Optimizer> prodigy() {
        return Combinators.combine(Arbitraries.of(1.0, 0.5), beta(), beta(), Arbitraries.of(Double.NaN, 0.9), eps(),
                Arbitraries.of(1e-6, 1e-3), decay(), Arbitraries.of(false, true)).as((lr, b1, b2, b3, eps, d0, wd, safe) ->
                new Prodigy(lr, b1, b2, b3, eps, d0, safe ? 0.5 : 1, wd, safe));
    }

    static Arbitrary<Optimizer> scheduleFreeAdamW() {
        return Combinators.combine(lr(), Arbitraries.of(0L, 3L), Arbitraries.of(0.9, 0.5, 0.95), beta(), eps(), decay(),
                Arbitraries.of(2.0, 1.0, 0.0)).as(ScheduleFreeAdamW::new);
    }

    static Arbitrary<Optimizer> scheduleFreeSgd() {
        return Combinators.combine(lr(), Arbitraries.of(0L, 3L), Arbitraries.of(0.9, 0.5, 0.95),
                Arbitraries.of(Double.NaN, 0.0, 0.01), Arbitraries.of(2.0, 1.0, 0.0)).as(ScheduleFreeSgd::new);
    }

    static Arbitrary<Optimizer> adamWLegacy() {
        return Combinators.combine(lr(), beta(), beta(), eps(), decay(), Arbitraries.integers().between(0, 7),
                Arbitraries.of(0.0, 1e-3, 0.05), Arbitraries.of(Numerics.TORCH_2_FOREACH, Numerics.TORCH_2_SINGLE))
                .as((lr, b1, b2, eps, wd, bits, initialLr, numerics) -> new AdamWLegacy(lr, b1, b2, eps, wd,
                        (bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, initialLr > 0,
                        initialLr > 0 ? initialLr : lr, numerics));
    }

    static Arbitrary<Optimizer> adEMAMix() {
        Arbitrary<AdEMAMix> constant = Combinators.combine(lr(), beta(), beta(), beta(),
                Arbitraries.of(0.0, 2.0, 5.0, 8.0), eps(), Arbitraries.of(0.0, 1e-10, 1e-8), decay()).as(AdEMAMix::new);
        Arbitrary<Long> warmup = Arbitraries.of(0L, 0L, 1L, 3L, 7L);
        return Combinators.combine(constant, warmup, warmup)
                .as((a, alphaSteps, beta3Steps) -> a.withAlphaWarmup(alphaSteps).withBeta3Warmup(beta3Steps));
    }

    static Arbitrary<Optimizer> simplifiedAdEMAMix() {
        return Combinators.combine(lr(), beta(), beta(), Arbitraries.of(0.0, 1.0, 2.0), eps(),
                Arbitraries.of(0.0, 1e-10, 1e-8), decay(), Arbitraries.of(0L, 0L, 1L, 3L, 7L))
                .as(SimplifiedAdEMAMix::new);
    }

    static Arbitrary<Optimizer> lars() {
        return Combinators.combine(lr(), unit(), decay(), Arbitraries.of(1e-3, 0.02, 1.0),
                Arbitraries.of(0.0, 1e-8, 0.1)).as(Lars::new);
    }

    static Arbitrary<Optimizer> lamb() {
        return Combinators.combine(lr(), beta(), beta(), eps(), decay()).as(Lamb::new);
    }
}
