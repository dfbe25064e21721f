"""Generates optax 0.2.8 contrib.ademamix trajectories with the paper's warm-ups of alpha and b3, and
contrib.simplified_ademamix ones with alpha's, in the layout of ../shared/optimizers-golden/cases (state
as 0.m1.f32, 0.m2.f32, 0.nu.f32 or 0.m.f32, 0.n.f32), each a jitted update + apply_updates on one XLA
CPU thread as the sample's optax cases are made.
alpha's warm-up is optax.linear_schedule(0, alpha, t_alpha). b3's is the paper's schedule, 1/ln(b3)
moving linearly from 1/ln(b1) over t_beta3 steps, computed in double and rounded to float32 once;
optax gets it as a float32 table indexed by count_m2, so the case pins the step given those values.
venv/bin/python optax_ademamix_warmup_cases.py OUT_DIR"""
import math, sys
import optax_trajectories
import numpy as np
import jax.numpy as jnp
import optax

OUT = sys.argv[1]
rng = np.random.default_rng(2026)


def grads(profile, t, n):
    g = rng.standard_normal((t, n))
    if profile == "logmag":
        return rng.choice([-1, 1], (t, n)) * 10.0 ** rng.uniform(-20, 8, (t, n))
    if profile == "zeros":
        g[:, ::3] = 0
        g[0] = 0
    return g


def beta3_table(b1, b3, warmup, t):
    values = []
    for c in range(t):
        if c >= warmup:
            values.append(b3)
        else:
            a = c / warmup
            values.append(math.exp(1 / ((1 - a) / math.log(b1) + a / math.log(b3))))
    return jnp.asarray(np.asarray(values, np.float32))


def case(config, kwargs, n, t, gprofile, key="ademamix"):
    name = f"{key}_jit_{config}_n{n}_T{t}_{gprofile}_pnormal"
    args = {k: v for k, v in kwargs.items() if k not in ("t_alpha", "t_beta3")}
    alpha = kwargs.get("alpha", 5.0 if key == "ademamix" else 0.0)
    if kwargs.get("t_alpha", 0):
        args["alpha"] = optax.linear_schedule(0.0, alpha, kwargs["t_alpha"])
    if kwargs.get("t_beta3", 0):
        table = beta3_table(kwargs.get("b1", 0.9), kwargs.get("b3", 0.9999), kwargs["t_beta3"], t)
        args["b3"] = lambda count: table[count]
    opt = getattr(optax.contrib, key)(**args)
    p0 = np.asarray(rng.standard_normal(n), np.float32)
    g = np.asarray(grads(gprofile, t, n), np.float32)
    steps, s = optax_trajectories.run(opt, p0, g)
    fields = ("m1", "m2", "nu") if key == "ademamix" else ("m", "n")
    optax_trajectories.write(OUT, name, p0, g, steps, {f"0.{f}.f32": np.asarray(getattr(s[0], f)) for f in fields},
                             {"optimizer": "optax.contrib." + key, "key": key, "family": "optax",
                              "implementation": "jit", "config": config, "kwargs": kwargs, "n": n, "T": t,
                              "param_shape": [n], "tolerance": {"kind": "exact"},
                              "scalar_state": {f"0.{c}": int(getattr(s[0], c))
                                               for c in ("count", "count_m2", "t") if c in s[0]._fields}})


case("alpha_warmup", {"learning_rate": 1e-3, "t_alpha": 7}, 33, 12, "normal")
case("alpha_warmup", {"learning_rate": 1e-3, "alpha": 8.0, "t_alpha": 100}, 17, 40, "logmag")
case("beta3_warmup", {"learning_rate": 1e-3, "t_beta3": 9}, 65, 12, "normal")
case("beta3_warmup", {"learning_rate": 1e-2, "b1": 0.5, "b3": 0.999, "t_beta3": 30}, 16, 40, "zeros")
case("both_warmups", {"learning_rate": 1e-3, "t_alpha": 11, "t_beta3": 13, "weight_decay": 0.01}, 127, 20, "normal")
case("both_warmups", {"learning_rate": 1e-3, "alpha": 3.0, "t_alpha": 3, "t_beta3": 300, "eps_root": 1e-8}, 31, 50,
     "logmag")
case("alpha_warmup", {"learning_rate": 1e-3, "alpha": 2.0, "t_alpha": 9}, 65, 12, "normal", "simplified_ademamix")
case("alpha_warmup", {"learning_rate": 1e-3, "alpha": 8.0, "t_alpha": 30, "weight_decay": 0.01}, 33, 40, "logmag",
     "simplified_ademamix")
