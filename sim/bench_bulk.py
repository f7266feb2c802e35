"""cocotb 2.x bench for bulk co-simulation (``+bulk``, :mod:`rtl_gen.verify.bulk`): run the
clock, then compare the whole capture.

The testbench top level plays the stimulus from memory and captures every output at
every falling edge, so no Python runs per cycle. Environment, as for ``bench_neuron``,
plus ``NEUROCORE_BULK_CAPTURE`` (the ``+cap=`` file).
"""

from __future__ import annotations

import json
import os
import time

import cocotb
import numpy as np
from bench_neuron import read_words, report, unpack
from cocotb.clock import Clock
from cocotb.triggers import Timer

__all__ = ["bulk_bit_exact"]


@cocotb.test()
async def bulk_bit_exact(dut) -> None:
    """Clock the stimulus player through every cycle; compare every captured output."""
    start = time.perf_counter()
    data = np.load(os.environ["NEUROCORE_COSIM_DATA"])
    meta = json.loads(os.environ["NEUROCORE_COSIM_META"])
    cycles = len(data["en"])
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start(start_high=False))
    # falling edge k (k = 1, 2, ...) is at 10 k ns and captures cycle k - 1; one timer
    # instead of a Python wake-up per edge
    await Timer(10 * cycles + 5, unit="ns")
    words = read_words(os.environ["NEUROCORE_BULK_CAPTURE"])
    if len(words) != cycles:
        raise RuntimeError(f"capture holds {len(words)} words, expected {cycles}")
    report(data, meta, unpack(words, meta["widths"]), start)
