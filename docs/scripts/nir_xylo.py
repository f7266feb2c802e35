"""The Braille noBias_subtract graph on Xylo's arithmetic: what the chip's number formats
keep of the float network's decisions.

Run: ``.venv/bin/python docs/scripts/nir_xylo.py [--samples 1000] [--core K]``. Prints
Markdown. With ``--core K`` it also runs the threshold-4096 network on the hardware: the
two population cores with Xylo's synapses (``XyloNetwork.cores``), whose golden models
are checked equal to the Xylo network on every sample, the first ``K`` samples
co-simulated through the Verilog chain under Verilator, and the chain synthesized for
iCE40 and ECP5 (placed and routed on the ECP5 25k).
Inputs as ``nir_study.py``: random Poisson spike trains (per sample and channel a rate
uniform in 2-20 %, T = 256); the decision is the output class with the most spikes. For
each integer threshold (the scale of both populations) the graph is quantized by
:func:`neurocore_hw.nir.xylo.quantize_xylo` and run bit-true by
:class:`neurocore_hw.xylo_network.XyloNetwork` (XyloSim's semantics); its decisions are
compared with the float64 reference's (reset by subtraction, the graph's training).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nir_study import SHARED, decision, poisson  # noqa: E402

from neurocore_hw.nir import load_graph, simulate_float  # noqa: E402
from neurocore_hw.nir.xylo import quantize_xylo  # noqa: E402

GRAPH = "braille_noDelay_noBias_subtract"


def xylo_structure(spec, x, *, decays: bool, delay: bool, multi: bool) -> np.ndarray:
    """The graph in float64 with some of Xylo's structure: decays rounded to powers of two,
    hidden spikes reaching the output a step later, up to 31 hidden spikes per step.
    Returns the output spikes [T, B, n] (with none of the three: the float reference)."""
    hid, out = spec.layers
    steps, batch, _ = x.shape

    def rate(layer, key):
        r = 1e-4 / layer.params[key][0]
        return 2.0 ** -round(-np.log2(r)) if decays else r

    def gain(layer):  # NIR's a w_in (per unit of W x) and b r (per unit of I)
        p = layer.params
        return 1e-4 / p["tau_syn"][0] * p["w_in"][0] * 1e-4 / p["tau_mem"][0] * p["r"][0]

    a_h, b_h, a_o, b_o = (rate(hid, "tau_syn"), rate(hid, "tau_mem"), rate(out, "tau_syn"),
                          rate(out, "tau_mem"))
    i_h, v_h, s_h = (np.zeros((batch, hid.size)) for _ in range(3))
    i_o, v_o = np.zeros((batch, out.size)), np.zeros((batch, out.size))
    spikes = np.zeros((steps, batch, out.size))
    for t in range(steps):
        i_h = (1 - a_h) * i_h + gain(hid) * (x[t] @ hid.weight.T + s_h @ hid.rec_weight.T)
        v_h = (1 - b_h) * v_h + i_h
        fired = v_h > 1
        count = np.where(fired, np.minimum(31, np.floor(v_h)) if multi else 1, 0)
        v_h = v_h - count
        i_o = (1 - a_o) * i_o + gain(out) * ((s_h if delay else count) @ out.weight.T)
        v_o = (1 - b_o) * v_o + i_o
        spikes[t] = v_o > 1
        v_o = v_o - spikes[t]
        s_h = count
    return spikes


def on_cores(spec, x, want, cosim: int) -> None:
    """The threshold-4096 network on two Xylo cores: golden cores on every sample, the
    RTL chain on the first ``cosim``, its synthesis."""
    import time

    from rtl_gen.synth import place_and_route, synthesize
    from rtl_gen.verify.xylo_chain import emit_xylo_chain, golden_xylo_cores, run_xylo_chain_cosim

    net, _ = quantize_xylo(spec, dt=1e-4, threshold=4096)
    n_out = net.shape[2]
    got = []
    t0 = time.perf_counter()
    for b in range(x.shape[1]):
        _, output = golden_xylo_cores(net, x[:, b].astype(np.int64))
        counts = np.zeros((x.shape[0], n_out), np.int64)
        real = output.aer[output.aer[:, 1] < n_out]
        counts[real[:, 0], real[:, 1]] = real[:, 2]
        got.append(counts.sum(axis=0).argmax())
    print(f"\nOn two population cores with Xylo's synapses (threshold 4096): the cores' "
          f"golden models equal the Xylo network on all {x.shape[1]} samples (every spike "
          f"count of both populations; {time.perf_counter() - t0:.0f} s); decisions equal "
          f"to float: {100 * np.mean(np.array(got) == want):.1f} %.")
    cycles = []
    for b in range(cosim):
        res = run_xylo_chain_cosim(net, x[:, b].astype(np.int64), stall=0)
        if not res.passed:
            raise SystemExit(f"sample {b}: {res.first_mismatch}")
        cycles.append(res.cycles / x.shape[0])
        print(f"- sample {b}: bit-exact, {res.events_in} input events, {res.events_out} "
              f"output events, {res.cycles} clocks", flush=True)
    if cosim:
        print(f"\nRTL chain under Verilator: {cosim} samples x {x.shape[0]} steps bit-exact "
              f"(every output event and both cores' final registers); about "
              f"{np.median(cycles):.0f} clocks per timestep, host program included.")
    text = emit_xylo_chain(net)
    for target in ("ice40", "ecp5"):
        r = synthesize(text, "neurocore_chain", target)
        print(f"- {target}: {r.lut} LUT, {r.ff} FF, {r.carry} carry, {r.bram} block RAM, "
              f"{r.dsp} DSP")
    p = place_and_route(text, "neurocore_chain", "ecp5-25k", target_mhz=25.0)
    print(f"- ECP5 25k placed and routed: Fmax {p.fmax_mhz:.1f} MHz; " + ", ".join(
        f"{k} {u}/{a}" for k, (u, a) in sorted(p.utilization.items())))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=1000, help="Poisson samples (default 1000)")
    ap.add_argument("--core", type=int, default=None, metavar="K",
                    help="also run the network on two Xylo cores and co-simulate K samples")
    args = ap.parse_args(argv)
    spec = load_graph(SHARED / f"{GRAPH}.nir")
    x = poisson(args.samples)
    ref = simulate_float(spec, x, dt=1e-4, reset="subtract")
    want = decision(ref["output"])
    ref_hidden = float(ref[spec.layers[0].name].sum(axis=(0, 2)).mean())
    print(f"{GRAPH}, {args.samples} Poisson samples x 256 steps; float reference: "
          f"{ref_hidden:.1f} hidden spikes per sample\n")
    print("| threshold | shifts in / rec / out | weights rounded to 0 | weights clipped | "
          "decisions equal to float | hidden spikes per sample | hidden steps with > 1 "
          "spike |")
    print("|---|---|---|---|---|---|---|")
    report = None
    for threshold in (256, 1024, 4096, 16384):
        net, report = quantize_xylo(spec, dt=1e-4, threshold=threshold)
        run = net.run(x.astype(np.int64))
        got = decision(run.output)
        zero = ", ".join(f"{100 * report[f'{g} weights']['zero']:.1f} %"
                         for g in ("in", "rec", "out"))
        clip = ", ".join(f"{100 * report[f'{g} weights']['clipped']:.1f} %"
                         for g in ("in", "rec", "out"))
        multi = float(np.mean(run.hidden > 1) / max(np.mean(run.hidden > 0), 1e-12))
        shifts = f"{net.shift_in} / {net.shift_rec} / {net.shift_out}"
        print(f"| {threshold} | {shifts} | {zero} | {clip} | "
              f"{100 * np.mean(got == want):.1f} % | "
              f"{run.hidden.sum(axis=(0, 2)).mean():.1f} | {100 * multi:.1f} % of firing |")
    print("\nWhich of Xylo's structure costs what, in float64 (the graph's thresholds are 1):\n")
    print("| float64 network | decisions equal to float |")
    print("|---|---|")
    for label, kw in (("the reference, as a check", dict(decays=False, delay=False, multi=False)),
                      ("decays rounded to powers of two", dict(decays=True, delay=False,
                                                               multi=False)),
                      ("hidden spikes reach the output a step later",
                       dict(decays=False, delay=True, multi=False)),
                      ("up to 31 hidden spikes per step", dict(decays=False, delay=False,
                                                              multi=True)),
                      ("all three: Xylo's structure", dict(decays=True, delay=True,
                                                           multi=True)),
                      ("decays and delay, one spike per step", dict(decays=True, delay=True,
                                                                    multi=False))):
        got = decision(xylo_structure(spec, x.astype(np.float64), **kw))
        print(f"| {label} | {100 * np.mean(got == want):.1f} % |")
    print("\nDecays held (graph -> Xylo):")
    for role in ("hidden", "output"):
        r = report[role]
        print(f"- {role}: syn {r['graph_decay_syn']:.4f} -> {r['decay_syn']:.4f} "
              f"(dash {r['dash_syn']}), mem {r['graph_decay_mem']:.4f} -> "
              f"{r['decay_mem']:.4f} (dash {r['dash_mem']})")
    if args.core is not None:
        on_cores(spec, x, want, args.core)
    return 0


if __name__ == "__main__":
    sys.exit(main())
