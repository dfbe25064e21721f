package io.lanestep.pytorch;

import io.lanestep.Adagrad;
import io.lanestep.Adam;
import io.lanestep.AdamW;
import io.lanestep.Adamax;
import io.lanestep.AveragedMomentum;
import io.lanestep.HeavyBallMomentum;
import io.lanestep.Lamb;
import io.lanestep.Lars;
import io.lanestep.Lion;
import io.lanestep.NAdam;
import io.lanestep.Optimizer;
import io.lanestep.RAdam;
import io.lanestep.Rmsprop;
import io.lanestep.Rprop;
import io.lanestep.Sgd;
import io.lanestep.SignalToNoiseSgd;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds engine optimizers from a PyTorch class name and constructor kwargs, with PyTorch's
 * defaults, so a {@code torch.optim} configuration ports unchanged. The optimizers torch.optim
 * lacks take their Lanestep class name and kwargs in PyTorch's style: {@code Lion(lr=1e-4,
 * betas=(0.9, 0.99), weight_decay=0, maximize=False)}, {@code Lars(lr, momentum=0,
 * weight_decay=0, trust_coefficient=1e-3, eps=0)} and {@code Lamb(lr=1e-3, betas=(0.9, 0.999),
 * eps=1e-6, weight_decay=0)}, and the seed's own {@code HeavyBallMomentum(lr, momentum=0.9)},
 * {@code AveragedMomentum(lr, momentum=0.9)} and {@code SignalToNoiseSgd(batch_size, warmup_steps=10,
 * lambda_b=16, lambda_eta=batch_size/32, eps=0.01)}; their semantics are Lanestep's (see each
 * class), not those of any third-party PyTorch package of the same name.
 */
public final class TorchOptimizers {
    /** Kwargs that change how PyTorch runs, not what it computes; accepted when false or null. */
    private static final Set<String> EXECUTION_OPTIONS = Set.of("foreach", "differentiable", "capturable", "fused");

    private TorchOptimizers() {
    }

