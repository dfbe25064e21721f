"""Generates torch 2.x optimizer golden cases in the layout of ../shared/pytorch2-golden/cases
(case.json, params0.f32, grads.f32, params_steps.f32, params_final.f32, one <key>.f32 per state
tensor), random configurations of every optimizer x implementation beside the sample's.
Run under MKL_ENABLE_INSTRUCTIONS=AVX2 (a correctly rounded torch.sqrt, see the sample's README):
MKL_ENABLE_INSTRUCTIONS=AVX2 venv/bin/python optimizer_cases.py OUT_DIR [SEED]"""
import json, os, random, sys
import numpy as np
import torch

torch.set_num_threads(1)


# On some CPUs torch.sqrt on float32 is not correctly rounded (seen here: an AMD EPYC, with or
# without MKL_ENABLE_INSTRUCTIONS=AVX2, 17% of inputs one ulp off). The portable target, the
# sample's, is the correctly rounded root: the float64 root of a float32 rounded to float32 is that.
_SQRT, _TSQRT, _TSQRT_, _FSQRT, _FSQRT_ = torch.sqrt, torch.Tensor.sqrt, torch.Tensor.sqrt_, torch._foreach_sqrt, torch._foreach_sqrt_
torch.sqrt = lambda x, *a, **k: torch.Tensor.double(x).sqrt().float() if x.dtype == torch.float32 else _SQRT(x, *a, **k)
torch.Tensor.sqrt = lambda self: _TSQRT(self.double()).float() if self.dtype == torch.float32 else _TSQRT(self)
torch.Tensor.sqrt_ = lambda self: self.copy_(_TSQRT(self.double()).float()) if self.dtype == torch.float32 else _TSQRT_(self)
torch._foreach_sqrt = lambda xs: [_TSQRT(x.double()).float() for x in xs]
torch._foreach_sqrt_ = lambda xs: [x.copy_(_TSQRT(x.double()).float()) for x in xs]
_TPOW = torch.Tensor.pow
torch.Tensor.pow = lambda self, e: _TSQRT(self.double()).float() if e == 0.5 and self.dtype == torch.float32 else _TPOW(self, e)
_TPOWOP = torch.Tensor.__pow__
torch.Tensor.__pow__ = lambda self, e: _TSQRT(self.double()).float() if isinstance(e, float) and e == 0.5 \
    and self.dtype == torch.float32 else _TPOWOP(self, e)
_TRSQRT_ = torch.Tensor.rsqrt_
torch.Tensor.rsqrt_ = lambda self: self.copy_(torch.reciprocal(_TSQRT(self.double()).float())) \
    if self.dtype == torch.float32 else _TRSQRT_(self)
_FRSQRT_ = torch._foreach_rsqrt_
torch._foreach_rsqrt_ = lambda xs: [x.copy_(torch.reciprocal(_TSQRT(x.double()).float())) for x in xs]
_FPOW_ = torch._foreach_pow_
torch._foreach_pow_ = lambda xs, e: [x.copy_(_TSQRT(x.double()).float()) for x in xs] if e == 0.5 else _FPOW_(xs, e)
OUT = sys.argv[1]
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 7
rng = random.Random(SEED)
nrng = np.random.default_rng(SEED)

FUSED = {"SGD", "Adam", "AdamW", "Adagrad"}


def config(opt):
    r = rng.random
    pick = rng.choice
    if opt == "SGD":
        m = pick([0.0, 0.5, 0.9, 0.99])
        nesterov = m > 0 and r() < 0.3
        return {"lr": pick([1e-3, 0.01, 0.1, 1 / 3]), "momentum": m, "dampening": 0.0 if nesterov else pick([0.0, 0.1, 0.5]),
                "weight_decay": pick([0.0, 1e-4, 0.1]), "nesterov": nesterov, "maximize": r() < 0.2}
    if opt in ("Adam", "AdamW"):
        kw = {"lr": pick([1e-3, 0.01, 0.1]), "betas": pick([[0.9, 0.999], [0.0, 0.99], [0.5, 0.9], [0.99, 0.9999], [0.8, 0.88]]),
              "eps": pick([1e-8, 1e-12, 0.0, 1.0]), "weight_decay": pick([0.0, 0.01, 0.5]), "amsgrad": r() < 0.4,
              "maximize": r() < 0.2}
        if opt == "Adam" and r() < 0.3:
            kw["decoupled_weight_decay"] = True
        return kw
    if opt == "RMSprop":
        return {"lr": pick([1e-3, 0.01]), "alpha": pick([0.0, 0.5, 0.9, 0.99]), "eps": pick([1e-8, 1e-4, 0.1]),
                "weight_decay": pick([0.0, 0.01]), "momentum": pick([0.0, 0.9]), "centered": r() < 0.5, "maximize": r() < 0.2}
    if opt == "Adagrad":
        return {"lr": pick([0.01, 0.1]), "lr_decay": pick([0.0, 0.1]), "weight_decay": pick([0.0, 0.01]),
                "initial_accumulator_value": pick([0.0, 0.1]), "eps": pick([1e-10, 1e-6, 0.0]), "maximize": r() < 0.2}
    if opt == "Adamax":
        return {"lr": pick([2e-3, 0.02]), "betas": pick([[0.9, 0.999], [0.0, 0.0], [0.5, 0.9]]), "eps": pick([1e-8, 1e-12]),
                "weight_decay": pick([0.0, 0.01]), "maximize": r() < 0.2}
    if opt == "NAdam":
        return {"lr": pick([2e-3, 0.02]), "betas": pick([[0.9, 0.999], [0.5, 0.9], [0.0, 0.999]]),
                "momentum_decay": pick([4e-3, 0.0, 0.1]), "weight_decay": pick([0.0, 0.01]),
                "decoupled_weight_decay": r() < 0.4, "maximize": r() < 0.2, "eps": pick([1e-8, 1e-12])}
    if opt == "RAdam":
        return {"lr": pick([1e-3, 0.01]), "betas": pick([[0.9, 0.999], [0.9, 0.9], [0.95, 0.99], [0.9, 0.5]]),
                "weight_decay": pick([0.0, 0.01]), "decoupled_weight_decay": r() < 0.4, "maximize": r() < 0.2,
                "eps": pick([1e-8, 1e-6])}
    if opt == "Rprop":
        return {"lr": pick([0.01, 0.1]), "etas": pick([[0.5, 1.2], [0.3, 1.5]]), "step_sizes": pick([[1e-6, 50], [1e-8, 1e-2]]),
                "maximize": r() < 0.2}
    if opt == "Adadelta":
        return {"lr": pick([1.0, 0.1, 0.5]), "rho": pick([0.9, 0.0, 0.95, 1.0]), "eps": pick([1e-6, 1e-3]),
                "weight_decay": pick([0.0, 0.01]), "maximize": r() < 0.2}
    if opt == "ASGD":
        return {"lr": pick([0.01, 0.05]), "lambd": pick([1e-4, 0.0, 0.01]), "alpha": pick([0.75, 0.5, 1.0]),
                "t0": pick([1e6, 0.0, 2.0, 5.0]), "weight_decay": pick([0.0, 0.01]), "maximize": r() < 0.2}
    if opt == "Adafactor":
        return {"lr": pick([0.01, 0.02, 0.1]), "beta2_decay": pick([-0.8, -0.5, 0.0]),
                "eps": pick([[None, 1e-3], [1e-20, 1e-3], [None, 0.0], [1e-3, 1e-3]]), "d": pick([1.0, 1.5]),
                "weight_decay": pick([0.0, 0.1]), "maximize": r() < 0.2}
    raise ValueError(opt)


