"""Generates optax 0.2.8 contrib.adopt trajectories in the layout of ../shared/optimizers-golden/cases
(case.json, params0.f32, grads.f32, params_steps.f32, params_final.f32; the state as exp_avg.f32 and
exp_avg_sq.f32, optax's 0.mu and 0.nu), each a jitted update + apply_updates on one XLA CPU thread as
the sample's optax cases are made. The long case passes step counts where XLA's powf (glibc's) is one
ulp off the correctly rounded count**0.25 (the first is 843) with a gradient there large enough to be
clipped.
venv/bin/python optax_adopt_cases.py OUT_DIR"""
import sys
import optax_trajectories
import numpy as np
import optax

OUT = sys.argv[1]
rng = np.random.default_rng(2024)


def grads(profile, t, n):
    if profile == "normal":
        return rng.standard_normal((t, n))
    if profile == "scale_1e-6":
        return rng.standard_normal((t, n)) * 1e-6
    if profile == "logmag":
        return rng.choice([-1, 1], (t, n)) * 10.0 ** rng.uniform(-20, 8, (t, n))
    if profile == "zeros":
        g = rng.standard_normal((t, n))
        g[:, ::3] = 0
        g[0] = 0
        return g
    if profile == "special":
        g = rng.standard_normal((t, n))
        pick = rng.integers(0, 6, (t, n))
        g[pick == 0] = 0.0
        g[pick == 1] = -0.0
        g[pick == 2] = 1e-40  # subnormal
        g[pick == 3] = rng.standard_normal(np.count_nonzero(pick == 3)) * 1e30
        return g
    if profile == "nonfinite":
        g = rng.standard_normal((t, n))
        g[1, 0], g[2, 1], g[3, 2] = np.inf, -np.inf, np.nan
        return g
    if profile == "spike843":
        g = rng.standard_normal((t, n)) * 1e-3
        g[[100, 500, 843]] *= 1e3  # clipped at counts where XLA's powf and the correctly rounded power differ (843)
        return g
    if profile == "spikes":
        g = rng.standard_normal((t, n)) * 1e-3
        g[::37] *= 1e4  # every 37th step is clipped at 1000 steps
        return g
    raise ValueError(profile)


def params(profile, n):
    if profile == "pnormal":
        return rng.standard_normal(n)
    if profile == "pzeros":
        return np.zeros(n)
    return rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 3, n)


def case(config, kwargs, n, t, gprofile, pprofile):
    name = f"adopt_jit_{config}_n{n}_T{t}_{gprofile}_{pprofile}"
    opt = optax.contrib.adopt(**kwargs)
    p0 = np.asarray(params(pprofile, n), np.float32)
    g = np.asarray(grads(gprofile, t, n), np.float32)
    steps, s = optax_trajectories.run(opt, p0, g)
    optax_trajectories.write(OUT, name, p0, g, steps,
                             {"exp_avg.f32": np.asarray(s[0].mu), "exp_avg_sq.f32": np.asarray(s[0].nu)},
                             {"optimizer": "optax.contrib.adopt", "key": "adopt", "family": "optax",
                              "implementation": "jit", "config": config, "kwargs": kwargs, "n": n, "T": t,
                              "param_shape": [n], "state": {"exp_avg": "0.mu", "exp_avg_sq": "0.nu"},
                              "scalar_state": {"0.count": int(s[0].count)}, "tolerance": {"kind": "exact"}})


case("default", {"learning_rate": 1e-3}, 17, 12, "normal", "pnormal")
case("default", {"learning_rate": 1e-3}, 65, 12, "special", "pwide")
case("default", {"learning_rate": 1e-3}, 33, 12, "logmag", "pwide")
case("default", {"learning_rate": 1e-3}, 63, 12, "zeros", "pzeros")
case("default", {"learning_rate": 1e-3}, 1, 16, "scale_1e-6", "pnormal")
case("default", {"learning_rate": 1e-3}, 4099, 5, "normal", "pwide")
case("nonfinite_default", {"learning_rate": 1e-3}, 17, 5, "nonfinite", "pnormal")
case("lr0.01", {"learning_rate": 0.01}, 64, 20, "normal", "pnormal")
case("nesterov", {"learning_rate": 1e-3, "nesterov": True}, 127, 12, "normal", "pwide")
case("nesterov", {"learning_rate": 1e-3, "nesterov": True}, 16, 12, "special", "pnormal")
case("noclip", {"learning_rate": 1e-3, "use_clipping": False}, 31, 12, "logmag", "pnormal")
case("b0.5_0.99", {"learning_rate": 1e-3, "b1": 0.5, "b2": 0.99}, 65, 12, "normal", "pnormal")
case("b0_0.3", {"learning_rate": 1e-3, "b1": 0.0, "b2": 0.3}, 33, 12, "normal", "pwide")
case("eps1e-3", {"learning_rate": 1e-3, "eps": 1e-3}, 64, 7, "scale_1e-6", "pzeros")
case("long", {"learning_rate": 1e-3}, 8, 1000, "spikes", "pnormal")
case("long_nesterov_noclip", {"learning_rate": 1e-2, "nesterov": True, "use_clipping": False}, 8, 300, "spikes",
     "pnormal")
# XLA contracts the moments' two products differently when the normalized gradient comes from a
# fusion of its own (Nesterov without clipping): these pin each configuration at several sizes.
case("nesterov_noclip", {"learning_rate": 1e-3, "nesterov": True, "use_clipping": False}, 127, 30, "normal", "pwide")
case("nesterov_noclip", {"learning_rate": 1e-3, "nesterov": True, "use_clipping": False}, 4099, 5, "logmag", "pnormal")
case("long_noclip", {"learning_rate": 1e-2, "use_clipping": False}, 8, 300, "spikes", "pnormal")
case("long_nesterov", {"learning_rate": 1e-2, "nesterov": True}, 8, 300, "spikes", "pnormal")
case("long", {"learning_rate": 1e-3}, 8, 850, "spike843", "pnormal")
