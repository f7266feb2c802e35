"""The engine against Brian2, snnTorch and Norse, same workloads, one thread.

``make bench`` creates the peers' own virtual environments under ``build/peers`` (Brian2
2.9 needs numpy < 2; snnTorch and Norse run on the CPU build of torch) and then runs
this script in the project's environment. Each peer runs in a subprocess of its own
environment (``docs/scripts/peer_bench.py``); the engine runs here. The table goes to
stdout and, between markers, into ``docs/benchmarks.md``.

Usage: ``python docs/scripts/bench_compare.py [--quick] [--no-write]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

from neurocore_hw.bench import bench_model
from neurocore_hw.registry import resolve_params

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / "build" / "peers"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- peers:begin -->", "<!-- peers:end -->"
#: (table name, engine model, engine preset, peers)
WORKLOADS = [
    ("LIF", "lif", "sc_lif_q8_8", ["brian2-numpy", "brian2-cpp", "snntorch", "norse"]),
    ("Izhikevich rs", "izhikevich", "rs", ["brian2-numpy", "brian2-cpp"]),
]
#: The families (issue 18): the default preset of each against Brian2 C++ and the torch
#: peers that have the neuron (``--families``; Brian2's numpy target is left out: it is
#: 10-30x behind on LIF and Izhikevich, never the fastest peer).
#: The engine's input codes are the peers' real ranges (peer_bench.py), inclusive.
FAMILY_WORKLOADS = [
    ("IF", "if", "q8_8", ["brian2-cpp", "snntorch", "norse"], (0, 63)),
    ("LI", "li", "q8_8", ["brian2-cpp", "snntorch", "norse"], (0, 511)),
    ("shift-leak LIF", "shift_lif", "xylo16", ["brian2-cpp", "snntorch", "norse"], (-64, 256)),
    ("CuBa LIF", "cuba_lif", "loihi", ["brian2-cpp", "snntorch", "norse"], (-1, 4)),
    ("ALIF", "alif", "lsnn", ["brian2-cpp", "norse"], (0, 511)),
    ("homeostatic LIF", "homeostatic_lif", "q8_8", ["brian2-cpp"], (0, 511)),
]
FAMILY_BEGIN, FAMILY_END = "<!-- families:begin -->", "<!-- families:end -->"
ENVS = {"brian2-numpy": "brian2", "brian2-cpp": "brian2", "snntorch": "torch",
        "norse": "torch"}


def _sizes(quick: bool) -> list[tuple[int, int]]:
    if quick:
        return [(1_000, 200), (100_000, 100)]
    return [(1_000, 1_000), (100_000, 1_000), (1_000_000, 200)]


def _peer(peer: str, model: str, n: int, steps: int) -> dict | None:
    """One run of ``peer`` in its own environment; None if it is not installed or fails."""
    python = PEERS / ENVS[peer] / "bin" / "python"
    if not python.exists():
        return None
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    proc = subprocess.run([str(python), str(Path(__file__).with_name("peer_bench.py")),
                           peer, model, str(n), str(steps)], capture_output=True,
                          text=True, env=env, check=False, cwd=str(ROOT / "build"))
    if proc.returncode != 0:
        print(f"{peer} {model} N={n} failed:\n{proc.stderr[-1500:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


#: Interleaved measurement rounds per workload and size.
ROUNDS = 3


def _median(values: list[float]) -> float:
    return float(np.median(values))


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        caches = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        cache = ", ".join(line.split(":")[0].strip() + " " + line.split(":")[1].strip()
                          for line in caches.splitlines() if "cache" in line.lower())
    except OSError:
        cache = "?"
    return f"{cpu}; {cache}; Python {platform.python_version()}, NumPy {np.__version__}"


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write it into docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--families", action="store_true",
                        help="the families' table (IF, LI, shift-leak, CuBa, ALIF, "
                             "homeostatic) instead of LIF and Izhikevich")
    args = parser.parse_args(argv)
    rows, versions = [], {}
    workloads = FAMILY_WORKLOADS if args.families else WORKLOADS
    begin, end = (FAMILY_BEGIN, FAMILY_END) if args.families else (BEGIN, END)
    for label, model, preset, peers, *codes in workloads:
        params = resolve_params(model, preset)
        for n, steps in _sizes(args.quick):
            # interleaved rounds: this shared machine's speed drifts by 2x within minutes,
            # so each round times the engine and every peer back to back, and the ratio
            # reported is the median of the per-round ratios
            rounds = {"ours": []} | {peer: [] for peer in peers}
            for _ in range(ROUNDS):
                rounds["ours"].append(bench_model(params, n, steps, repeats=1,
                                                  input_range=codes[0] if codes else None))
                for peer in peers:
                    r = _peer(peer, model, n, steps)
                    if r is not None:
                        rounds[peer].append(r)
                        versions[peer] = r["version"] + (f" (torch {r['torch']})"
                                                         if "torch" in r else "")
            ours = rounds["ours"]
            row = {"workload": label, "neurons": n, "steps": steps,
                   "ours_updates_per_s": _median([r["updates_per_s"] for r in ours]),
                   "ours_us_per_step": _median([r["us_per_step"] for r in ours]),
                   "ours_spikes": ours[0]["spikes"], "peers": {}}
            for peer in peers:
                runs = rounds[peer]
                if len(runs) != len(ours):
                    continue
                row["peers"][peer] = {
                    "updates_per_s": _median([r["updates_per_s"] for r in runs]),
                    "us_per_step": _median([r["us_per_step"] for r in runs]),
                    "spikes": runs[0]["spikes"],
                    "rounds": [a["updates_per_s"] / b["updates_per_s"]
                               for a, b in zip(ours, runs)]}
                row["peers"][peer]["ratio"] = _median(row["peers"][peer]["rounds"])
            rows.append(row)
            print(json.dumps(row), flush=True)
    table = _render(rows, versions, args.quick, args.families)
    print(table)
    if not args.no_write:
        text = DOC.read_text()
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            text = head + begin + "\n" + table + end + rest.split(end, 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n" + begin + "\n" + table + end + "\n"
        DOC.write_text(text)
        print(f"wrote {DOC}")
    return 0


def _render(rows: list[dict], versions: dict[str, str], quick: bool, families: bool) -> str:
    peers = sorted({p for r in rows for p in r["peers"]})
    lines = [
        "Measured by `make bench` (`python docs/scripts/bench_compare.py"
        + (" --quick" if quick else "") + (" --families" if families else "")
        + "`), one thread (OMP/BLAS threads 1). Three",
        "interleaved rounds (the engine, then each peer, back to back); medians over the",
        "rounds. M = million neuron updates per second; us = microseconds per step;",
        "x = median over the rounds of (our rate / the peer's rate in the same round); the",
        "per-round ratios in brackets. Each peer at its own defaults (peer_bench.py).",
        "",
        f"Machine: {_machine()}.",
        "Peers: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) + ".",
        "",
        "| workload | N | T | neurocore-hw M (us) | "
        + " | ".join(f"{p} M (us), x" for p in peers) + " |",
        "|---|---|---|---|" + "---|" * len(peers),
    ]
    for r in rows:
        cells = []
        for p in peers:
            q = r["peers"].get(p)
            cells.append("-" if q is None else
                         f"{q['updates_per_s'] / 1e6:,.0f} ({q['us_per_step']:,.1f}), "
                         f"{q['ratio']:.2f}x ["
                         + ", ".join(f"{x:.2f}" for x in q["rounds"]) + "]")
        lines.append(f"| {r['workload']} | {r['neurons']:,} | {r['steps']:,} | "
                     f"{r['ours_updates_per_s'] / 1e6:,.0f} ({r['ours_us_per_step']:,.1f}) | "
                     + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Spike totals (sanity: similar dynamics): " + "; ".join(
        f"{r['workload']} N={r['neurons']:,}: ours {r['ours_spikes']:,}, "
        + ", ".join(f"{p} {q['spikes']:,}" for p, q in r["peers"].items())
        for r in rows) + ".")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
