"""cocotb 2.x bench for bulk co-simulation (:mod:`rtl_gen.bulk`): run the clock, then
compare the whole capture.

The testbench top level plays the stimulus from memory and captures every output at
every falling edge, so no Python runs per cycle. Environment, as for ``bench_neuron``:
``NEUROCORE_COSIM_DATA`` (golden trace), ``NEUROCORE_COSIM_META``,
``NEUROCORE_COSIM_REPORT``, plus ``NEUROCORE_BULK_CAPTURE`` (the ``+cap=`` file).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
import numpy as np
from bench_neuron import report
from cocotb.clock import Clock
from cocotb.triggers import Timer

__all__ = ["bulk_bit_exact", "read_capture"]


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
    got = read_capture(os.environ["NEUROCORE_BULK_CAPTURE"],
                       [(name, width, signed) for name, signed, width in meta["widths"]],
                       cycles)
    report(data, meta, got, start)


def read_capture(path: str | Path, outputs: list[tuple[str, int, bool]], cycles: int
                 ) -> dict[str, np.ndarray]:
    """Unpack a ``$writememh`` capture into one ``int64`` array per output (signed fields
    sign-extended)."""
    words = [int(line, 16) for line in Path(path).read_text().split()
             if not line.startswith("//")]
    if len(words) != cycles:
        raise RuntimeError(f"capture holds {len(words)} words, expected {cycles}")
    total = sum(width for _, width, _ in outputs)
    packed = np.array(words, dtype=np.uint64 if total <= 64 else object)
    out, offset = {}, 0
    for name, width, signed in outputs:
        if total <= 64:
            field = ((packed >> np.uint64(offset)) & np.uint64((1 << width) - 1)
                     ).astype(np.int64)
        else:
            field = np.array([(w >> offset) & ((1 << width) - 1) for w in words],
                             dtype=np.int64)
        if signed:
            field = np.where(field >> (width - 1) & 1, field - (1 << width), field)
        out[name] = field
        offset += width
    return out
