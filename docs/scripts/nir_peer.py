"""Run a NIR graph in Norse (``norse.torch.from_nir``): the peer side of nir_study.py.

Runs in the peers' torch environment (``build/peers/torch``, never the project venv):
``build/peers/torch/bin/python docs/scripts/nir_peer.py GRAPH.nir IN.npz OUT.npz --dt 1e-4``.
IN.npz holds ``input`` [T, B, C]; OUT.npz gets ``output`` [T, B, n_out] (0/1, Norse's
float32 run, one thread) and ``seconds`` (median of ``--repeats`` timed runs of the whole
[T, B] batch, state carried step by step as Norse's graph executor expects).
"""

from __future__ import annotations

import argparse
import statistics
import time

import nir
import norse.torch as norse
import numpy as np
import torch


def run(model, x: torch.Tensor) -> torch.Tensor:
    state, outs = None, []
    with torch.no_grad():
        for t in range(x.shape[0]):
            out, state = model(x[t], state)
            outs.append(out)
    return torch.stack(outs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph")
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--dt", type=float, required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    model = norse.from_nir(nir.read(args.graph), dt=args.dt)
    x = torch.from_numpy(np.load(args.input)["input"].astype(np.float32))
    times, out = [], None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        out = run(model, x)
        times.append(time.perf_counter() - t0)
    np.savez(args.output, output=out.numpy().astype(np.uint8),
             seconds=statistics.median(times))


if __name__ == "__main__":
    main()
