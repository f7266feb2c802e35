"""The SC blocks in the engine: the fast path (``neurocore_hw/models/sc_fast.py``)
against the clock-by-clock step kernel, same inputs, interleaved rounds.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python docs/scripts/sc_engine.py [--neurons N]
[--steps T]`` (in ``make bench``). Prints Markdown: per block (default preset) the
median over 3 rounds of million neuron-clocks per second of ``engine.run`` with the
fast path and with ``fast=False`` (the pure step through the engine's step kernel), and
the median of the per-round ratios. Inputs: the block's typical range, ``int16``, drawn
once; the engine's input validation is inside the time, as in ``neurocore-hw bench``.
No peer simulates stochastic-computing bitstreams, so there is no peer column.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from neurocore_hw.engine import run
from neurocore_hw.registry import resolve_params

BLOCKS = ("sc_sng", "sc_mul", "sc_add", "sc_decoder", "sc_lif", "sc_xor_neuron")


def _inputs(params, steps: int, n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    out = {}
    for port in params.input_ports():
        lo, hi = params.typical_inputs().get(port.name, (0, (1 << port.width) - 1))
        out[port.name] = rng.integers(lo, hi, (steps, n), endpoint=True).astype(
            np.int16 if hi < 1 << 15 else np.int64)
    return out


def _rate(params, inputs, fast: bool, n: int, steps: int) -> float:
    t0 = time.perf_counter()
    run(params, inputs, fast=fast)
    return n * steps / (time.perf_counter() - t0) / 1e6


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--neurons", type=int, default=100_000, help="neurons (100,000)")
    ap.add_argument("--steps", type=int, default=200, help="clocks (200)")
    args = ap.parse_args(argv)
    n, steps = args.neurons, args.steps
    print(f"N = {n:,}, T = {steps}; M = million neuron-clocks per second, median of 3 "
          "interleaved rounds\n")
    print("| block | preset | fast path M | step kernel M | fast / step, per round |")
    print("|---|---|---|---|---|")
    for block in BLOCKS:
        params = resolve_params(block)
        inputs = _inputs(params, steps, n)
        run(params, inputs)  # warm up both (fresh memory, the LIF tables)
        run(params, inputs, fast=False)
        fast, slow = [], []
        for _ in range(3):
            fast.append(_rate(params, inputs, True, n, steps))
            slow.append(_rate(params, inputs, False, n, steps))
        ratios = [a / b for a, b in zip(fast, slow)]
        preset = next(iter(params.model.presets))
        print(f"| {block} | {preset} | {np.median(fast):,.0f} | {np.median(slow):,.0f} | "
              f"{np.median(ratios):.1f}x [" + ", ".join(f"{r:.1f}" for r in ratios) + "] |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
