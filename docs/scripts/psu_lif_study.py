"""PSU LIF: the parallel-in-time scan against the step loop, and fixed point against float.

Run: ``.venv/bin/python docs/scripts/psu_lif_study.py``. Prints Markdown tables:

1. per preset and per exact special case: whether the scan is exact, and over T = 2,000
   steps the fraction of membrane codes where it equals the step loop and the largest
   difference in LSBs, for small inputs (|i_in| < 2**(width-7): no overflow) and for
   full-range inputs (overflow on most steps);
2. wall time of the scan and of the engine's step loop with the membrane recorded
   (median of 5, same process, interleaved), the exact ``integrator_wrap`` preset;
3. fixed point against the float64 reference (quantized constants read as reals): spike
   counts and the fraction of float spikes matched within +-1 step, random real input.
"""

from __future__ import annotations

import dataclasses
import statistics
import time

import numpy as np

from neurocore_hw.engine import run
from neurocore_hw.fidelity import match_spikes
from neurocore_hw.fixed import int_range
from neurocore_hw.models import psu_lif

__all__ = ["main"]


def _inputs(p, rng, steps: int, n: int, small: bool = True) -> np.ndarray:
    lo, hi = int_range(p.width)
    x = rng.integers(lo, hi, (steps, n), endpoint=True)
    return x // 64 if small else x


def _cases() -> dict[str, psu_lif.PSULIFParams]:
    cases = dict(psu_lif.PRESETS)
    base = psu_lif.PRESETS["beta_0_95"]
    cases["beta_0_95, leak_k=0 (saturate)"] = dataclasses.replace(base, leak_k=0)
    cases["beta_0_95, leak_k=2**frac"] = dataclasses.replace(base, leak_k=1 << base.frac)
    return cases


def exactness() -> None:
    print("| parameters | scan exact | small: codes equal | small: largest difference "
          "(LSB) | full range: codes equal | full range: largest difference (LSB) |")
    print("|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for name, p in _cases().items():
        cells = []
        for small in (True, False):
            x = _inputs(p, rng, 2000, 100, small)
            loop = run(p, {"i_in": x}, record=True).traces["v"]
            scan = psu_lif.run_parallel(p, x, exact=False)[1]["v"]
            cells += [f"{(scan == loop).mean():.4f}", f"{int(np.abs(scan - loop).max())}"]
        print(f"| {name} | {'yes' if psu_lif.scan_exact(p) else 'no'} | "
              + " | ".join(cells) + " |")


def speed() -> None:
    print("\n| T x N | step loop (engine) | scan | loop / scan |")
    print("|---|---|---|---|")
    p = psu_lif.PRESETS["integrator_wrap"]
    rng = np.random.default_rng(1)
    for steps, n in ((1000, 1000), (10_000, 1000), (100_000, 10)):
        x = _inputs(p, rng, steps, n)
        loop_s, scan_s = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            loop = run(p, {"i_in": x}, record=True).traces["v"]
            t1 = time.perf_counter()
            scan = psu_lif.run_parallel(p, x)[1]["v"]
            t2 = time.perf_counter()
            loop_s.append(t1 - t0)
            scan_s.append(t2 - t1)
        assert np.array_equal(loop, scan)
        a, b = statistics.median(loop_s), statistics.median(scan_s)
        print(f"| {steps:,} x {n:,} | {a * 1e3:.1f} ms | {b * 1e3:.1f} ms | {a / b:.2f} |")


def fidelity() -> None:
    print("\n| preset | spikes fixed | spikes float | matched +-1 |")
    print("|---|---|---|---|")
    rng = np.random.default_rng(2)
    for name, p in psu_lif.PRESETS.items():
        scale = 1 << p.frac
        real = rng.uniform(-0.1, 0.25, (2000, 50)) * (p.v_threshold / scale)
        codes = np.round(real * scale).astype(np.int64)
        fixed = run(p, {"i_in": codes}).spikes
        float_spikes, _ = psu_lif.reference(p, codes / scale)
        m = match_spikes(float_spikes, fixed)
        print(f"| {name} | {int(fixed.sum())} | {int(float_spikes.sum())} | "
              f"{m['matched_fraction']:.3f} |")


def main() -> None:
    exactness()
    speed()
    fidelity()


if __name__ == "__main__":
    main()
