"""The families' pass roofline: each block kernel's time per step against its passes
times the cost of one pass, measured separately.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python docs/scripts/family_roofline.py [--neurons N]``
(in ``make bench``). Prints Markdown. For N neurons (default 100,000, one block):

* the cost of one pass: the median over rounds of single ufunc calls on N-element arrays
  of the kernel's work dtype (add, subtract, multiply, right shift, clip, minimum,
  maximum, compare into bool, bool copied into the dtype, bitwise and), averaged;
* each family's kernel alone (``block_kernel(params, N).run`` on a prepared chunk, no
  engine around it), per step, median over rounds;
* the passes per step counted from the kernel's code for the default preset (the
  ``PASSES`` table below: the step's ufunc calls plus the preparation's per element).

The ratio measured / predicted says how much of a step the passes explain.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from neurocore_hw.registry import resolve_params

#: (family, preset, passes per step of its block kernel, work dtype): counted from the
#: kernels (fast_common.py and each model file's BlockKernel) for the default presets.
PASSES = [
    ("if", "q8_8", 7, np.int32),          # copy; add, clip, >=, keep mask (2), and
    ("li", "q8_8", 9, np.int32),          # drive (3); leak (3), -, +, clip
    ("shift_lif", "xylo16", 17, np.int32),  # copy; 2 x (>>, min, max, -, +, clip); >=, reset 3
    ("cuba_lif", "loihi", 11, np.float64),  # *64; u (3); v (3); >, reset (2); int16 min/max
    ("alif", "lsnn", 20, np.int32),       # copy; th (3), v (5), >=, reset 3, a (3), jump 3, clip
    ("homeostatic_lif", "q8_8", 19, np.int32),  # copy; v (5), >=, reset 3, rate 5, th 4
]


def _median_ns(fn, n: int, rounds: int = 7, calls: int = 50) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - t0) / calls / n * 1e9)
    return float(np.median(times))


def pass_cost(dtype, n: int) -> float:
    """Mean ns per element of the kernels' kinds of ufunc call on ``n``-element arrays."""
    rng = np.random.default_rng(0)
    a = rng.integers(-3000, 3000, n).astype(dtype)
    b, c = a.copy(), np.empty_like(a)
    s = rng.random(n) < 0.1
    one, lo, hi = (np.array(x, dtype) for x in (1, -2000, 2000))
    calls = [lambda: np.add(a, b, out=c), lambda: np.subtract(a, b, out=c),
             lambda: np.multiply(a, b, out=c), lambda: a.clip(lo, hi, out=c),
             lambda: np.minimum(a, b, out=c), lambda: np.maximum(a, b, out=c),
             lambda: np.greater_equal(a, one, out=s),
             lambda: np.copyto(c, s, casting="unsafe")]
    if np.issubdtype(dtype, np.integer):
        calls += [lambda: np.right_shift(a, one, out=c), lambda: np.bitwise_and(a, b, out=c)]
    else:
        calls += [lambda: np.trunc(a, out=c)]
    for fn in calls:  # warm up
        fn()
    return float(np.mean([_median_ns(fn, n) for fn in calls]))


def kernel_ns(family: str, preset: str, n: int, steps: int = 40) -> float:
    """ns per neuron and step of the family's block kernel alone."""
    params = resolve_params(family, preset)
    entry = params.model
    kernel = entry.block_kernel(params, n)
    port = params.input_ports()[0]
    lo, hi = params.typical_inputs().get(port.name, (0, 1 << (port.frac + 1)))
    rng = np.random.default_rng(1)
    x = rng.integers(lo, hi, (steps, n)).astype(np.int16)
    kernel.load(entry.initial_state(params, n))
    spikes = np.empty((steps, n), dtype=bool)
    prepared = kernel.prepare(x)
    kernel.run(prepared, spikes)  # warm up
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        prepared = kernel.prepare(x)
        kernel.run(prepared, spikes)
        times.append((time.perf_counter() - t0) / steps / n * 1e9)
    return float(np.median(times))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--neurons", type=int, default=100_000, help="block size (100,000)")
    args = ap.parse_args(argv)
    n = args.neurons
    costs = {dtype: pass_cost(dtype, n) for dtype in (np.int32, np.float64)}
    print(f"N = {n:,}; one pass: int32 {costs[np.int32]:.3f} ns, float64 "
          f"{costs[np.float64]:.3f} ns per element (mean of the kernels' kinds of call)\n")
    print("| family | passes per step | predicted ns per update | measured (kernel alone) | "
          "measured / predicted |")
    print("|---|---|---|---|---|")
    for family, preset, passes, dtype in PASSES:
        predicted = passes * costs[dtype]
        measured = kernel_ns(family, preset, n)
        print(f"| {family} | {passes} | {predicted:.2f} | {measured:.2f} | "
              f"{measured / predicted:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
