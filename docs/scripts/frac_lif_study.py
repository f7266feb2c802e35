"""The fractional-order LIF: what a history window of K values keeps of the full
Grunwald-Letnikov memory, and what it costs on iCE40 and ECP5.

Run: ``.venv/bin/python docs/scripts/frac_lif_study.py [--json FILE]`` (in ``make docs``).
Prints Markdown.

Reference: the float64 model with the **full** history (every past step weighted) of the
real neuron (tau 20 ms, dt 1 ms, R 1, threshold 1.0), 24 neurons x 600 steps: 12 constant
currents from 1.2 to 3.0 and 12 noisy ones. For each order alpha and window K: the float
model truncated to K values, and the bit-true fixed point (Q16.8, weights Q.16, nearest)
at K, each with the two windows (``truncate``: the past beyond K dropped; ``tail``: its
weight on the oldest value); the fraction of the reference's spikes matched one-to-one
within one step, and the sum of the K weights (1 - sum is the truncated window's extra
leak). Cost at alpha 0.7: Yosys'
cells for the one-step-per-clock unit (one constant multiply per history entry, the
history in K - 1 registers of 16 bits).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from neurocore_hw.engine import run
from neurocore_hw.fidelity import match_spikes
from neurocore_hw.models import frac_lif
from rtl_gen.emit import emit_verilog, top_name
from rtl_gen.synth import synthesize

ALPHAS = (0.5, 0.7, 0.9)
WINDOWS = (1, 2, 4, 8, 16, 32, 64)


def stimulus(steps: int, seed: int) -> np.ndarray:
    """``[steps, 24]``: 12 constant currents over 1.2..3.0 and 12 noisy ones."""
    rng = np.random.default_rng(seed)
    constant = np.broadcast_to(np.linspace(1.2, 3.0, 12), (steps, 12))
    noisy = 2.1 + 0.9 * rng.standard_normal((steps, 12))
    return np.concatenate([constant, noisy], axis=1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=600, help="steps (default: 600)")
    ap.add_argument("--seed", type=int, default=1, help="stimulus seed (default: 1)")
    ap.add_argument("--no-synth", action="store_true", help="accuracy only")
    ap.add_argument("--json", help="write the rows here")
    args = ap.parse_args(argv)
    current = stimulus(args.steps, args.seed)
    base = frac_lif.PRESETS["a07_k16"]
    rows = []
    print("| alpha | K | sum of weights | float, truncated | fixed Q16.8, truncated | "
          "float, tail | fixed Q16.8, tail | iCE40 LUT / FF / carry | ECP5 LUT / FF |")
    print("|---|---|---|---|---|---|---|---|---|")
    for alpha in ALPHAS:
        real = frac_lif.FracLIFReal(alpha=alpha)
        full = frac_lif.reference(real, current)[0]
        for k in WINDOWS:
            row = {"alpha": alpha, "history": k, "full_spikes": int(full.sum()),
                   "weight_sum": float(sum(frac_lif.gl_weights(alpha, k)))}
            for window in frac_lif.WINDOWS:
                ref_k = frac_lif.reference(real, current, history=k, window=window)[0]
                p, _ = real.quantize(None, dataclasses.replace(base, history=k,
                                                               window=window))
                codes = np.round(current * (1 << p.frac)).astype(np.int64)
                fixed = run(p, {"i_in": codes}).spikes
                row[f"float_{window}"] = match_spikes(full, ref_k)["matched_fraction"]
                row[f"fixed_{window}"] = match_spikes(full, fixed)["matched_fraction"]
            cost = "- | - |"
            if alpha == 0.7 and not args.no_synth:
                text = emit_verilog(p)
                ice, ecp = (synthesize(text, top_name("frac_lif"), t) for t in ("ice40", "ecp5"))
                row.update(ice40_lut=ice.lut, ice40_ff=ice.ff, ice40_carry=ice.carry,
                           ecp5_lut=ecp.lut, ecp5_ff=ecp.ff)
                cost = f"{ice.lut} / {ice.ff} / {ice.carry} | {ecp.lut} / {ecp.ff} |"
            rows.append(row)
            cells = " | ".join(f"{100 * row[f'{kind}_{w}']:.1f} %"
                               for w in frac_lif.WINDOWS for kind in ("float", "fixed"))
            print(f"| {alpha} | {k} | {row['weight_sum']:.3f} | {cells} | {cost}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
