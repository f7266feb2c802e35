"""The Braille networks on population cores: bit-exact co-simulation over many samples,
clocks per timestep, resources and Fmax.

Run: ``.venv/bin/python docs/scripts/nir_cores.py [--samples 20] [--pnr]``. Both Braille
graphs are quantized for the core (8-bit weights, ``max_shift=0``: the bias is a weight
row), each layer becomes a :class:`~rtl_gen.core.NeuronCore`, and every sample (Poisson,
per channel a rate in 2-20 %, T = 256) runs through the chain under Verilator with every
output event and state word compared. Prints Markdown tables (one JSON line per sample on
stderr as it goes).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from amaranth.back import verilog

from neurocore_hw.layered import core_layers
from neurocore_hw.nir import load_graph, quantize_network
from rtl_gen.core import ram_plan, strip_weight_init
from rtl_gen.harness import CoreHarness
from rtl_gen.synth import place_and_route
from rtl_gen.verify.layered import run_layered_cosim

__all__ = ["main"]

SHARED = Path(__file__).resolve().parents[3] / "shared" / "nir"
GRAPHS = (("braille_noDelay_bias_zero", "zero"), ("braille_noDelay_noBias_subtract",
                                                  "subtract"))


def network(name: str, reset: str, bits: int = 8):
    return quantize_network(load_graph(SHARED / f"{name}.nir"), dt=1e-4, reset=reset,
                            weight_width=bits, max_shift=0)


def cosim(samples: int) -> None:
    print("| graph | samples | bit-exact | input events | output events (both layers) | "
          "clocks per sample (both cores, Verilator) |")
    print("|---|---|---|---|---|---|")
    for name, reset in GRAPHS:
        net = network(name, reset)
        rng = np.random.default_rng(7)
        passed, ev_in, ev_out, clocks = 0, [], [], []
        for s in range(samples):
            x = (rng.random((256, 12)) < rng.uniform(0.02, 0.2, 12)).astype(np.uint8)
            t0 = time.perf_counter()
            res = run_layered_cosim(net, x, seed=s)
            passed += res.passed
            ev_in.append(sum(r.events_in for r in res.layers))
            ev_out.append(sum(r.events_out for r in res.layers))
            clocks.append(res.cycles)
            print(json.dumps({"graph": name, "sample": s, "passed": res.passed,
                              "seconds": round(time.perf_counter() - t0, 1),
                              "mismatch": [r.first_mismatch for r in res.layers]}),
                  file=sys.stderr, flush=True)
        print(f"| {name} | {samples} | {passed}/{samples} | {int(np.mean(ev_in))} mean | "
              f"{int(np.mean(ev_out))} mean | {int(np.mean(clocks))} mean |")


def pnr() -> None:
    print("\n| graph | layer | neurons x rows | device | logic cells | block RAM | "
          "Fmax MHz (seeds 1, 2) |")
    print("|---|---|---|---|---|---|---|")
    for name, reset in GRAPHS:
        for layer, core in zip(network(name, reset).layers, core_layers(network(name, reset))):
            text = strip_weight_init(verilog.convert(CoreHarness(config=core.config),
                                                     name="core_harness", emit_src=False))
            for device in ("up5k", "ecp5-25k"):
                plan = ram_plan(core.config, device)
                reps = [place_and_route(text, "core_harness", device, seed=seed,
                                        target_mhz=30.0) for seed in (1, 2)]
                util = reps[0].utilization
                cells = next(f"{util[k][0]}/{util[k][1]}" for k in
                             ("ICESTORM_LC", "TRELLIS_COMB") if k in util)
                fmax = ", ".join(f"{r.fmax_mhz:.1f}" for r in reps)
                print(f"| {name} | {layer.name} | {core.config.neurons} x "
                      f"{core.config.rows} | {device} | {cells} | {plan['ebr']} | {fmax} |",
                      flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--pnr", action="store_true", help="also place and route")
    args = parser.parse_args()
    cosim(args.samples)
    if args.pnr:
        pnr()


if __name__ == "__main__":
    main()
