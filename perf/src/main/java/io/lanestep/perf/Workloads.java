package io.lanestep.perf;

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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The optimizer configurations the benchmarks measure, by name, and the bytes each moves. Every
 * elementwise optimizer without a configuration here is measured at its defaults ({@link Defaults}),
 * named after its class in snake case, after these.
 */
final class Workloads {
    private static final List<String> CONFIGURED = List.of("sgd", "sgd_nesterov_wd", "heavy_ball", "averaged_momentum", "rmsprop",
            "rmsprop_centered_momentum", "adam", "adamw_amsgrad", "signal_to_noise", "adagrad", "adamax", "nadam",
            "radam", "rprop", "adadelta", "asgd", "adafactor", "lion", "lars", "lamb", "adopt", "adopt_optax", "adan", "cadamw", "laprop", "mars", "prodigy", "schedule_free_adamw", "schedule_free_sgd", "ademamix",
            "simplified_ademamix",
            // torch 2.x profiles beside their 1.13 ones (sgd_nesterov_wd, adam, adamw_amsgrad)
            "sgd_momentum_fused", "adam_torch2", "adam_fused", "adamw_fused");
    /** Every elementwise optimizer the list above leaves out, by its workload name. */
    private static final Map<String, Class<? extends Optimizer>> AT_DEFAULTS = atDefaults();
    /** Every benchmarked configuration name, in report order. */
    static final List<String> NAMES = Stream.concat(CONFIGURED.stream(), AT_DEFAULTS.keySet().stream()).toList();

    private Workloads() {
    }

    static Optimizer optimizer(String name) {
        Class<? extends Optimizer> type = AT_DEFAULTS.get(name);
        return type != null ? Defaults.of(type) : configured(name);
    }

    private static Optimizer configured(String name) {
        return switch (name) {
            case "sgd" -> Sgd.of(1e-3);
            case "sgd_nesterov_wd" -> new Sgd(1e-3, 0.9, 0, 1e-4, true, false);
            case "heavy_ball" -> new HeavyBallMomentum(1e-3, 0.9);
            case "averaged_momentum" -> new AveragedMomentum(1e-2, 0.9);
            case "rmsprop" -> Rmsprop.defaults();
            case "rmsprop_centered_momentum" -> new Rmsprop(1e-2, 0.99, 1e-8, 0, 0.9, true, false);
            case "adam" -> Adam.defaults();
            case "adamw_amsgrad" -> new AdamW(1e-3, 0.9, 0.999, 1e-8, 1e-2, true, false);
            case "signal_to_noise" -> new SignalToNoiseSgd(32, 1, 16, 1.0 / 32, 0.01);
            case "adagrad" -> Adagrad.defaults();
            case "adamax" -> Adamax.defaults();
            case "nadam" -> NAdam.defaults();
            case "radam" -> RAdam.defaults();
            case "rprop" -> Rprop.defaults();
            case "adadelta" -> Adadelta.defaults();
            case "asgd" -> Asgd.defaults();
            case "adafactor" -> Adafactor.defaults();
            case "lion" -> Lion.defaults();
            case "lars" -> Lars.of(0.1);
            case "lamb" -> Lamb.defaults();
            case "adopt" -> Adopt.defaults();
            case "adopt_optax" -> Adopt.optax(1e-3).withNesterov(true);
            case "adan" -> Adan.defaults();
            case "cadamw" -> AdamWLegacy.defaults().withCaution(true);
            case "laprop" -> LaProp.defaults();
            case "mars" -> Mars.defaults();
            case "prodigy" -> Prodigy.defaults();
            case "schedule_free_adamw" -> ScheduleFreeAdamW.defaults();
            case "schedule_free_sgd" -> ScheduleFreeSgd.of(1e-2);
            case "ademamix" -> AdEMAMix.of(1e-3);
            case "simplified_ademamix" -> SimplifiedAdEMAMix.of(1e-3);
            case "sgd_momentum_fused" -> new Sgd(1e-3, 0.9, 0, 0, false, false, Numerics.TORCH_2_FUSED);
            case "adam_torch2" -> Adam.defaults().withNumerics(Numerics.TORCH_2_SINGLE);
            case "adam_fused" -> Adam.defaults().withNumerics(Numerics.TORCH_2_FUSED);
            case "adamw_fused" -> AdamW.defaults().withNumerics(Numerics.TORCH_2_FUSED);
            default -> throw new IllegalArgumentException("unknown workload '" + name + "'; known: " + NAMES);
        };
    }

    /** Muon steps matrices, whose cost grows with their shape: it has no per-element workload. */
    private static Map<String, Class<? extends Optimizer>> atDefaults() {
        Set<Class<?>> configured = new HashSet<>();
        CONFIGURED.forEach(n -> configured.add(configured(n).getClass()));
        Map<String, Class<? extends Optimizer>> missing = new LinkedHashMap<>();
        for (Class<?> type : Optimizer.class.getPermittedSubclasses()) {
            if (type != Muon.class && !configured.contains(type)) {
                String name = type.getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
                missing.put(name, type.asSubclass(Optimizer.class));
            }
        }
        return missing;
    }

    /** Arrays read per element: params, grads and every state slot. */
    static int reads(String name) {
        return 2 + optimizer(name).stateKeys().size();
    }

    /** Arrays written per element: params and every state slot. */
    static int writes(String name) {
        return 1 + optimizer(name).stateKeys().size();
    }

    static double bytesPerElement(String name) {
        if (name.startsWith(FORMATS_PREFIX)) {
            return FormatsBench.formats(name.substring(FORMATS_PREFIX.length())).bytesPerElement(2);
        }
        return Float.BYTES * (reads(name) + writes(name));
    }

    /**
     * The roofline kernel only moves bytes: workloads reading and writing the same arrays share one
     * measurement (the formats keep their own, since their arrays differ in width).
     */
    static String rooflineKey(String name) {
        return name.startsWith(FORMATS_PREFIX) ? name : reads(name) + " read, " + writes(name) + " written";
    }

    /** Whether a measurement of {@code kind} taken for workload {@code measured} stands for {@code wanted}. */
    static boolean sameRow(String kind, String measured, String wanted) {
        return measured.equals(wanted) || kind.equals("roofline") && rooflineKey(measured).equals(rooflineKey(wanted));
    }

    /** The first of {@code names} for each roofline they need. */
    static List<String> rooflineRepresentatives(List<String> names) {
        Map<String, String> first = new LinkedHashMap<>();
        names.forEach(n -> first.putIfAbsent(rooflineKey(n), n));
        return List.copyOf(first.values());
    }

    /** Workload names of the formats benchmark: Adam with its block stored as the named format. */
    static final String FORMATS_PREFIX = "adam@";
}
