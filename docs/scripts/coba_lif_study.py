"""The conductance-based LIF: what each membrane and conductance format keeps.

Run: ``.venv/bin/python docs/scripts/coba_lif_study.py`` (in ``make docs``). Prints
Markdown. Norse's default neuron (the ``norse`` preset's real model, dt 0.1 ms), 16
neurons x 2,000 steps of constant excitatory conductance increments from 0.001 to 0.004
uS per step, quantized to each format: the fraction of the float64 reference's spikes
matched one-to-one within one step -- against the real neuron, and against the
reference run with the quantized constants and inputs (the cost of the state's rounding
alone).
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np

from neurocore_hw.engine import run
from neurocore_hw.fidelity import match_spikes
from neurocore_hw.models import coba_lif
from neurocore_hw.real import Format

#: (membrane format, conductance width, conductance frac)
CASES = [("Q16.7,floor", 16, 16), ("Q16.7,nearest", 16, 16), ("Q16.7,nearest", 18, 18),
         ("Q16.7,nearest", 12, 12), ("Q12.4,nearest", 16, 16), ("Q12.4,nearest", 12, 12),
         ("Q20.11,nearest", 16, 16), ("Q20.11,nearest", 18, 18)]


def main() -> int:
    base = coba_lif.PRESETS["norse"]
    real = coba_lif.CobaLIFReal.from_params(base)
    current = np.broadcast_to(np.linspace(0.001, 0.004, 16), (2000, 16))
    ref = coba_lif.reference(real, current)[0]
    print(f"Reference: {int(ref.sum())} spikes.\n")
    print("| membrane | conductances | matched, real neuron | matched, quantized "
          "constants | spikes |")
    print("|---|---|---|---|---|")
    for fmt, gw, gf in CASES:
        shaped = dataclasses.replace(base, g_width=gw, g_frac=gf, gl_k=0, cm_k=0, syn_e_k=0,
                                     syn_i_k=0)
        p, _ = real.quantize(Format.parse(fmt), shaped)
        codes = np.round(current * (1 << p.g_frac)).astype(np.int64)
        fixed = run(p, {"i_in": codes}).spikes
        quantized = coba_lif.reference(p, codes / (1 << p.g_frac))[0]
        print(f"| {fmt} | unsigned Q{gw}.{gf} | "
              f"{100 * match_spikes(ref, fixed)['matched_fraction']:.1f} % | "
              f"{100 * match_spikes(quantized, fixed)['matched_fraction']:.1f} % | "
              f"{int(fixed.sum())} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