    /**
     * The engine optimizer equivalent to {@code torch.optim.<className>(**kwargs)}.
     *
     * @throws IllegalArgumentException naming an unknown class, an unsupported or mistyped kwarg, or
     *                                  a hyperparameter out of range
     */
    public static Optimizer create(String className, Map<String, ?> kwargs) {
        Kwargs k = new Kwargs(className, kwargs);
        Optimizer optimizer = switch (className) {
            case "SGD" -> new Sgd(k.number("lr", Double.NaN), k.number("momentum", 0), k.number("dampening", 0),
                    k.number("weight_decay", 0), k.flag("nesterov", false), k.flag("maximize", false));
            case "Adam" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                yield new Adam(k.number("lr", 1e-3), betas[0], betas[1], k.number("eps", 1e-8),
                        k.number("weight_decay", 0), k.flag("amsgrad", false), k.flag("maximize", false));
            }
            case "AdamW" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                yield new AdamW(k.number("lr", 1e-3), betas[0], betas[1], k.number("eps", 1e-8),
                        k.number("weight_decay", 1e-2), k.flag("amsgrad", false), k.flag("maximize", false));
            }
            case "RMSprop" -> new Rmsprop(k.number("lr", 1e-2), k.number("alpha", 0.99), k.number("eps", 1e-8),
                    k.number("weight_decay", 0), k.number("momentum", 0), k.flag("centered", false),
                    k.flag("maximize", false));
            case "Adagrad" -> new Adagrad(k.number("lr", 1e-2), k.number("lr_decay", 0), k.number("weight_decay", 0),
                    k.number("initial_accumulator_value", 0), k.number("eps", 1e-10), k.flag("maximize", false));
            case "Adamax" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                yield new Adamax(k.number("lr", 2e-3), betas[0], betas[1], k.number("eps", 1e-8),
                        k.number("weight_decay", 0), k.flag("maximize", false));
            }
            case "NAdam" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                yield new NAdam(k.number("lr", 2e-3), betas[0], betas[1], k.number("eps", 1e-8),
                        k.number("weight_decay", 0), k.number("momentum_decay", 4e-3));
            }
            case "RAdam" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                yield new RAdam(k.number("lr", 1e-3), betas[0], betas[1], k.number("eps", 1e-8),
                        k.number("weight_decay", 0));
            }
            case "Rprop" -> {
                double[] etas = k.pair("etas", 0.5, 1.2);
                double[] sizes = k.pair("step_sizes", 1e-6, 50);
                yield new Rprop(k.number("lr", 1e-2), etas[0], etas[1], sizes[0], sizes[1], k.flag("maximize", false));
            }
            case "Lion" -> {
                double[] betas = k.pair("betas", 0.9, 0.99);
                yield new Lion(k.number("lr", 1e-4), betas[0], betas[1], k.number("weight_decay", 0),
                        k.flag("maximize", false));
            }
            case "Lars" -> new Lars(k.number("lr", Double.NaN), k.number("momentum", 0), k.number("weight_decay", 0),
                    k.number("trust_coefficient", 1e-3), k.number("eps", 0));
            case "Lamb" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                yield new Lamb(k.number("lr", 1e-3), betas[0], betas[1], k.number("eps", 1e-6),
                        k.number("weight_decay", 0));
            }
            case "HeavyBallMomentum" -> new HeavyBallMomentum(k.number("lr", Double.NaN), k.number("momentum", 0.9));
            case "AveragedMomentum" -> new AveragedMomentum(k.number("lr", Double.NaN), k.number("momentum", 0.9));
            case "SignalToNoiseSgd" -> {
                double batch = k.number("batch_size", Double.NaN);
                double warmup = k.number("warmup_steps", SignalToNoiseSgd.DEFAULT_WARMUP);
                if (warmup != Math.rint(warmup)) {
                    throw new IllegalArgumentException("SignalToNoiseSgd kwarg 'warmup_steps' must be a whole number,"
                            + " got " + warmup);
                }
                yield new SignalToNoiseSgd(batch, (long) warmup, k.number("lambda_b", SignalToNoiseSgd.DEFAULT_LAMBDA_B),
                        k.number("lambda_eta", SignalToNoiseSgd.DEFAULT_LAMBDA_ETA_PER_EXAMPLE * batch),
                        k.number("eps", SignalToNoiseSgd.DEFAULT_EPS));
            }
            default -> throw new IllegalArgumentException("unknown optimizer class '" + className
                    + "'; supported: " + supported());
        };
        k.rejectUnused();
        return optimizer;
    }

    /** The class names {@link #create} understands: torch.optim's, then Lanestep's own. */
    public static List<String> supported() {
        return List.of("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam", "Rprop", "Lion",
                "Lars", "Lamb", "HeavyBallMomentum", "AveragedMomentum", "SignalToNoiseSgd");
    }

    /**
     * Whether PyTorch keeps this optimizer's {@code step} as a float32 tensor in its state
     * rather than a Python int (RMSprop, Rprop) or not at all (SGD).
     */
    public static boolean stepIsTensor(Optimizer optimizer) {
        return switch (optimizer) {
            case Adam a -> true;
            case AdamW a -> true;
            case Adagrad a -> true;
            case Adamax a -> true;
            case NAdam a -> true;
            case RAdam a -> true;
            default -> false;
        };
    }

    private static final class Kwargs {
        private final String className;
        private final Map<String, ?> values;
        private final Set<String> used = new HashSet<>();

        Kwargs(String className, Map<String, ?> values) {
            this.className = className;
            this.values = values;
        }

        double number(String key, double defaultValue) {
            used.add(key);
            Object v = values.get(key);
            if (v == null) {
                if (Double.isNaN(defaultValue)) {
                    throw new IllegalArgumentException(className + " needs the kwarg '" + key + "'");
                }
                return defaultValue;
            }
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException(className + " kwarg '" + key + "' must be a number, got " + v);
            }
            return n.doubleValue();
        }

        double[] pair(String key, double first, double second) {
            used.add(key);
            Object v = values.get(key);
            if (v == null) {
                return new double[] {first, second};
            }
            if (!(v instanceof List<?> list) || list.size() != 2 || !(list.get(0) instanceof Number a)
                    || !(list.get(1) instanceof Number b)) {
                throw new IllegalArgumentException(className + " kwarg '" + key + "' must be a pair of numbers, got " + v);
            }
            return new double[] {a.doubleValue(), b.doubleValue()};
        }

        boolean flag(String key, boolean defaultValue) {
            used.add(key);
            Object v = values.get(key);
            if (v == null) {
                return defaultValue;
            }
            if (!(v instanceof Boolean b)) {
                throw new IllegalArgumentException(className + " kwarg '" + key + "' must be true or false, got " + v);
            }
            return b;
        }

        void rejectUnused() {
            for (Map.Entry<String, ?> e : values.entrySet()) {
                String key = e.getKey();
                if (used.contains(key)) {
                    continue;
                }
                boolean harmless = EXECUTION_OPTIONS.contains(key)
                        && (e.getValue() == null || Boolean.FALSE.equals(e.getValue()));
                if (!harmless) {
                    throw new IllegalArgumentException(className + " option '" + key + "' = " + e.getValue()
                            + " is not supported by Lanestep; remove it");
                }
            }
        }
    }
}