def grads(profile, T, n):
    if profile == "normal":
        return nrng.standard_normal((T, n)).astype(np.float32)
    if profile == "logmag":
        return (10.0 ** nrng.uniform(-6, 3, (T, n)) * nrng.choice([-1, 1], (T, n))).astype(np.float32)
    if profile == "zeros":
        g = nrng.standard_normal((T, n)).astype(np.float32)
        g[nrng.random((T, n)) < 0.4] = 0.0
        g[nrng.random((T, n)) < 0.1] = -0.0
        return g
    if profile == "nonfinite":
        g = nrng.standard_normal((T, n)).astype(np.float32)
        for v in (np.nan, np.inf, -np.inf):
            g[nrng.integers(T), nrng.integers(n)] = v
        return g
    raise ValueError(profile)


os.makedirs(OUT, exist_ok=True)
count = 0
for opt in ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam", "Rprop", "Adadelta", "ASGD",
            "Adafactor"]:
    for impl in ["single", "foreach", "fused"]:
        if impl == "fused" and opt not in FUSED:
            continue
        for k in range(8):
            kw = config(opt)
            if impl == "fused":
                kw["fused"] = True
            else:
                kw["foreach"] = impl == "foreach"
            shape = [rng.choice([1, 3, 7, 8, 9, 15, 17, 33, 100])]
            if opt == "Adafactor" and k % 4 != 0:
                shape = [rng.choice([1, 2, 5, 8, 9, 17, 40]), rng.choice([1, 3, 8, 9, 16, 33])]
            n = int(np.prod(shape))
            T = rng.randint(1, 12)
            profile = rng.choice(["normal", "logmag", "zeros", "nonfinite"])
            size = "s%dx%d" % tuple(shape) if len(shape) == 2 else "n%d" % n
            name = f"{opt.lower()}_{impl}_gen{k}_{size}_T{T}_{profile}"
            d = os.path.join(OUT, name)
            os.makedirs(d, exist_ok=True)
            p0 = nrng.standard_normal(n).astype(np.float32)
            gs = grads(profile, T, n)
            p = torch.nn.Parameter(torch.from_numpy(p0.copy()).reshape(shape))
            o = getattr(torch.optim, opt)([p], **{a: tuple(b) if isinstance(b, list) else b for a, b in kw.items()})
            steps = []
            for t in range(T):
                p.grad = torch.from_numpy(gs[t].copy()).reshape(shape)
                o.step()
                steps.append(p.detach().numpy().reshape(-1).copy())
            p0.tofile(os.path.join(d, "params0.f32"))
            gs.tofile(os.path.join(d, "grads.f32"))
            np.array(steps, dtype=np.float32).tofile(os.path.join(d, "params_steps.f32"))
            steps[-1].tofile(os.path.join(d, "params_final.f32"))
            state = {}
            for key, v in o.state[p].items():
                if torch.is_tensor(v):
                    v.detach().numpy().astype(np.float32).reshape(-1).tofile(os.path.join(d, key + ".f32"))
                    state[key] = {"file": key + ".f32", "shape": list(v.shape)}
            json.dump({"optimizer": opt, "implementation": impl, "kwargs": kw, "n": n, "T": T, "param_shape": shape,
                       "state": state, "grad_profile": profile, "torch_version": torch.__version__}, open(
                os.path.join(d, "case.json"), "w"), indent=1)
            count += 1
json.dump({"torch_version": torch.__version__, "generator": "optimizer_cases.py", "seed": SEED, "num_cases": count},
          open(os.path.join(OUT, "index.json"), "w"), indent=1)
print(count, "cases in", OUT)
