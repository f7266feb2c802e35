"""Measure the Izhikevich fixed-point model against its float64 reference.

Run: ``.venv/bin/python docs/scripts/izhikevich_fidelity.py`` (needs matplotlib for the
plot; ``make docs`` installs it). Prints Markdown tables and writes
``docs/models/izhikevich_traces.png``.

Protocols, 1000 steps of 1 ms: constant I = 10; and a step current 0 (100 ms), 5
(450 ms), 15 (450 ms). "matched" is the fraction of float spikes with a fixed-point spike
within +-1 step (one-to-one). Two columns measure the float model's own sensitivity:
"float vs float(v0 + 1e-12)" perturbs only the initial state; over 20 draws of +-1e-6
relative changes of a, b and 0.04 (about the coefficient quantization at coef_frac = 20),
"worst" is the lowest spike-time agreement of the float model with itself and "float
count band" the min..max spike count. "float(quantized coef)" runs the float model with
exactly the coefficients the fixed-point model uses (0.04, a, b, c, d as represented in
binary) but float64 state: its agreement with the reference is the cost of the coefficient
rounding alone, before any fixed-point state arithmetic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neurocore_hw.engine import run
from neurocore_hw.fidelity import match_spikes
from neurocore_hw.models import izhikevich as iz

__all__ = ["protocols", "main"]

T = 1000


def protocols() -> dict[str, np.ndarray]:
    step = np.concatenate([np.zeros(100), np.full(450, 5.0), np.full(450, 15.0)])
    return {"I=10": np.full((T, 1), 10.0), "step 0/5/15": step[:, None]}


def float_run(a, b, c, d, current, k2=0.04, v_eps=0.0):
    """Scalar float64 half-step integration (the reference), with perturbations."""
    v, u = c + v_eps, b * c
    spikes = np.zeros(current.shape[0], dtype=bool)
    for t, i in enumerate(current[:, 0]):
        for _ in range(2):
            v, u = v + 0.5 * (k2 * v * v + 5 * v + 140 - u + i), u + 0.5 * a * (b * v - u)
        if v >= 30:
            v, u, spikes[t] = c, u + d, True
    return spikes[:, None]


def fixed_run(params, current):
    codes = np.round(current * (1 << params.frac)).astype(np.int64)
    return run(params, {"i_in": codes}, record=True)


def default_table() -> None:
    rng = np.random.default_rng(0)
    print("| preset | protocol | spikes float | spikes fixed | matched +-1 | "
          "float(quantized coef) vs float | float vs float(v0+1e-12) | "
          "float vs float(coef +-1e-6), worst | float count band |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (a, b, c, d) in iz.PAPER.items():
        params = iz.PRESETS[name]
        for label, current in protocols().items():
            ref = iz.reference(params, current)[0]
            fixed = fixed_run(params, current).spikes
            m = match_spikes(ref, fixed)
            self_m = match_spikes(ref, float_run(a, b, c, d, current, v_eps=1e-12))
            k, cf, f = params.codes(), params.coef_frac, params.frac
            coef_m = match_spikes(ref, float_run(2 * k["A"] / 2**cf, k["B"] / 2**cf,
                                                 k["C"] / 2**f, k["D"] / 2**f, current,
                                                 k2=2 * k["K2"] / 2**cf))
            perturbed = [float_run(a * (1 + e1), b * (1 + e2), c, d, current,
                                   k2=0.04 * (1 + e3))
                         for e1, e2, e3 in rng.uniform(-1e-6, 1e-6, (20, 3))]
            band = [int(x.sum()) for x in perturbed]
            worst = min(match_spikes(ref, x)["matched_fraction"] for x in perturbed)
            print(f"| {name} | {label} | {m['reference_spikes']} | {m['test_spikes']} | "
                  f"{100 * m['matched_fraction']:.1f}% | "
                  f"{100 * coef_m['matched_fraction']:.1f}% | "
                  f"{100 * self_m['matched_fraction']:.1f}% | {100 * worst:.1f}% | "
                  f"{min(band)}..{max(band)} |")


def width_table() -> None:
    names = list(iz.PAPER)
    print("| format | coef_frac | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    current = protocols()["I=10"]
    refs = {n: iz.reference(iz.PRESETS[n], current)[0] for n in names}
    for width, frac, coef_frac in ((12, 3, 20), (14, 5, 20), (16, 7, 16), (16, 7, 20),
                                   (20, 11, 20), (24, 14, 16), (24, 14, 24), (28, 18, 24),
                                   (32, 22, 24)):
        cells = []
        for n in names:
            params = iz.IzhikevichParams(*iz.PAPER[n], width=width, frac=frac,
                                         coef_frac=coef_frac)
            m = match_spikes(refs[n], fixed_run(params, current).spikes)
            cells.append(f"{100 * m['matched_fraction']:.0f}% "
                         f"({m['test_spikes']}/{m['reference_spikes']})")
        print(f"| Q({width},{frac}) | {coef_frac} | " + " | ".join(cells) + " |")


def plot(path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(iz.PAPER)
    fig, axes = plt.subplots(len(names), 1, figsize=(9, 2.0 * len(names)), sharex=True)
    current = protocols()["I=10"][:300]
    for ax, name in zip(axes, names):
        params = iz.PRESETS[name]
        _, v_ref, _ = iz.reference(params, current)
        v_fix = fixed_run(params, current).traces["v"][:, 0] / (1 << params.frac)
        ax.plot(v_ref[:, 0], lw=1.6, color="0.6", label="float64 reference")
        ax.plot(v_fix, lw=0.8, color="C3", label=f"fixed Q({params.width},{params.frac})")
        ax.set_ylabel(f"{name}\nv (mV)")
    axes[0].legend(loc="upper right", fontsize=8)
    axes[-1].set_xlabel("step (ms), I = 10")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main() -> None:
    print("### Default format Q(16,7), coef_frac 20, nearest\n")
    default_table()
    print("\n### Spike times within +-1 step at I = 10, by format (fixed/float spikes)\n")
    width_table()
    out = Path(__file__).resolve().parents[1] / "models" / "izhikevich_traces.png"
    plot(out)
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
