"""The exponential families (ExpIF ``exp_lif``, AdEx ``adex``): what each exp() and format
keeps of the float neuron, and what the whole neuron costs on iCE40 and ECP5.

Run: ``.venv/bin/python docs/scripts/exp_families_study.py [--json FILE]`` (in
``make docs``). Prints Markdown.

For each family, Norse's default neuron (the ``norse`` preset's real model) is quantized
to each format with each exponential (:mod:`neurocore_hw.fixed_exp`), nearest rounding
(one row with floor shows its bias). Accuracy: 32 neurons x 1,000 steps (16 constant
currents over the firing range, 16 noisy), the bit-true fixed point against the float64
reference of the real model (exact ``exp``, real constants): the fraction of the
reference's spikes matched one-to-one within one step, and the spike count. Cost: Yosys'
cells for the one-step-per-clock unit (:func:`rtl_gen.emit.emit_verilog`).
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
from neurocore_hw.real import Format
from neurocore_hw.registry import MODELS
from rtl_gen.emit import emit_verilog, top_name
from rtl_gen.synth import synthesize

CURRENTS = {"exp_lif": (0.15, 0.6), "adex": (0.2, 0.8)}
#: (format, exp method, table bits)
CASES = [("Q16.12,nearest", "pwl", 4), ("Q16.12,floor", "pwl", 4),
         ("Q16.12,nearest", "pwl", 2), ("Q16.12,nearest", "table", 4),
         ("Q16.12,nearest", "table", 6), ("Q16.12,nearest", "shift", 1),
         ("Q12.7,nearest", "pwl", 4), ("Q12.7,nearest", "table", 4),
         ("Q12.7,nearest", "shift", 1), ("Q20.14,nearest", "pwl", 4)]


def stimulus(family: str, steps: int, seed: int) -> np.ndarray:
    """``[steps, 32]`` real currents: 16 constant over the firing range, 16 noisy."""
    lo, hi = CURRENTS[family]
    rng = np.random.default_rng(seed)
    constant = np.broadcast_to(np.linspace(lo, hi, 16), (steps, 16))
    noisy = (lo + hi) / 2 + (hi - lo) / 2 * rng.standard_normal((steps, 16))
    return np.concatenate([constant, noisy], axis=1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=1000, help="steps (default: 1000)")
    ap.add_argument("--seed", type=int, default=1, help="stimulus seed (default: 1)")
    ap.add_argument("--no-synth", action="store_true", help="accuracy only")
    ap.add_argument("--json", help="write the rows here")
    args = ap.parse_args(argv)
    rows = []
    for family in CURRENTS:
        entry = MODELS[family]
        base = entry.presets["norse"]
        real = entry.real.from_params(base)
        current = stimulus(family, args.steps, args.seed)
        ref = entry.reference(real, current)[0]
        print(f"\n**{family}** (Norse's defaults; reference: {int(ref.sum())} spikes)\n")
        print("| format | exp() | table entries | matched (+-1 step) | spikes | "
              "iCE40 LUT / carry | ECP5 LUT / carry / DSP |")
        print("|---|---|---|---|---|---|---|")
        for fmt, method, bits in CASES:
            f = Format.parse(fmt)
            shaped = dataclasses.replace(base, exp_method=method,
                                         exp_table_bits=min(bits, f.frac))
            p, _ = real.quantize(f, shaped)
            codes = np.clip(np.round(current * (1 << p.frac)), -(1 << (p.width - 1)),
                            (1 << (p.width - 1)) - 1).astype(np.int64)
            fixed = run(p, {"i_in": codes}).spikes
            agree = match_spikes(ref, fixed, tolerance=1)["matched_fraction"]
            row = {"family": family, "format": fmt, "method": method,
                   "entries": 0 if method == "shift" else (1 << bits) + (method == "pwl"),
                   "matched": agree, "spikes": int(fixed.sum()),
                   "reference_spikes": int(ref.sum())}
            cost = "| - | - |"
            if not args.no_synth:
                text = emit_verilog(p)
                ice, ecp = (synthesize(text, top_name(family), t) for t in ("ice40", "ecp5"))
                row.update(ice40_lut=ice.lut, ice40_carry=ice.carry, ecp5_lut=ecp.lut,
                           ecp5_carry=ecp.carry, ecp5_dsp=ecp.dsp)
                cost = f"| {ice.lut} / {ice.carry} | {ecp.lut} / {ecp.carry} / {ecp.dsp} |"
            rows.append(row)
            label = {"pwl": "interpolated table", "table": "table",
                     "shift": "Mitchell shift"}[method]
            print(f"| {fmt} | {label} | {row['entries'] or '-'} | {100 * agree:.1f} % | "
                  f"{row['spikes']} {cost}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
