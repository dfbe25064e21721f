package io.lanestep.pytorch;

import io.lanestep.Optimizer;
import io.lanestep.pytorch.LrScheduler.ParamGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds {@code torch.optim.lr_scheduler} schedulers from a class name and constructor kwargs,
 * with torch's defaults and torch's refusals:
 * <pre>{@code
 * LrScheduler s = TorchSchedulers.create("OneCycleLR", Map.of("max_lr", 0.3, "total_steps", 400), sgd);
 * for (int t = 0; t < 400; t++) {
 *     engine.step(s.optimizer(), state, params, grads);    // optimizer.step()
 *     s.step();                                             // scheduler.step()
 * }
 * }</pre>
 * SequentialLR takes its schedulers as {@code schedulers: [{scheduler: name, kwargs: {...}}]} and
 * {@code milestones}, as a case file records them. Numbers may be any {@link Number}; integer
 * arguments take integral doubles too.
 */
public final class TorchSchedulers {
    /** The scheduler classes {@link #create} knows. */
    public static final List<String> NAMES = List.of("StepLR", "MultiStepLR", "ExponentialLR", "ConstantLR",
            "LinearLR", "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR",
            "SequentialLR", "ReduceLROnPlateau");

    private TorchSchedulers() {
    }

    /**
     * The scheduler {@code torch.optim.lr_scheduler.<className>(optimizer, **kwargs)}, driving
     * {@code optimizer}'s learning rate from {@link Optimizer#learningRate()}. Like torch, the
     * construction already makes the first (initial) step, except for ReduceLROnPlateau.
     *
     * @throws IllegalArgumentException naming an unknown class or kwarg, a mistyped kwarg, or what torch
     *                                  would refuse, with torch's reason
     */
    public static LrScheduler create(String className, Map<String, ?> kwargs, Optimizer optimizer) {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(optimizer, "optimizer");
        return build(className, kwargs, new ParamGroup(optimizer));
    }

    private static LrScheduler build(String className, Map<String, ?> kwargs, ParamGroup group) {
        Kwargs k = new Kwargs(className, kwargs);
        LrScheduler s = switch (className) {
            case "StepLR" -> StepLrs.create(StepLrs.Kind.STEP, k, group);
            case "MultiStepLR" -> StepLrs.create(StepLrs.Kind.MULTI_STEP, k, group);
            case "ExponentialLR" -> StepLrs.create(StepLrs.Kind.EXPONENTIAL, k, group);
            case "ConstantLR" -> StepLrs.create(StepLrs.Kind.CONSTANT, k, group);
            case "LinearLR" -> StepLrs.create(StepLrs.Kind.LINEAR, k, group);
            case "PolynomialLR" -> StepLrs.create(StepLrs.Kind.POLYNOMIAL, k, group);
            case "CosineAnnealingLR" -> CosineLrs.annealing(k, group);
            case "CosineAnnealingWarmRestarts" -> CosineLrs.warmRestarts(k, group);
            case "CyclicLR" -> CyclicLrs.cyclic(k, group);
            case "OneCycleLR" -> CyclicLrs.oneCycle(k, group);
            case "ReduceLROnPlateau" -> new PlateauLr(k, group);
            case "SequentialLR" -> {
                List<LrScheduler> children = new ArrayList<>();
                for (Map<?, ?> spec : SequentialLr.specs(k)) {
                    Object childKwargs = spec.get("kwargs");
                    if (childKwargs != null && !(childKwargs instanceof Map)) {
                        throw new IllegalArgumentException("SequentialLR scheduler " + spec.get("scheduler")
                                + " kwargs must be a map, got " + childKwargs);
                    }
                    children.add(build((String) spec.get("scheduler"), cast(childKwargs), group));
                }
                yield new SequentialLr(k, group, children);
            }
            default -> throw new IllegalArgumentException("no scheduler '" + className + "'; Lanestep has " + NAMES);
        };
        k.rejectUnknown();
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> cast(Object m) {
        return (Map<String, ?>) m;
    }
}
