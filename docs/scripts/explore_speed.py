"""How much a local Dask cluster and the result cache save on a synthesis sweep.

Run: ``.venv/bin/python docs/scripts/explore_speed.py [--rounds 2] [--workers 2]``.

The sweep: 16 LIF points (tau_mem 20 ms, threshold 1.0; formats Q8.4 .. Q23.19), each
synthesized by Yosys for iCE40 and ECP5 and placed and routed by nextpnr on the UP5K:
48 jobs, no fidelity jobs. Each round runs it serially and then on a local cluster of
``--workers`` workers, each with an empty cache (so every job runs), then once more on the
cluster with the warm cache. Times are end to end: preparing the points (emitting each
point's Verilog, itself cached) plus :func:`rtl_gen.explore.explore`, cluster start-up
included. Prints a Markdown table with per-round ratios.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from neurocore_hw.sweep import ResultCache
from rtl_gen.explore import explore, neuron_points

__all__ = ["main"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    def sweep(scheduler, cache):
        t0 = time.perf_counter()
        points = neuron_points("lif", real={"tau_mem": 20.0, "v_threshold": 1.0},
                               formats=[f"Q{w}.{w - 4}" for w in range(8, 24)],
                               targets=["ice40", "ecp5"], devices=["up5k"], fidelity=False,
                               cache=cache)
        results = explore(points, scheduler=scheduler, workers=args.workers, cache=cache,
                          progress=False)
        return results, time.perf_counter() - t0, sum(len(p.jobs) for p in points)

    print("| round | serial s | local cluster s | speed-up | warm-cache re-run s "
          "| re-run / first run |")
    print("|---|---|---|---|---|---|")
    speedups, warm = [], []
    for r in range(1, args.rounds + 1):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            serial, t_serial, jobs = sweep("serial", ResultCache(Path(a)))
            dask, t_dask, _ = sweep("local", ResultCache(Path(b)))
            again, t_warm, _ = sweep("local", ResultCache(Path(b)))
        same = [{k: v for k, v in x.items() if k not in ("seconds", "cached")}
                for x in serial] == [{k: v for k, v in x.items()
                                      if k not in ("seconds", "cached")} for x in dask]
        assert same, "the cluster's results differ from the serial ones"
        assert all(x["cached"] for x in again) and not any(x["failures"] for x in dask)
        speedups.append(t_serial / t_dask)
        warm.append(t_warm / t_dask)
        print(f"| {r} ({jobs} jobs) | {t_serial:.1f} | {t_dask:.1f} | {speedups[-1]:.2f}x "
              f"| {t_warm:.2f} "
              f"| {100 * warm[-1]:.1f} % |")
    print(f"\nmedian speed-up {statistics.median(speedups):.2f}x; warm re-run "
          f"{100 * statistics.median(warm):.1f} % of the first cluster run; serial and "
          "cluster results identical in every round.")


if __name__ == "__main__":
    main()
