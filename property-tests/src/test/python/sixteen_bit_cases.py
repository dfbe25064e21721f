"""Generates torch 2.13 golden cases of the fused CPU optimizers on bf16 and fp16 parameters, in
the layout of ../shared/pytorch2-golden/cases plus a "dtype" field: parameters, gradients and
state (torch makes the state like the parameter) are all of that dtype. Every file stays float32
(.f32): each 16-bit value is exact in float32, so nothing is lost (NaN payloads aside).
venv/bin/python sixteen_bit_cases.py OUT_DIR [SEED]"""
import json, os, random, sys
import numpy as np
import torch

torch.set_num_threads(1)
OUT = sys.argv[1]
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 15
rng = random.Random(SEED)
nrng = np.random.default_rng(SEED)
DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16}


def config(opt):
    r, pick = rng.random, rng.choice
    if opt == "SGD":
        m = pick([0.0, 0.5, 0.9])
        nesterov = m > 0 and r() < 0.3
        return {"lr": pick([1e-3, 0.01, 0.1]), "momentum": m, "dampening": 0.0 if nesterov else pick([0.0, 0.1]),
                "weight_decay": pick([0.0, 1e-4, 0.1]), "nesterov": nesterov, "maximize": r() < 0.2}
    if opt in ("Adam", "AdamW"):
        return {"lr": pick([1e-3, 0.01, 0.1]), "betas": pick([[0.9, 0.999], [0.0, 0.99], [0.5, 0.9], [0.8, 0.88]]),
                "eps": pick([1e-8, 1e-3, 0.0]), "weight_decay": pick([0.0, 0.01, 0.5]), "amsgrad": r() < 0.4,
                "maximize": r() < 0.2}
    if opt == "Adagrad":
        return {"lr": pick([0.01, 0.1]), "lr_decay": pick([0.0, 0.1]), "weight_decay": pick([0.0, 0.01]),
                "initial_accumulator_value": pick([0.0, 0.1]), "eps": pick([1e-10, 1e-6, 0.0]), "maximize": r() < 0.2}
    raise ValueError(opt)


def grads(profile, T, n):
    g = nrng.standard_normal((T, n)).astype(np.float32)
    if profile == "logmag":
        g = (10.0 ** nrng.uniform(-6, 3, (T, n)) * nrng.choice([-1, 1], (T, n))).astype(np.float32)
    if profile == "zeros":
        g[nrng.random((T, n)) < 0.4] = 0.0
        g[nrng.random((T, n)) < 0.1] = -0.0
    if profile == "nonfinite":
        for v in (np.nan, np.inf, -np.inf):
            g[nrng.integers(T), nrng.integers(n)] = v
    return g


def f32(t):
    return t.detach().float().numpy().reshape(-1).astype(np.float32)


os.makedirs(OUT, exist_ok=True)
count = 0
for dtype_name, dtype in DTYPES.items():
    for opt in ["SGD", "Adam", "AdamW", "Adagrad"]:
        for k in range(10):
            kw = config(opt)
            kw["fused"] = True
            n = rng.choice([1, 7, 15, 16, 17, 31, 33, 48, 100, 257])
            T = rng.randint(1, 10)
            profile = rng.choice(["normal", "logmag", "zeros", "nonfinite"])
            name = f"{opt.lower()}_fused_{dtype_name}_gen{k}_n{n}_T{T}_{profile}"
            d = os.path.join(OUT, name)
            os.makedirs(d, exist_ok=True)
            p = torch.nn.Parameter(torch.from_numpy(nrng.standard_normal(n).astype(np.float32)).to(dtype))
            gs = torch.from_numpy(grads(profile, T, n)).to(dtype)
            p0 = f32(p)
            o = getattr(torch.optim, opt)([p], **{a: tuple(b) if isinstance(b, list) else b for a, b in kw.items()})
            steps = []
            for t in range(T):
                p.grad = gs[t].clone()
                o.step()
                steps.append(f32(p))
            p0.tofile(os.path.join(d, "params0.f32"))
            f32(gs).tofile(os.path.join(d, "grads.f32"))
            np.array(steps, dtype=np.float32).tofile(os.path.join(d, "params_steps.f32"))
            steps[-1].tofile(os.path.join(d, "params_final.f32"))
            state = {}
            for key, v in o.state[p].items():
                if torch.is_tensor(v):
                    f32(v).tofile(os.path.join(d, key + ".f32"))
                    state[key] = {"file": key + ".f32", "shape": list(v.shape),
                                  "storage": "tensor_" + str(v.dtype).replace("torch.", "")}
            json.dump({"optimizer": opt, "implementation": "fused", "kwargs": kw, "n": n, "T": T,
                       "param_shape": [n], "dtype": dtype_name, "state": state, "grad_profile": profile,
                       "torch_version": torch.__version__}, open(os.path.join(d, "case.json"), "w"), indent=1)
            count += 1
json.dump({"torch_version": torch.__version__, "generator": "sixteen_bit_cases.py", "seed": SEED,
           "cpu_capability": torch.backends.cpu.get_cpu_capability(), "num_cases": count},
          open(os.path.join(OUT, "index.json"), "w"), indent=1)
print(count, "cases in", OUT)
