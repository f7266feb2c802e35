"""exp() in fixed point: what each implementation keeps and what it costs.

Run: ``.venv/bin/python docs/scripts/exp_study.py`` (in ``make docs``). Prints Markdown.
The format is the exponential term of AdEx / ExpIF with Brette and Gerstner's constants
(``x = (v - v_T) / Delta_T`` with ``v_T = -50.4 mV``, ``Delta_T = 2 mV``): input
``Q(12, 8)`` (``x`` in [-8, 8)), output ``Q(16, 8)``; the reachable range is ``x`` in
[-8, 5] (the membrane is reset at ``v_peak = v_T + 5 Delta_T``; below -8 the term is
under 1/2900 of its value at threshold). For each method and table size: the error
against float64 ``exp`` on every input code of that range
(:func:`neurocore_hw.fixed_exp.exp_error`), and Yosys' cells for iCE40 and ECP5 of the
combinational unit (:class:`rtl_gen.fixed_exp.FixedExp`).
"""

from __future__ import annotations

import sys

from neurocore_hw.fixed_exp import ExpParams, exp_error
from rtl_gen.fixed_exp import emit_fixed_exp
from rtl_gen.synth import synthesize

CASES = [("table", 2), ("table", 4), ("table", 6), ("table", 8), ("pwl", 2), ("pwl", 4),
         ("pwl", 6), ("shift", 1)]


def main() -> int:
    print("Input Q(12, 8), output Q(16, 8), x in [-8, 5] (3,329 codes).\n")
    print("| method | table entries | max relative error (y >= 1) | mean relative error | "
          "max error below 1.0 (LSB) | iCE40 LUT / carry | ECP5 LUT / carry / DSP |")
    print("|---|---|---|---|---|---|---|")
    for method, bits in CASES:
        p = ExpParams(in_width=12, in_frac=8, out_width=16, out_frac=8, method=method,
                      table_bits=bits)
        e = exp_error(p, lo=-8.0, hi=5.0)
        text = emit_fixed_exp(p)
        ice, ecp = (synthesize(text, "neurocore_fixed_exp", t) for t in ("ice40", "ecp5"))
        print(f"| {method} | {p.table_entries} | {100 * e['max_rel']:.2f} % | "
              f"{100 * e['mean_rel']:.3f} % | {e['max_lsb']:.2f} | {ice.lut} / {ice.carry} | "
              f"{ecp.lut} / {ecp.carry} / {ecp.dsp} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
