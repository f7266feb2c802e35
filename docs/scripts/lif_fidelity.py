"""Measure what quantization costs the LIF neuron: fixed-point golden model vs float64.

Run: ``.venv/bin/python docs/scripts/lif_fidelity.py`` (prints a Markdown table).

Ideal model: tau_mem = 20 steps, R = 1, v_rest = v_reset = 0, threshold 1.0, refractory
2 steps, exact exponential (zero-order-hold) update. Format Q(width, width - 4): range
+-8.0, so every width holds the dynamics; constants, inputs and state are quantized.
Protocols, 64 neurons x 2000 steps each: constant currents 1.05..4.0, and a noisy current
1.5 + 0.5 * N(0, 1) drawn per step (the same draws for both models).
"""

from __future__ import annotations

import numpy as np

from neurocore_hw.engine import run
from neurocore_hw.fidelity import match_spikes
from neurocore_hw.models.lif import LIFReal, reference
from neurocore_hw.real import Format

__all__ = ["measure"]

REAL = LIFReal(tau_mem=20.0, dt=1.0, resistance=1.0, v_rest=0.0, v_reset=0.0,
               v_threshold=1.0, t_ref=2.0)


def protocols(t_steps: int = 2000, n: int = 64) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(2026)
    return {"constant": np.ones((t_steps, 1)) * np.linspace(1.05, 4.0, n)[None, :],
            "noisy": 1.5 + 0.5 * rng.standard_normal((t_steps, n))}


def measure(width: int, current: np.ndarray, rounding: str = "floor") -> dict:
    frac = width - 4
    params, q = REAL.quantize(Format(width, frac, rounding, "saturate"))
    lim = (1 << (width - 1)) - 1
    codes = np.clip(np.floor(current * (1 << frac) + 0.5), -lim - 1, lim).astype(np.int64)
    fixed = run(params, {"i_in": codes}, record=True)
    ref_spikes, ref_v = reference(REAL, current)
    match = match_spikes(ref_spikes, fixed.spikes, tolerance=1)
    v_err = fixed.traces["v"] / (1 << frac) - ref_v
    return {"width": width, "frac": frac, "leak_k": params.leak_k,
            "leak_err": q["leak_k"].error, **match,
            "count_err": (match["test_spikes"] - match["reference_spikes"])
            / match["reference_spikes"],
            "v_rms": float(np.sqrt(np.mean(v_err ** 2)))}


def main() -> None:
    print("| protocol | format | rounding | leak_k (error) | spikes float | spikes fixed "
          "| count error | matched +-1 step | v RMS error |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, current in protocols().items():
        for width in (8, 10, 12, 16, 24):
            for rounding in ("floor", "nearest"):
                row(name, rounding, measure(width, current, rounding))


def row(name: str, rounding: str, m: dict) -> None:
    print(f"| {name} | Q({m['width']},{m['frac']}) | {rounding} | {m['leak_k']} "
          f"({m['leak_err']:+.2e}) | {m['reference_spikes']} | {m['test_spikes']} "
          f"| {100 * m['count_err']:+.2f}% | {100 * m['matched_fraction']:.2f}% "
          f"| {m['v_rms']:.4f} |")


if __name__ == "__main__":
    main()
