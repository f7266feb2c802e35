"""cocotb 2.x bench of the population core: run the program player, compare the captures.

Run by :func:`rtl_gen.verify.core.run_core_cosim` on ``neurocore_core_tb``, which plays
the whole program (weights, state, events, timesteps, reads) inside the simulation.
This bench resets it, runs the clock until ``finished`` rises and then compares, in
order, every captured output event (timestep, neuron) and every word read over the bus
with the golden model's. Environment:

* ``NEUROCORE_CORE_EXPECTED`` -- ``.npz`` with ``aer`` (K x 2, or K x 3 with the spike
  count) and ``reads``;
* ``NEUROCORE_CORE_FILES`` -- JSON paths of the captures (``aer``, ``cap``, ``counts``);
* ``NEUROCORE_CORE_META`` -- JSON: ``neuron_bits``, ``time_width``, ``count_bits``,
  ``max_cycles``;
* ``NEUROCORE_CORE_REPORT`` -- where to write the JSON result.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cocotb
import numpy as np
from bench_neuron import read_words
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, SimTimeoutError, with_timeout
from cocotb.utils import get_sim_time

__all__ = ["core_bit_exact", "compare"]

PERIOD_NS = 10


def compare(expected_aer: np.ndarray, got_aer: np.ndarray, expected_reads: list[int],
            got_reads: list[int]) -> tuple[int, str | None]:
    """Count differences between expected and captured events and read words.

    Returns
    -------
    mismatches : int
        Differing positions (a length difference counts as one more).
    first : str or None
        Description of the first difference.
    """
    mismatches, first = 0, None
    for what, exp, got in (("output event", [tuple(e) for e in expected_aer.tolist()],
                            [tuple(g) for g in got_aer.tolist()]),
                           ("read word", list(expected_reads), list(got_reads))):
        bad = [k for k, (e, g) in enumerate(zip(exp, got)) if e != g]
        mismatches += len(bad) + (len(exp) != len(got))
        if first is None and bad:
            k = bad[0]
            first = f"{what} {k}: expected {exp[k]}, got {got[k]}"
        if first is None and len(exp) != len(got):
            first = f"{len(got)} {what}s captured, expected {len(exp)}"
    return mismatches, first


@cocotb.test()
async def core_bit_exact(dut) -> None:
    """Reset, play the program to its end, compare events and read words."""
    expected = np.load(os.environ["NEUROCORE_CORE_EXPECTED"], allow_pickle=True)
    files = json.loads(os.environ["NEUROCORE_CORE_FILES"])
    meta = json.loads(os.environ["NEUROCORE_CORE_META"])
    report = {"finished": False, "cycles": 0, "mismatches": 1,
              "first_mismatch": "program did not finish"}
    cocotb.start_soon(Clock(dut.clk, PERIOD_NS, unit="ns").start(start_high=False))
    dut.rst.value = 1
    await ClockCycles(dut.clk, 3)
    dut.rst.value = 0
    t0 = get_sim_time(unit="ns")
    try:
        await with_timeout(RisingEdge(dut.finished), meta["max_cycles"] * PERIOD_NS, "ns")
    except SimTimeoutError:
        report["first_mismatch"] = f"no finish within {meta['max_cycles']} cycles"
    else:
        report["finished"] = True
        report["cycles"] = int((get_sim_time(unit="ns") - t0) // PERIOD_NS)
        n_aer, n_cap = map(int, Path(files["counts"]).read_text().split())
        nb, tw = meta["neuron_bits"], meta["time_width"]
        words = np.array(read_words(files["aer"]) if n_aer else [], dtype=np.int64)
        columns = [(words >> nb) & ((1 << tw) - 1), words & ((1 << nb) - 1)]
        if meta.get("count_bits"):  # Xylo: the spike count above the timestep
            columns.append(words >> (nb + tw))
        got_aer = np.stack(columns, axis=1)
        got_reads = read_words(files["cap"]) if n_cap else []
        mismatches, first = compare(expected["aer"].reshape(-1, len(columns)), got_aer,
                                    [int(x) for x in expected["reads"]], got_reads)
        report.update(mismatches=mismatches, first_mismatch=first)
    Path(os.environ["NEUROCORE_CORE_REPORT"]).write_text(json.dumps(report))
    assert report["finished"], report["first_mismatch"]
    assert report["mismatches"] == 0, report["first_mismatch"]
