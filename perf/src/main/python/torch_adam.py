"""Times PyTorch's CPU Adam on one thread, the report's optional peer.

Usage: python3 torch_adam.py SIZE...  Prints one line per size: "SIZE MICROS_PER_STEP", the
median over repeats of the mean step time, measured like the JMH benchmarks (warm-up first).
"""
import statistics
import sys
import time

import torch


def micros_per_step(size, steps, repeats=5):
    torch.manual_seed(0)
    param = torch.nn.Parameter(torch.randn(size))
    param.grad = torch.randn(size) * 1e-3
    optimizer = torch.optim.Adam([param], lr=1e-3)
    for _ in range(steps):
        optimizer.step()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            optimizer.step()
        samples.append((time.perf_counter() - start) / steps * 1e6)
    return statistics.median(samples)


def main():
    torch.set_num_threads(1)
    for arg in sys.argv[1:]:
        size = int(arg)
        steps = max(3, min(200, 50_000_000 // size))
        print(f"{size} {micros_per_step(size, steps):.3f}", flush=True)


if __name__ == "__main__":
    main()
