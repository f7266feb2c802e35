"""Measure each neuron family's fixed-point golden model against its float64 reference.

Run: ``.venv/bin/python docs/scripts/families_accuracy.py``. Prints one Markdown table:
per family and preset, spike counts over 2,000 steps of a constant and of a random input
(fixed vs float), the fraction of float spikes with a fixed-point spike within +-1 step,
and for the non-spiking LI the largest membrane difference in LSBs.
"""

from __future__ import annotations

import numpy as np

from neurocore_hw.engine import run
from neurocore_hw.fidelity import match_spikes
from neurocore_hw.models import alif, cuba_lif, homeostatic_lif, if_neuron, li, shift_lif

__all__ = ["main", "protocols"]

T = 2000


def protocols(scale: float) -> dict[str, np.ndarray]:
    """Constant and random (uniform, mostly excitatory) inputs in real units."""
    rng = np.random.default_rng(0)
    return {"constant": np.full((T, 1), 0.5 * scale),
            "random": rng.uniform(-0.5, 1.5, (T, 1)) * scale}


def codes(params, real: np.ndarray) -> np.ndarray:
    frac = params.input_ports()[0].frac
    return np.round(real * (1 << frac)).astype(np.int64)


def main() -> None:
    print("| family | preset | input | spikes fixed | spikes float | matched +-1 |")
    print("|---|---|---|---|---|---|")
    spiking = ((if_neuron, 1.0), (alif, 1.0), (homeostatic_lif, 1.0))
    for mod, scale in spiking:
        for name, p in mod.PRESETS.items():
            for label, real in protocols(scale).items():
                fixed = run(p, {"i_in": codes(p, real)}).spikes
                ref = mod.reference(p, codes(p, real) / (1 << p.frac))[0]
                m = match_spikes(ref, fixed)
                family = mod.__name__.split(".")[-1].replace("if_neuron", "if")
                print(f"| {family} | {name} | {label} | "
                      f"{m['test_spikes']} | {m['reference_spikes']} | "
                      f"{100 * m['matched_fraction']:.0f}% |")
    for name, p in shift_lif.PRESETS.items():
        for label, real in protocols(p.v_threshold / 40).items():
            a = np.round(real).astype(np.int64)
            m = match_spikes(shift_lif.reference(p, a)[0], run(p, {"i_in": a}).spikes)
            print(f"| shift_lif | {name} | {label} | {m['test_spikes']} | "
                  f"{m['reference_spikes']} | {100 * m['matched_fraction']:.0f}% |")
    for name, p in cuba_lif.PRESETS.items():
        for label, real in protocols(p.vth / 8).items():
            a = np.clip(np.round(real), -(1 << (p.in_width - 1)),
                        (1 << (p.in_width - 1)) - 1).astype(np.int64)
            m = match_spikes(cuba_lif.reference(p, a)[0], run(p, {"a_in": a}).spikes)
            print(f"| cuba_lif | {name} | {label} | {m['test_spikes']} | "
                  f"{m['reference_spikes']} | {100 * m['matched_fraction']:.0f}% |")
    print("\n| family | preset | input | max abs(v fixed - v float), LSB |")
    print("|---|---|---|---|")
    for name, p in li.PRESETS.items():
        for label, real in protocols(1.0).items():
            i = codes(p, real)
            got = run(p, {"i_in": i}, record=True).traces["v"][:, 0]
            ref = li.reference(p, i / (1 << p.frac))[:, 0] * (1 << p.frac)
            print(f"| li | {name} | {label} | {np.max(np.abs(got - ref)):.1f} |")


if __name__ == "__main__":
    main()
