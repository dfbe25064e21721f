"""Writes PyTorch clipping cases for PyTorchClippingTest: clip_grad_norm_ or clip_grad_value_ over a
model of several tensors, then an optimizer step, for a few steps.

Run with Debian's python3-torch 1.13.1, one thread:
    /usr/bin/python3 property-tests/src/test/python/clip_cases.py property-tests/src/test/resources/pytorch-clipping
Layout of each case directory: case.json (optimizer, kwargs, sizes, clip kind and value, T, and
torch's total norm per step for norm clipping), params0.f32 (all tensors concatenated),
grads.f32 (T rows of the concatenated gradients), params_steps.f32 (T rows of parameters after
each step). Little-endian float32, no header.
"""
import json
import os
import sys

import numpy as np
import torch

CASES = [
    ("sgd_momentum_norm", "SGD", {"lr": 0.1, "momentum": 0.9}, "norm", 1.0, 1.0),
    ("adam_norm", "Adam", {"lr": 1e-3}, "norm", 0.5, 1.0),
    ("adamw_norm_unclipped", "AdamW", {"lr": 1e-3}, "norm", 1e4, 1.0),
    ("sgd_norm_small_grads", "SGD", {"lr": 0.5}, "norm", 2.0, 1e-3),
    ("sgd_value", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, "value", 0.05, 1.0),
    ("adam_value", "Adam", {"lr": 1e-2, "weight_decay": 0.1}, "value", 0.3, 1.0),
    ("rmsprop_value", "RMSprop", {"lr": 1e-2}, "value", 1e-3, 1.0),
]
SIZES = [3, 17, 64, 1000, 4099, 5]
STEPS = 3


def main(out):
    torch.set_num_threads(1)
    for seed, (name, optimizer, kwargs, kind, value, grad_scale) in enumerate(CASES):
        gen = torch.Generator().manual_seed(1000 + seed)
        params = [torch.nn.Parameter(torch.randn(n, generator=gen)) for n in SIZES]
        params0 = torch.cat([p.detach().clone() for p in params])
        opt = getattr(torch.optim, optimizer)(params, foreach=False, **kwargs)
        grads_rows, steps_rows, norms = [], [], []
        for _ in range(STEPS):
            grads = [torch.randn(n, generator=gen) * grad_scale for n in SIZES]
            grads_rows.append(torch.cat(grads))
            for p, g in zip(params, grads):
                p.grad = g.clone()
            if kind == "norm":
                norms.append(float(torch.nn.utils.clip_grad_norm_(params, value)))
            else:
                torch.nn.utils.clip_grad_value_(params, value)
            opt.step()
            steps_rows.append(torch.cat([p.detach().clone() for p in params]))
        case = os.path.join(out, name)
        os.makedirs(case, exist_ok=True)
        params0.numpy().astype("<f4").tofile(os.path.join(case, "params0.f32"))
        torch.stack(grads_rows).numpy().astype("<f4").tofile(os.path.join(case, "grads.f32"))
        torch.stack(steps_rows).numpy().astype("<f4").tofile(os.path.join(case, "params_steps.f32"))
        meta = {"optimizer": optimizer, "kwargs": kwargs, "sizes": SIZES, "T": STEPS, "clip": kind,
                "value": value, "total_norms": norms, "torch": torch.__version__}
        with open(os.path.join(case, "case.json"), "w") as f:
            json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
