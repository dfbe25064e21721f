"""Generates LR-scheduler golden sequences with torch (2.13 here), in the layout of
../shared/pytorch2-golden/cases_lr: one JSON per case with the lr (and cycled momentum) after
construction and after every step. Run: venv/bin/python lr_schedulers.py OUT_DIR
(venv: python3 -m venv venv && venv/bin/pip install torch==2.13.0 numpy)."""
import json, math, os, sys
import torch

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
S = torch.optim.lr_scheduler

CASES = [
    ("steplr_s3_g0.3", "StepLR", {"step_size": 3, "gamma": 0.3}, ("SGD", {"lr": 0.7}), 60),
    ("multisteplr_repeated", "MultiStepLR", {"milestones": [5, 5, 10, 30], "gamma": 0.5}, ("SGD", {"lr": 0.9}), 50),
    ("exponentiallr_g0.999", "ExponentialLR", {"gamma": 0.999}, ("SGD", {"lr": 0.1}), 1500),
    ("constantlr_0.25_T7", "ConstantLR", {"factor": 0.25, "total_iters": 7}, ("SGD", {"lr": 0.3}), 20),
    ("linearlr_0.1_0.9_T20", "LinearLR", {"start_factor": 0.1, "end_factor": 0.9, "total_iters": 20},
     ("SGD", {"lr": 0.05}), 40),
    ("linearlr_default", "LinearLR", {}, ("Adam", {"lr": 1e-3}), 12),
    ("polynomiallr_T50_p0.5", "PolynomialLR", {"total_iters": 50, "power": 0.5}, ("SGD", {"lr": 0.2}), 70),
    ("polynomiallr_T9_p2", "PolynomialLR", {"total_iters": 9, "power": 2.0}, ("SGD", {"lr": 1.0}), 15),
    ("cosine_T10_min0.01", "CosineAnnealingLR", {"T_max": 10, "eta_min": 0.01}, ("SGD", {"lr": 0.5}), 120),
    ("cosine_T1", "CosineAnnealingLR", {"T_max": 1}, ("SGD", {"lr": 0.5}), 9),
    ("cosine_T333", "CosineAnnealingLR", {"T_max": 333, "eta_min": 1e-5}, ("SGD", {"lr": 0.1}), 800),
    ("warmrestarts_T5_mult2", "CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2, "eta_min": 0.001},
     ("SGD", {"lr": 0.1}), 160),
    ("warmrestarts_T3_mult3", "CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 3}, ("SGD", {"lr": 0.02}), 130),
    ("cyclic_triangular_up5", "CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 5},
     ("SGD", {"lr": 0.001, "momentum": 0.9}), 60),
    ("cyclic_exprange_adam", "CyclicLR", {"base_lr": 1e-4, "max_lr": 1e-2, "step_size_up": 7, "step_size_down": 3,
     "mode": "exp_range", "gamma": 0.99, "base_momentum": 0.85, "max_momentum": 0.95},
     ("Adam", {"lr": 1e-4}), 100),
    ("cyclic_triangular2_nomomentum", "CyclicLR", {"base_lr": 0.01, "max_lr": 0.2, "step_size_up": 4,
     "mode": "triangular2", "cycle_momentum": False}, ("SGD", {"lr": 0.01}), 50),
    ("onecycle_cos_total500", "OneCycleLR", {"max_lr": 0.1, "total_steps": 500}, ("SGD", {"lr": 0.1, "momentum": 0.9}),
     499),
    ("onecycle_linear_three_phase_adam", "OneCycleLR", {"max_lr": 0.01, "total_steps": 300, "anneal_strategy": "linear",
     "three_phase": True, "pct_start": 0.25}, ("Adam", {"lr": 0.01}), 299),
    ("onecycle_epochs_divs", "OneCycleLR", {"max_lr": 0.05, "epochs": 7, "steps_per_epoch": 13, "div_factor": 10.0,
     "final_div_factor": 100.0, "cycle_momentum": False}, ("SGD", {"lr": 0.05}), 91),
    ("plateau_max_rel_cooldown", "ReduceLROnPlateau", {"mode": "max", "factor": 0.5, "patience": 1, "cooldown": 2,
     "threshold": 0.01}, ("SGD", {"lr": 0.4}), 120),
    ("plateau_min_rel_eps", "ReduceLROnPlateau", {"patience": 3, "eps": 0.01, "min_lr": 0.0}, ("SGD", {"lr": 0.3}), 150),
    ("sequential_three", "SequentialLR", {"schedulers": [
        {"scheduler": "ConstantLR", "kwargs": {"factor": 0.5, "total_iters": 3}},
        {"scheduler": "ExponentialLR", "kwargs": {"gamma": 0.9}},
        {"scheduler": "CosineAnnealingLR", "kwargs": {"T_max": 30, "eta_min": 0.001}}], "milestones": [5, 20]},
     ("SGD", {"lr": 0.2}), 80),
    ("sequential_linear_step", "SequentialLR", {"schedulers": [
        {"scheduler": "LinearLR", "kwargs": {"start_factor": 0.01, "total_iters": 10}},
        {"scheduler": "StepLR", "kwargs": {"step_size": 7, "gamma": 0.5}}], "milestones": [10]},
     ("SGD", {"lr": 0.1}), 60),
    ("sequential_linear_warmrestarts", "SequentialLR", {"schedulers": [
        {"scheduler": "LinearLR", "kwargs": {"start_factor": 0.2, "total_iters": 4}},
        {"scheduler": "CosineAnnealingWarmRestarts", "kwargs": {"T_0": 6, "T_mult": 2}}], "milestones": [4]},
     ("SGD", {"lr": 0.1}), 60),
]


def metrics(name, steps):
    # a noisy decreasing (min) or increasing (max) curve with plateaus
    out = []
    for i in range(steps):
        v = 5.0 / (1 + (i // 9)) + 0.01 * math.sin(i * 1.7)
        out.append(-v if "max" in name else v)
    return out


for name, sched, kwargs, (ocls, okw), steps in CASES:
    p = torch.nn.Parameter(torch.zeros(2))
    opt = getattr(torch.optim, ocls)([p], **okw)
    if sched == "SequentialLR":
        subs = [getattr(S, s["scheduler"])(opt, **s["kwargs"]) for s in kwargs["schedulers"]]
        s = S.SequentialLR(opt, subs, milestones=kwargs["milestones"])
    else:
        s = getattr(S, sched)(opt, **kwargs)
    g = opt.param_groups[0]
    key = "momentum" if "momentum" in opt.defaults else "betas" if "betas" in opt.defaults else None
    cycles = sched in ("CyclicLR", "OneCycleLR") and kwargs.get("cycle_momentum", True)
    mom = lambda: g["momentum"] if key == "momentum" else g["betas"][0]
    case = {"name": name, "scheduler": sched, "kwargs": kwargs, "optimizer": {"cls": ocls, "kwargs": okw},
            "base_lr": okw["lr"], "steps": steps, "lr_initial": g["lr"], "dtype": "float64",
            "torch_version": torch.__version__}
    ms = metrics(name, steps) if sched == "ReduceLROnPlateau" else None
    case["metrics"] = ms
    lrs, moms = [], []
    m0 = mom() if cycles else None
    for i in range(steps):
        opt.step()
        s.step(ms[i]) if ms else s.step()
        lrs.append(g["lr"])
        if cycles:
            moms.append(mom())
    case["lrs"] = lrs
    if cycles:
        case["momentum_key"] = key
        case["momentum_initial"] = m0
        case["momentums"] = moms
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(case, f, indent=1)
print(len(CASES), "cases in", OUT)
