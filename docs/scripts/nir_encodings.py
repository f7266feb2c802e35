"""Which 8-bit weight encoding keeps the Braille networks' decisions: an upper bound in float.

The bit-true network agrees with a float network on the same rounded weights on 96-99 %
of samples (docs/nir.md), so the rounding of the trained weights is the loss. Here each
encoding's rounded weights run in the float64 reference (1,000 Poisson samples, rates
2-20 %, T = 256) and the class with the most output spikes is compared with the float
network's:

- ``layer``: one scale per layer (what ``nir quantize`` does; the core's form);
- ``source``: a power-of-two scale per source (a per-row exponent of up to 3 bits in
  the core: the row add would shift the weight), under the layer's scale;
- ``neuron``: any scale per neuron (would need a per-neuron threshold);
- ``E3M4`` / ``E4M3`` / ``E2M5``: every weight a minifloat (sign, exponent, mantissa
  bits; subnormals), scaled per layer (the row add would shift each weight).

Then the bit-true networks as ``nir quantize --calibrate`` writes them: per-layer weight
clips chosen on 300 calibration samples (seed 1), measured on the 1,000 test samples
(seed 0) against the plain quantization.

    .venv/bin/python docs/scripts/nir_encodings.py
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nir_study import GRAPHS, SHARED, decision, poisson  # noqa: E402

from neurocore_hw.layered import run_layered  # noqa: E402
from neurocore_hw.nir import (  # noqa: E402
    calibrate_network,
    load_graph,
    quantize_network,
    simulate_float,
)


def uniform(weights: list, bits: int, mode: str, exp_bits: int = 3) -> list:
    """Rounded copies of a layer's matrices (``[out, in]``; ``None`` passes through)."""
    top = (1 << (bits - 1)) - 1
    wmax = max(np.abs(w).max() for w in weights if w is not None)
    out = []
    for w in weights:
        if w is None:
            out.append(None)
            continue
        if mode == "layer":
            k = top / wmax
        elif mode == "source":  # per column (source): a power of two under the layer scale
            colmax = np.abs(w).max(axis=0, keepdims=True)
            colmax[colmax == 0] = wmax
            k = top / wmax * 2.0 ** np.clip(np.floor(np.log2(wmax / colmax)), 0,
                                            (1 << exp_bits) - 1)
        else:  # "neuron": per row, any scale
            rowmax = np.abs(w).max(axis=1, keepdims=True)
            rowmax[rowmax == 0] = 1.0
            k = top / rowmax
        out.append(np.rint(w * k) / k)
    return out


def minifloat(w: np.ndarray, wmax: float, exp_bits: int, man_bits: int) -> np.ndarray:
    """``w`` as sign + ``exp_bits`` + ``man_bits`` minifloats (with subnormals), the
    largest magnitude ``wmax``."""
    a = np.abs(w) / wmax
    e = np.clip(np.floor(np.log2(np.where(a > 0, a, 1.0))), -((1 << exp_bits) - 1), 0)
    step = 2.0 ** (e - man_bits)
    return np.sign(w) * np.minimum(np.rint(a / step) * step, 1.0) * wmax


def rounded(spec, mode: str, bits: int = 8):
    layers = []
    for layer in spec.layers:
        if mode in ("layer", "source"):
            w, wr = uniform([layer.weight, layer.rec_weight], bits, mode)
        elif mode == "neuron":
            w = uniform([layer.weight], bits, mode)[0]
            wr = (None if layer.rec_weight is None
                  else uniform([layer.rec_weight], bits, mode)[0])
        else:
            e, m = int(mode[1]), int(mode[3])
            wmax = max(np.abs(layer.weight).max(), 0.0 if layer.rec_weight is None
                       else np.abs(layer.rec_weight).max())
            w = minifloat(layer.weight, wmax, e, m)
            wr = None if layer.rec_weight is None else minifloat(layer.rec_weight, wmax, e, m)
        layers.append(dataclasses.replace(layer, weight=w, rec_weight=wr))
    return dataclasses.replace(spec, layers=layers)


def main() -> None:
    x = poisson(1000)
    modes = ("layer", "source", "neuron", "E3M4", "E4M3", "E2M5")
    print("| graph | " + " | ".join(modes) + " |")
    print("|---|" + "---|" * len(modes))
    for name, reset in GRAPHS:
        spec = load_graph(SHARED / f"{name}.nir")
        want = decision(simulate_float(spec, x, dt=1e-4, reset=reset)["output"])
        row = []
        for mode in modes:
            got = decision(simulate_float(rounded(spec, mode), x, dt=1e-4,
                                          reset=reset)["output"])
            row.append(f"{(got == want).mean():.3f}")
        print(f"| {name} | " + " | ".join(row) + " |")
    calibration(x)


def calibration(test: np.ndarray) -> None:
    cal = poisson(300, seed=1)
    print()
    print("| graph | weight bits | clips (per layer) | calibration data: before -> after | "
          "test data: before -> after |")
    print("|---|---|---|---|---|")
    for name, reset in GRAPHS:
        spec = load_graph(SHARED / f"{name}.nir")
        want = decision(simulate_float(spec, test, dt=1e-4, reset=reset)["output"])
        for bits in (8, 6):
            net = calibrate_network(spec, cal, dt=1e-4, reset=reset, weight_width=bits)
            plain = quantize_network(spec, dt=1e-4, reset=reset, weight_width=bits)
            info = net.meta["calibration"]
            before = (decision(run_layered(plain, test)["output"]) == want).mean()
            after = (decision(run_layered(net, test)["output"]) == want).mean()
            print(f"| {name} | {bits} | {', '.join(f'{c:g}' for c in info['clips'])} | "
                  f"{info['agreement_before']:.3f} -> {info['agreement_after']:.3f} | "
                  f"{before:.3f} -> {after:.3f} |")


if __name__ == "__main__":
    main()
