"""The two fast LIF kernels against each other and against the plain step loop's kernel.

For each population size, ``engine.run`` on the ``sc_lif_q8_8`` preset with the transition
table kernel forced, the arithmetic kernel forced and the general in-place
:class:`~neurocore_hw.models.lif.LIFKernel` (the engine's path for formats above 16
bits), interleaved over rounds in one process; medians of microseconds per step and of the
per-round ratio. Also the one-off cost of building the transition table. This is how
:data:`neurocore_hw.models.lif_fast.TABLE_MAX_NEURONS` was chosen.

Usage: ``OMP_NUM_THREADS=1 python docs/scripts/lif_kernels.py [--rounds R] [--sizes ...]``.
"""

from __future__ import annotations

import argparse
import time
from contextlib import contextmanager

import numpy as np

from neurocore_hw import engine
from neurocore_hw.models import lif, lif_fast

__all__ = ["main"]

PARAMS = lif.PRESETS["sc_lif_q8_8"]


@contextmanager
def _forced(kind: str):
    """Force the ``table`` or the ``arithmetic`` kernel for every block size."""
    saved = lif_fast.TABLE_MAX_NEURONS, engine.BLOCK_NEURONS
    try:
        lif_fast.TABLE_MAX_NEURONS = 10**9 if kind == "table" else 0
        if kind == "table":
            engine.BLOCK_NEURONS = 10**9  # one block of any size
        yield
    finally:
        lif_fast.TABLE_MAX_NEURONS, engine.BLOCK_NEURONS = saved


def _time(kind: str, inputs: dict) -> float:
    """One engine run with ``kind`` (``table``, ``arithmetic`` or ``general``: the
    in-place step kernel, ``fast=False``), in seconds."""
    with _forced(kind):
        t0 = time.perf_counter()
        engine.run(PARAMS, inputs, fast=kind != "general")
        return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    """Print the comparison table (markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[1_000, 3_000, 8_192, 16_384, 32_768, 100_000])
    parser.add_argument("--steps", type=int, default=500)
    args = parser.parse_args(argv)
    for noise in (False, True):
        lif_fast.transition_tables.cache_clear()
        t0 = time.perf_counter()
        tables = lif_fast.transition_tables(PARAMS, noise)
        print(f"transition tables for sc_lif_q8_8 {'with' if noise else 'without'} noise_in: "
              f"{len(tables.next_state):,} entries, built in "
              f"{(time.perf_counter() - t0) * 1e3:.1f} ms (once per process)")
    print("\n| N | table us/step | arithmetic us/step | general us/step | "
          "arithmetic / table | general / table |")
    print("|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for n in args.sizes:
        inputs = {"i_in": rng.integers(0, 511, (args.steps, n), endpoint=True,
                                       dtype=np.int16)}
        times: dict[str, list[float]] = {"table": [], "arithmetic": [], "general": []}
        for _ in range(args.rounds):
            for kind in times:
                times[kind].append(_time(kind, inputs))
        t = {k: np.array(v) for k, v in times.items()}
        us = {k: np.median(v) / args.steps * 1e6 for k, v in t.items()}
        print(f"| {n:,} | {us['table']:.1f} | {us['arithmetic']:.1f} | {us['general']:.1f} | "
              f"{np.median(t['arithmetic'] / t['table']):.2f} | "
              f"{np.median(t['general'] / t['table']):.2f} |")


if __name__ == "__main__":
    main()
