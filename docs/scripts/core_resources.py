"""Measure the population core: Yosys cells and nextpnr Fmax per size and device.

Usage: ``python docs/scripts/core_resources.py OUT.json [--seeds S]``. Each design is the
core inside :class:`rtl_gen.harness.CoreHarness` (serial I/O, 14 pins), synthesized with
``synth_ice40 -dsp -spram`` (UP5K) or ``synth_ecp5`` and placed and routed by nextpnr;
sizes whose memories do not fit the device (:func:`rtl_gen.core.ram_plan`) are skipped.
Results go to OUT.json (one record per design and seed); ``--table`` prints the
Markdown table of ``docs/core.md`` from it.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from amaranth.back import verilog

from neurocore_hw.network import CoreConfig
from neurocore_hw.registry import resolve_params
from rtl_gen.core import ram_plan, strip_weight_init
from rtl_gen.harness import CoreHarness
from rtl_gen.synth import place_and_route

__all__ = ["DESIGNS", "measure", "table"]

#: (label, model, preset, neurons, inputs, recurrent, weight_width, pipelined levels or 0)
DESIGNS = [
    ("lif-64-rec", "lif", "sc_lif_q8_8", 64, 32, True, 8, 0),
    ("lif-64-rec-pipe1", "lif", "sc_lif_q8_8", 64, 32, True, 8, 1),
    ("lif-256-rec", "lif", "sc_lif_q8_8", 256, 64, True, 8, 0),
    ("lif-256-rec-pipe1", "lif", "sc_lif_q8_8", 256, 64, True, 8, 1),
    ("lif-1024-ff", "lif", "sc_lif_q8_8", 1024, 128, False, 8, 0),
    ("lif-1024-ff-pipe2", "lif", "sc_lif_q8_8", 1024, 128, False, 8, 2),
    ("lif-1024-ff-pipe1", "lif", "sc_lif_q8_8", 1024, 128, False, 8, 1),
    ("lif-2048-ff-pipe1", "lif", "sc_lif_q8_8", 2048, 64, False, 8, 1),
    ("izhikevich-256-rec", "izhikevich", None, 256, 64, True, 8, 0),
    ("izhikevich-256-rec-pipe2", "izhikevich", None, 256, 64, True, 8, 2),
]
DEVICES = ("up5k", "ecp5-25k")


def measure(job) -> dict:
    """Place and route one design on one device with one seed."""
    label, model, preset, n, inputs, rec, ww, levels, device, seed = job
    config = CoreConfig(params=resolve_params(model, preset), neurons=n, inputs=inputs,
                        recurrent=rec, weight_width=ww)
    plan = ram_plan(config, device)
    harness = CoreHarness(config=config, pipelined=levels > 0, levels=max(levels, 1))
    text = strip_weight_init(verilog.convert(harness, name="core_harness", emit_src=False))
    t0 = time.perf_counter()
    rep = place_and_route(text, "core_harness", device, seed=seed, target_mhz=30.0,
                          synth_options="-spram" if device == "up5k" else "")
    return {"label": label, "model": model, "neurons": n, "inputs": inputs,
            "recurrent": rec, "weight_width": ww, "pipelined_levels": levels,
            "device": device, "seed": seed,
            "fmax_mhz": rep.fmax_mhz, "utilization": rep.utilization,
            "plan": {"ebr": plan["ebr"], "spram": plan["spram"]},
            "seconds": time.perf_counter() - t0}


def table(records: list[dict]) -> str:
    """Markdown table: one row per design and device, Fmax over the seeds."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for rec in records:
        groups.setdefault((rec["label"], rec["device"]), []).append(rec)
    lines = ["| design | device | logic cells | block RAM | SPRAM | DSP | Fmax MHz (seeds) |",
             "|---|---|---|---|---|---|---|"]
    for (label, device), recs in groups.items():
        util = recs[0]["utilization"]

        def used(*names, util=util):
            return next((f"{util[k][0]}/{util[k][1]}" for k in names if k in util), "0")

        fmax = sorted(r["fmax_mhz"] for r in recs)
        lines.append(f"| {label} | {device} | {used('ICESTORM_LC', 'TRELLIS_COMB')} | "
                     f"{used('ICESTORM_RAM', 'DP16KD')} | {used('ICESTORM_SPRAM')} | "
                     f"{used('ICESTORM_DSP', 'MULT18X18D')} | "
                     f"{', '.join(f'{f:.1f}' for f in fmax)} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", help="comma-separated labels")
    ap.add_argument("--append", action="store_true", help="add to an existing OUT.json")
    ap.add_argument("--table", action="store_true",
                    help="print the Markdown table of an existing OUT.json and stop")
    args = ap.parse_args()
    if args.table:
        print(table(json.loads(Path(args.out).read_text())))
        return
    jobs = []
    for d in DESIGNS:
        if args.only and d[0] not in args.only.split(","):
            continue
        for device in DEVICES:
            config = CoreConfig(params=resolve_params(d[1], d[2]), neurons=d[3],
                                inputs=d[4], recurrent=d[5], weight_width=d[6])
            if not ram_plan(config, device)["fits"]:
                print(f"skip {d[0]} on {device}: memories do not fit", flush=True)
                continue
            jobs += [(*d, device, seed) for seed in range(1, args.seeds + 1)]
    records = json.loads(Path(args.out).read_text()) if args.append else []
    with ProcessPoolExecutor(args.jobs) as pool:
        for rec in pool.map(measure, jobs):
            print(json.dumps(rec), flush=True)
            records.append(rec)
    Path(args.out).write_text(json.dumps(records, indent=1))


if __name__ == "__main__":
    main()
