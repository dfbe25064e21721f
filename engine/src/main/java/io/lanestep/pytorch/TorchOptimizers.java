package io.lanestep.pytorch;

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
import io.lanestep.kernel.Catalogue;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds engine optimizers from a PyTorch class name and constructor kwargs, with PyTorch's
 * defaults, so a {@code torch.optim} configuration ports unchanged. timm's optimizers come by
 * their class name, plain or qualified ({@code timm.optim.Adan}), with timm's kwargs and defaults,
 * computed as timm computes them: {@code Adopt(lr=1e-3, betas=(0.9, 0.9999), eps=1e-6,
 * clip_exp=0.333, weight_decay=0, decoupled=False, corrected_weight_decay=False, caution=False,
 * maximize=False)}, {@code Adan(lr=1e-3, betas=(0.98, 0.92, 0.99), eps=1e-8, weight_decay=0,
 * no_prox=False, caution=False)}, {@code AdamWLegacy(lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
 * weight_decay=1e-2, amsgrad=False, caution=False, corrected_weight_decay=False, maximize=False)}
 * (with {@code caution=True}, timm's cautious AdamW) and {@code timm.optim.Lion(lr=1e-4, betas=(0.9,
 * 0.99), weight_decay=0, caution=False, corrected_weight_decay=False, maximize=False)}, each on
 * timm's foreach path unless {@code foreach=False}, {@code LaProp(lr=4e-4, betas=(0.9, 0.999),
 * eps=1e-15, weight_decay=0, caution=False, corrected_weight_decay=False)} and {@code Mars(lr=3e-3,
 * betas=(0.9, 0.99), eps=1e-8, weight_decay=0, gamma=0.025, mars_type='adamw', optimize_1d=False,
 * lr_1d_factor=1, betas_1d=None, caution=False)} (a matrix's configuration: {@link Mars#forVectors()}
 * gives a vector's); optax's {@code adopt(learning_rate, b1=0.9, b2=0.9999, eps=1e-6, nesterov=False,
 * use_clipping=True)} (clipping at {@code count**0.25}), {@code ademamix(learning_rate, b1=0.9,
 * b2=0.999, b3=0.9999, alpha=5.0, eps=1e-8, eps_root=0, weight_decay=0)} (with the paper's warm-ups of
 * {@code alpha} and {@code b3} over {@code t_alpha} and {@code t_beta3} steps, named as bitsandbytes names
 * them: see {@link AdEMAMix}) and {@code
 * simplified_ademamix(learning_rate, b1=0.99, b2=0.95, alpha=0, eps=1e-8, eps_root=0,
 * weight_decay=0)} (with {@code alpha}'s warm-up over {@code t_alpha} steps), {@code
 * schedule_free_adamw(learning_rate=0.0025, warmup_steps=None, b1=0.9, b2=0.999, eps=1e-8,
 * weight_decay=0, weight_lr_power=2)} and {@code schedule_free_sgd(learning_rate=1,
 * warmup_steps=None, b1=0.9, weight_decay=None, weight_lr_power=2)} and {@code prodigy(learning_rate=1,
 * betas=(0.9, 0.999), beta3=None, eps=1e-8, estim_lr0=1e-6, estim_lr_coef=1, weight_decay=0,
 * safeguard_warmup=False)} by their names (plain or {@code
 * optax.contrib.}), as optax's jitted step computes them. The optimizers neither library has take their
 * Lanestep class name and kwargs in PyTorch's style: {@code Lion} (as timm's, on its foreach path),
 * {@code Lars(lr, momentum=0, weight_decay=0, trust_coefficient=1e-3, eps=0)} and {@code Lamb(lr=1e-3,
 * betas=(0.9, 0.999), eps=1e-6, weight_decay=0)}, and the seed's own {@code HeavyBallMomentum(lr,
 * momentum=0.9)}, {@code AveragedMomentum(lr, momentum=0.9)} and {@code SignalToNoiseSgd(batch_size,
 * warmup_steps=10, lambda_b=16, lambda_eta=batch_size/32, eps=0.01)}; their semantics are Lanestep's (see each
 * class), not those of any third-party PyTorch package of the same name.
 */
