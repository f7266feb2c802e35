"""Give the undecided mutants of a ``neurocore-hw mutants --json`` report more Yosys time.

``make mutants`` bounds each Yosys check at ``EQUIV_SECONDS`` (15 s) so that a whole run
fits an afternoon; the flat SAT miter of a unit with wide products (Izhikevich) can need
longer. This re-runs the three checks (:func:`rtl_gen.verify.mutation._classify`) on every
``undecided`` mutant with ``--seconds`` per check and writes the report back with the new
verdicts (``equivalent``, ``equivalent-reset``, ``survived`` or still ``undecided``):

    .venv/bin/python docs/scripts/mutants_recheck.py build/mutants-izh.json --seconds 120 \\
        -o build/mutants-izh-recheck.json
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import rtl_gen.verify.mutation as mutation
from neurocore_hw.registry import resolve_params
from rtl_gen.emit import emit_verilog, top_name
from rtl_gen.verify.mutation import MutationReport


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", help="JSON file of `mutants --json`")
    parser.add_argument("--seconds", type=float, default=120.0,
                        help="seconds per Yosys check (default: 120)")
    parser.add_argument("--jobs", type=int, default=2, help="checks at a time (default: 2)")
    parser.add_argument("-o", "--output", required=True, help="JSON file to write")
    args = parser.parse_args()
    mutation.EQUIV_SECONDS = args.seconds
    out = []
    for data in json.loads(Path(args.report).read_text()):
        report = MutationReport.from_dict(data)
        params = resolve_params(report.model, report.preset)
        verilog = emit_verilog(params, report.variant)
        top = top_name(report.model, report.variant)
        todo = [m for m in report.mutants if report.outcomes[m.index] == "undecided"]
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            jobs = {pool.submit(mutation._classify, verilog, m, top): m for m in todo}
            for done in as_completed(jobs):  # written after each, so a stopped run keeps
                m = jobs[done]                # what it settled
                report.outcomes[m.index] = done.result()
                print(f"  {m.describe()}: {report.outcomes[m.index]}", flush=True)
                Path(args.output).write_text(json.dumps([*out, report.to_dict()], indent=1))
        verdicts = [report.outcomes[m.index] for m in todo]
        report.seconds += time.perf_counter() - t0
        counts = {v: verdicts.count(v) for v in set(verdicts)}
        print(f"{report.model} {report.variant or ''}: {len(todo)} undecided -> {counts}; "
              f"kill rate {100 * report.kill_rate:.1f} %", flush=True)
        out.append(report.to_dict())
    Path(args.output).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
