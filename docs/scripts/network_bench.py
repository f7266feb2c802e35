"""The population core's golden model batched over samples against Brian2 and snnTorch.

Run: ``.venv/bin/python docs/scripts/network_bench.py [--rounds 3] [--batch 64]`` (``make
peers`` first). The workload of issue 18: 1,024 LIF neurons (``sc_lif_q8_8`` with gain 1,
8-bit dense weights), 128 inputs spiking at 10 %, B = 64 samples, T = 1,000 steps, one
thread. neurocore-hw: :func:`neurocore_hw.network.run_network_batch` (bit-true: equal to
``run_network`` on every sample, ``tests/test_network.py``). The peers run the same
network in their own environments (``docs/scripts/network_peer.py``), timed inside their
process (the simulation loop alone). Rounds interleave ours and the peers'; prints
Markdown with per-round ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from neurocore_hw.network import CoreConfig, run_network_batch
from neurocore_hw.registry import resolve_params

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[2]
PEERS = {"brian2-cpp": ROOT / "build" / "peers" / "brian2" / "bin" / "python",
         "snntorch": ROOT / "build" / "peers" / "torch" / "bin" / "python"}


def workload(batch: int, steps: int = 1000, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = (rng.random((steps, batch, 128)) < 0.1).astype(np.uint8)
    w = rng.integers(-128, 128, (128, 1024)).astype(np.int8)  # ~7 % of neuron-steps spike
    return x, w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    x, w = workload(args.batch)
    config = CoreConfig(params=resolve_params("lif", "sc_lif_q8_8", {"gain_k": 256}),
                        neurons=1024, inputs=128, weight_width=8)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    rows = {"neurocore-hw": [], **{p: [] for p, exe in PEERS.items() if exe.exists()}}
    spikes = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.npz"
        np.savez(path, x=x, w=w)
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            res = run_network_batch(config, w.astype(np.int64), x)
            rows["neurocore-hw"].append(time.perf_counter() - t0)
            spikes["neurocore-hw"] = int(res.spikes.sum())
            for peer in rows:
                if peer == "neurocore-hw":
                    continue
                out = subprocess.run([str(PEERS[peer]), str(ROOT / "docs" / "scripts" /
                                                            "network_peer.py"), peer,
                                      str(path)], check=True, capture_output=True,
                                     text=True, env=env, cwd=tmp)
                line = json.loads(out.stdout.strip().splitlines()[-1])
                rows[peer].append(line["seconds"])
                spikes[peer] = line["spikes"]
    ours = rows["neurocore-hw"]
    fastest = [min(rows[p][k] for p in rows if p != "neurocore-hw") for k in range(len(ours))]
    print(f"| simulator | seconds per round ({args.batch} x 1,024 neurons, 1,000 steps) | "
          "spikes | peer / this, per round |")
    print("|---|---|---|---|")
    for peer, times in rows.items():
        ratio = "-" if peer == "neurocore-hw" else ", ".join(
            f"{t / o:.2f}" for t, o in zip(times, ours))
        print(f"| {peer} | {', '.join(f'{t:.3f}' for t in times)} | {spikes[peer]} | "
              f"{ratio} |")
    if len(rows) > 1:
        per_round = [f / o for f, o in zip(fastest, ours)]
        print(f"\nAgainst the fastest peer each round: {', '.join(f'{r:.2f}' for r in per_round)}"
              f"x (median {statistics.median(per_round):.2f}x)")


if __name__ == "__main__":
    main()
