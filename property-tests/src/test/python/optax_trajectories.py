"""What the optax case generators share: a jitted update + apply_updates stepped on one XLA CPU thread,
as the sample's optax cases are made, and a case written in the layout of
../shared/optimizers-golden/cases."""
import json, os
os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
os.environ["JAX_PLATFORMS"] = "cpu"
import numpy as np
import jax, jax.numpy as jnp
import optax


def run(opt, params0, grads):
    """The parameters after every step and the final state, from float32 params0 and grads (T x n)."""
    @jax.jit
    def step(p, s, g):
        u, s = opt.update(g, s, p)
        return optax.apply_updates(p, u), s

    p = jnp.asarray(params0, jnp.float32)
    s = opt.init(p)
    steps = []
    for g in grads:
        p, s = step(p, s, jnp.asarray(g))
        steps.append(np.asarray(p))
    return steps, s


def write(out, name, params0, grads, steps, state_files, meta):
    """The case's folder: its float32 files little-endian, then case.json with the versions added."""
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    files = {"params0.f32": params0, "grads.f32": grads, "params_steps.f32": np.stack(steps),
             "params_final.f32": steps[-1], **state_files}
    for f, v in files.items():
        np.asarray(v, "<f4").tofile(os.path.join(d, f))
    meta = dict(meta, name=name, versions={"optax": optax.__version__, "jax": jax.__version__})
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(meta, f, indent=1)
