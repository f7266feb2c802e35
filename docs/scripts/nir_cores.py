"""The Braille networks on chained population cores: bit-exact co-simulation over many
samples, clocks per timestep, resources and Fmax.

Run: ``.venv/bin/python docs/scripts/nir_cores.py [--samples 20] [--pnr] [--weight-width
8] [--max-shift 16]``. Both Braille graphs are quantized as ``nir quantize`` does (8-bit
weights; by default a shift per layer, carried out by the core's input shift, the bias in
its bias registers; ``--max-shift 0``: no shift, the bias a weight row); each layer
becomes a :class:`~rtl_gen.core.NeuronCore` in one :class:`~rtl_gen.chain.CoreChain`;
every sample (Poisson, per channel a rate in 2-20 %, T = 256) runs through the whole chain
under Verilator with the output events and every core's final state compared (and, as a
finer check, through each core on its own). Clocks per timestep: (clocks of T = 256 -
clocks of T = 1) / 255 on the chain, the program's weight loading cancelled. Prints
Markdown tables (a JSON line per sample on stderr).
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
from rtl_gen.chain import CoreChain
from rtl_gen.core import ram_plan, strip_weight_init
from rtl_gen.harness import CoreHarness
from rtl_gen.synth import place_and_route
from rtl_gen.verify.layered import run_chain_cosim, run_layered_cosim

__all__ = ["main"]

SHARED = Path(__file__).resolve().parents[3] / "shared" / "nir"
GRAPHS = (("braille_noDelay_bias_zero", "zero"), ("braille_noDelay_noBias_subtract",
                                                  "subtract"))


def network(name: str, reset: str, bits: int, max_shift: int):
    return quantize_network(load_graph(SHARED / f"{name}.nir"), dt=1e-4, reset=reset,
                            weight_width=bits, max_shift=max_shift)


def cosim(samples: int, bits: int, max_shift: int) -> None:
    print("| graph | samples | chain bit-exact | each core bit-exact | input events | "
          "output events | clocks per timestep (chain) |")
    print("|---|---|---|---|---|---|---|")
    for name, reset in GRAPHS:
        net = network(name, reset, bits, max_shift)
        rng = np.random.default_rng(7)
        chain_ok, cores_ok, ev_in, ev_out, per_step = 0, 0, [], [], []
        for s in range(samples):
            x = (rng.random((256, 12)) < rng.uniform(0.02, 0.2, 12)).astype(np.uint8)
            t0 = time.perf_counter()
            res = run_chain_cosim(net, x, stall=32)
            one = run_chain_cosim(net, x[:1], stall=32)
            each = run_layered_cosim(net, x, seed=s)
            chain_ok += res.passed and one.passed
            cores_ok += each.passed
            ev_in.append(res.events_in)
            ev_out.append(res.events_out)
            per_step.append((res.cycles - one.cycles) / 255)
            print(json.dumps({"graph": name, "sample": s, "chain": res.passed,
                              "cores": each.passed, "clocks_per_step": per_step[-1],
                              "seconds": round(time.perf_counter() - t0, 1),
                              "mismatch": res.first_mismatch}), file=sys.stderr, flush=True)
        print(f"| {name} | {samples} | {chain_ok}/{samples} | {cores_ok}/{samples} | "
              f"{np.mean(ev_in):.0f} mean | {np.mean(ev_out):.0f} mean | "
              f"{np.mean(per_step):.0f} mean, {min(per_step):.0f}-{max(per_step):.0f} |")


def pnr(bits: int, max_shift: int) -> None:
    print("\n| graph | design | device | logic cells | block RAM (planned) | "
          "Fmax MHz (seeds 1, 2) |")
    print("|---|---|---|---|---|---|")
    for name, reset in GRAPHS:
        cores = core_layers(network(name, reset, bits, max_shift))
        chain = CoreChain(layers=[(c.config, c.has_bias) for c in cores])
        text = strip_weight_init(verilog.convert(CoreHarness(core=chain), name="core_harness",
                                                 emit_src=False), cores=len(cores))
        for device in ("up5k", "ecp5-25k"):
            planned = sum(ram_plan(c.config, device)["ebr"] for c in cores)
            reps = [place_and_route(text, "core_harness", device, seed=seed,
                                    target_mhz=30.0) for seed in (1, 2)]
            util = reps[0].utilization
            cells = next(f"{util[k][0]}/{util[k][1]}" for k in
                         ("ICESTORM_LC", "TRELLIS_COMB") if k in util)
            ram = next((f"{util[k][0]}/{util[k][1]}" for k in ("ICESTORM_RAM", "DP16KD")
                        if k in util), "0")
            fmax = ", ".join(f"{r.fmax_mhz:.1f}" for r in reps)
            print(f"| {name} | chain of {len(cores)} cores | {device} | {cells} | {ram} "
                  f"({planned}) | {fmax} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--pnr", action="store_true", help="also place and route")
    parser.add_argument("--weight-width", type=int, default=8)
    parser.add_argument("--max-shift", type=int, default=16)
    args = parser.parse_args()
    cosim(args.samples, args.weight_width, args.max_shift)
    if args.pnr:
        pnr(args.weight_width, args.max_shift)


if __name__ == "__main__":
    main()