public final class TorchOptimizers {
    /** Kwargs that change how PyTorch runs, not what it computes; accepted when false or null. */
    private static final Set<String> EXECUTION_OPTIONS = Set.of("foreach", "differentiable", "capturable", "fused");

    private TorchOptimizers() {
    }

    /**
     * The engine optimizer equivalent to {@code torch.optim.<className>(**kwargs)} in torch 1.13.1,
     * whose arithmetic ({@link Numerics#TORCH_1_13}) Lanestep's records default to.
     *
     * @throws IllegalArgumentException naming an unknown class, an unsupported or mistyped kwarg, or
     *                                  a hyperparameter out of range
     */
    public static Optimizer create(String className, Map<String, ?> kwargs) {
        return create(className, kwargs, "1.13.1");
    }

    /**
     * The engine optimizer equivalent to {@code torch.optim.<className>(**kwargs)} in torch
     * {@code torchVersion} ("1.13.1", "2.13.0", ...): from 2.0 on, with the arithmetic of the path
     * the kwargs pick ({@code foreach=True}: {@link Numerics#TORCH_2_FOREACH}, {@code fused=True}:
     * {@link Numerics#TORCH_2_FUSED}, otherwise {@link Numerics#TORCH_2_SINGLE}) and torch 2's
     * options and defaults ({@code decoupled_weight_decay}, NAdam's and RAdam's {@code maximize},
     * SGD's default lr 1e-3).
     *
     * @throws IllegalArgumentException as {@link #create(String, Map)}, and for what torch refuses:
     *                                  {@code fused} with {@code foreach}, or {@code fused} for an
     *                                  optimizer torch has no fused kernel for
     */
    public static Optimizer create(String className, Map<String, ?> kwargs, String torchVersion) {
        boolean torch2 = torch2(torchVersion);
        if (className.startsWith("optax.contrib.") && OPTAX_FUNCTIONS.contains(className.substring(14))) {
            className = className.substring(14);
        }
        String timmName = className.substring(className.startsWith("timm.optim.") ? "timm.optim.".length() : 0);
        boolean timm = TIMM_CLASSES.contains(timmName) && !timmName.equals(className);
        if (TIMM_CLASSES.contains(timmName)) {
            className = timmName;
        }
        if (TORCH_CLASSES.contains(className)) {
            TorchRefusals.check(className, kwargs);
        }
        Kwargs k = new Kwargs(className, kwargs);
        Numerics n = torch2 && TORCH_CLASSES.contains(className) ? profile(className, k) : Numerics.TORCH_1_13;
        Optimizer optimizer = switch (className) {
            case "SGD" -> new Sgd(k.number("lr", torch2 ? 1e-3 : Double.NaN), k.number("momentum", 0),
                    k.number("dampening", 0), k.number("weight_decay", 0), k.flag("nesterov", false),
                    k.flag("maximize", false), n);
            case "Adam" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                boolean decoupled = torch2 && k.flag("decoupled_weight_decay", false);
                double lr = k.number("lr", 1e-3);
                double eps = k.number("eps", 1e-8);
                double wd = k.number("weight_decay", 0);
                boolean amsgrad = k.flag("amsgrad", false);
                boolean maximize = k.flag("maximize", false);
                yield decoupled ? new AdamW(lr, betas[0], betas[1], eps, wd, amsgrad, maximize, n)
                        : new Adam(lr, betas[0], betas[1], eps, wd, amsgrad, maximize, n);
            }
            case "AdamW" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                yield new AdamW(k.number("lr", 1e-3), betas[0], betas[1], k.number("eps", 1e-8),
                        k.number("weight_decay", 1e-2), k.flag("amsgrad", false), k.flag("maximize", false), n);
            }
            case "RMSprop" -> new Rmsprop(k.number("lr", 1e-2), k.number("alpha", 0.99), k.number("eps", 1e-8),
                    k.number("weight_decay", 0), k.number("momentum", 0), k.flag("centered", false),
                    k.flag("maximize", false), n);
            case "Adagrad" -> new Adagrad(k.number("lr", 1e-2), k.number("lr_decay", 0), k.number("weight_decay", 0),
                    k.number("initial_accumulator_value", 0), k.number("eps", 1e-10), k.flag("maximize", false), n);
            case "Adamax" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                yield new Adamax(k.number("lr", 2e-3), betas[0], betas[1], k.number("eps", 1e-8),
                        k.number("weight_decay", 0), k.flag("maximize", false), n);
            }
            case "NAdam" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                yield new NAdam(k.number("lr", 2e-3), betas[0], betas[1], k.number("eps", 1e-8),
                        k.number("weight_decay", 0), k.number("momentum_decay", 4e-3),
                        torch2 && k.flag("decoupled_weight_decay", false), torch2 && k.flag("maximize", false), n);
            }
            case "RAdam" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                yield new RAdam(k.number("lr", 1e-3), betas[0], betas[1], k.number("eps", 1e-8),
                        k.number("weight_decay", 0), torch2 && k.flag("decoupled_weight_decay", false),
                        torch2 && k.flag("maximize", false), n);
            }
            case "Adadelta" -> new Adadelta(k.number("lr", 1.0), k.number("rho", 0.9), k.number("eps", 1e-6),
                    k.number("weight_decay", 0), k.flag("maximize", false), n);
            case "ASGD" -> new Asgd(k.number("lr", 1e-2), k.number("lambd", 1e-4), k.number("alpha", 0.75),
                    k.number("t0", 1e6), k.number("weight_decay", 0), k.flag("maximize", false), n);
            case "Adafactor" -> {
                double[] eps = k.optionalPair("eps", Double.NaN, 1e-3);
                yield new Adafactor(k.number("lr", 1e-2), k.number("beta2_decay", -0.8), eps[0], eps[1],
                        k.number("d", 1.0), k.number("weight_decay", 0), k.flag("maximize", false),
                        n == Numerics.TORCH_1_13 ? Numerics.TORCH_2_SINGLE : n);
            }
            case "Rprop" -> {
                double[] etas = k.pair("etas", 0.5, 1.2);
                double[] sizes = k.pair("step_sizes", 1e-6, 50);
                yield new Rprop(k.number("lr", 1e-2), etas[0], etas[1], sizes[0], sizes[1], k.flag("maximize", false),
                        n);
            }
            case "Lion" -> {
                double[] betas = k.pair("betas", 0.9, 0.99);
                double lr = k.number("lr", 1e-4);
                // timm's foreach default (None) and foreach=True take the foreach path; foreach=False the single one.
                Numerics path = timm && Boolean.FALSE.equals(kwargs.get("foreach")) ? Numerics.TORCH_2_SINGLE
                        : Numerics.TORCH_2_FOREACH;
                k.flag("foreach", false);
                yield new Lion(lr, betas[0], betas[1], k.number("weight_decay", 0), k.flag("maximize", false),
                        k.flag("caution", false), k.flag("corrected_weight_decay", false), lr,
                        timm ? path : Numerics.TORCH_1_13);
            }
            case "Adopt" -> {
                k.flag("foreach", false); // timm's foreach path computes the same bits
                double[] betas = k.pair("betas", 0.9, 0.9999);
                double lr = k.number("lr", 1e-3);
                yield new Adopt(lr, betas[0], betas[1], k.number("eps", 1e-6), k.numberOrNone("clip_exp", 0.333),
                        k.number("weight_decay", 0), k.flag("decoupled", false),
                        k.flag("corrected_weight_decay", false), lr, k.flag("maximize", false),
                        k.flag("caution", false));
            }
            case "Adan" -> {
                k.flag("foreach", false); // timm's foreach path computes the same bits
                double[] betas = k.triple("betas", 0.98, 0.92, 0.99);
                yield new Adan(k.number("lr", 1e-3), betas[0], betas[1], betas[2], k.number("eps", 1e-8),
                        k.number("weight_decay", 0), k.flag("no_prox", false), k.flag("caution", false));
            }
            case "AdamWLegacy" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                double lr = k.number("lr", 1e-3);
                // timm's foreach default (None) and foreach=True take the foreach path; foreach=False the single one.
                Numerics path = Boolean.FALSE.equals(kwargs.get("foreach")) ? Numerics.TORCH_2_SINGLE
                        : Numerics.TORCH_2_FOREACH;
                k.flag("foreach", false);
                yield new AdamWLegacy(lr, betas[0], betas[1], k.number("eps", 1e-8), k.number("weight_decay", 1e-2),
                        k.flag("amsgrad", false), k.flag("maximize", false), k.flag("caution", false),
                        k.flag("corrected_weight_decay", false), lr, path);
            }
            case "LaProp" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                double lr = k.number("lr", 4e-4);
                yield new LaProp(lr, betas[0], betas[1], k.number("eps", 1e-15), k.number("weight_decay", 0),
                        k.flag("caution", false), k.flag("corrected_weight_decay", false), lr);
            }
            case "Muon" -> {
                if (Boolean.TRUE.equals(kwargs.get("foreach"))) {
                    throw new IllegalArgumentException("Muon option 'foreach' = True is refused by torch too (no foreach"
                            + " path); remove it");
                }
                double[] abc = k.triple("ns_coefficients", 3.4445, -4.7750, 2.0315);
                String adjust = k.string("adjust_lr_fn", "original"); // None: "original"
                if (!adjust.equals("original") && !adjust.equals("match_rms_adamw")) {
                    throw new IllegalArgumentException("Muon option adjust_lr_fn = '" + adjust + "' is not one of"
                            + " torch's None, 'original' and 'match_rms_adamw'; pass one of them");
                }
                yield new Muon(k.number("lr", 1e-3), k.number("weight_decay", 0.1), k.number("momentum", 0.95),
                        k.flag("nesterov", true), abc[0], abc[1], abc[2], k.number("eps", 1e-7),
                        (int) k.integer("ns_steps", 5, false),
                        adjust.equals("original") ? Muon.AdjustLr.ORIGINAL : Muon.AdjustLr.MATCH_RMS_ADAMW,
                        Muon.Precision.BF16);
            }
            case "Mars" -> {
                double[] betas = k.pair("betas", 0.9, 0.99);
                double[] betas1d = k.pair("betas_1d", betas[0], betas[1]); // None: betas
                String type = k.string("mars_type", "adamw");
                if (!type.equals("adamw") && !type.equals("lion")) {
                    throw new IllegalArgumentException("Mars option mars_type = '" + type + "' is not one of timm's"
                            + " 'adamw' and 'lion'; pass one of them");
                }
                yield new Mars(k.number("lr", 3e-3), betas[0], betas[1], k.number("eps", 1e-8),
                        k.number("weight_decay", 0), k.number("gamma", 0.025), type.equals("lion"),
                        k.flag("optimize_1d", false), k.number("lr_1d_factor", 1.0), betas1d[0], betas1d[1],
                        k.flag("caution", false), false);
            }
            case "prodigy" -> {
                double[] betas = k.pair("betas", 0.9, 0.999);
                yield new Prodigy(k.number("learning_rate", 1.0), betas[0], betas[1], k.numberOrNone("beta3", Double.NaN),
                        k.number("eps", 1e-8), k.number("estim_lr0", 1e-6), k.number("estim_lr_coef", 1.0),
                        k.number("weight_decay", 0), k.flag("safeguard_warmup", false));
            }
            case "schedule_free_adamw" -> new ScheduleFreeAdamW(k.number("learning_rate", 0.0025),
                    k.integer("warmup_steps", 0, false), k.number("b1", 0.9), k.number("b2", 0.999), k.number("eps", 1e-8),
                    k.number("weight_decay", 0), k.number("weight_lr_power", 2));
            case "schedule_free_sgd" -> new ScheduleFreeSgd(k.number("learning_rate", 1.0),
                    k.integer("warmup_steps", 0, false), k.number("b1", 0.9),
                    k.numberOrNone("weight_decay", Double.NaN),
                    k.number("weight_lr_power", 2));
            case "adopt" -> {
                double lr = k.number("learning_rate", Double.NaN);
                yield new Adopt(lr, k.number("b1", 0.9), k.number("b2", 0.9999), k.number("eps", 1e-6),
                        k.flag("use_clipping", true) ? 0.25 : Double.NaN, 0, false, false, lr, false, false,
                        k.flag("nesterov", false), true);
            }
            case "ademamix" -> new AdEMAMix(k.number("learning_rate", Double.NaN), k.number("b1", 0.9),
                    k.number("b2", 0.999), k.number("b3", 0.9999), k.number("alpha", 5.0), k.number("eps", 1e-8),
                    k.number("eps_root", 0), k.number("weight_decay", 0), k.integer("t_alpha", 0, false),
                    k.integer("t_beta3", 0, false));
            case "simplified_ademamix" -> new SimplifiedAdEMAMix(k.number("learning_rate", Double.NaN),
                    k.number("b1", 0.99), k.number("b2", 0.95), k.number("alpha", 0), k.number("eps", 1e-8),
                    k.number("eps_root", 0), k.number("weight_decay", 0), k.integer("t_alpha", 0, false));
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
        k.rejectUnused(EXECUTION_OPTIONS);
        return optimizer;
    }

    /** torch.optim's own classes, which have torch 2.x profiles (Lanestep's own ones do not). */
    private static final Set<String> TORCH_CLASSES = Set.of("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax",
            "NAdam", "RAdam", "Rprop", "Adadelta", "ASGD", "Adafactor");
    /** optax's functions, also accepted under their qualified names ({@code optax.contrib.ademamix}). */
    private static final Set<String> OPTAX_FUNCTIONS = Set.of("adopt", "ademamix", "simplified_ademamix", "schedule_free_adamw",
            "schedule_free_sgd", "prodigy");

    /** timm's classes, also accepted under their qualified names ({@code timm.optim.Adopt}). */
    private static final Set<String> TIMM_CLASSES = Set.of("Adopt", "Adan", "Lion", "AdamWLegacy", "LaProp", "Mars");
    private static final Set<String> FUSED_CLASSES = Set.of("SGD", "Adam", "AdamW", "Adagrad");

    private static boolean torch2(String version) {
        if (version == null || !version.matches("[12]\\.\\d+.*")) {
            throw new IllegalArgumentException("torch version must be a 1.x or 2.x release like 1.13.1 or 2.13.0, got "
                    + version + "; pass the version of the torch whose numerics to reproduce");
        }
        return version.charAt(0) == '2';
    }

    /** The torch 2.x path {@code foreach} and {@code fused} pick, refused where torch refuses it. */
    private static Numerics profile(String className, Kwargs k) {
        boolean foreach = k.flag("foreach", false);
        boolean fused = k.flag("fused", false);
        if (fused && foreach) {
            throw new IllegalArgumentException("`fused` and `foreach` cannot be `True` together.");
        }
        if (fused && !FUSED_CLASSES.contains(className)) {
            throw new IllegalArgumentException(className + ".__init__() got an unexpected keyword argument 'fused'"
                    + " (torch has fused CPU kernels for SGD, Adam, AdamW and Adagrad only)");
        }
        return fused ? Numerics.TORCH_2_FUSED : foreach ? Numerics.TORCH_2_FOREACH : Numerics.TORCH_2_SINGLE;
    }

    /** The class names {@link #create} understands: torch.optim's, then Lanestep's own. */
    public static List<String> supported() {
        return List.of("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam", "Rprop", "Adadelta",
                "ASGD", "Adafactor", "Muon", "Lion", "Adopt", "Adan", "AdamWLegacy", "LaProp", "Mars", "adopt", "ademamix", "simplified_ademamix",
                "schedule_free_adamw", "schedule_free_sgd", "prodigy",
                "Lars", "Lamb", "HeavyBallMomentum", "AveragedMomentum", "SignalToNoiseSgd");
    }

    /**
     * Whether PyTorch keeps this optimizer's {@code step} as a float32 tensor in its state
     * rather than a Python int (RMSprop, Rprop) or not at all (SGD).
     */
    public static boolean stepIsTensor(Optimizer optimizer) {
        String name = optimizer.getClass().getSimpleName();
        return Catalogue.TENSOR_STEP.contains(name)
                || Catalogue.TENSOR_STEP_IN_TORCH2.contains(name) && optimizer.numerics().torch2();
    }
}
