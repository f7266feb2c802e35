"""Generic cocotb 2.x bench: any registered neuron unit against its golden trace, per clock.

Run by :func:`rtl_gen.verify.unit.run_cosim` on the testbench top level ``neurocore_tb``
(:mod:`rtl_gen.verify.bulk`), whose ``stim_in`` drives the unit's ``rst``, ``en`` and inputs
and whose ``cap_out`` concatenates ``spike`` and every state output. Environment:

* ``NEUROCORE_COSIM_STIM`` -- the packed stimulus words, one hex word per line;
* ``NEUROCORE_COSIM_DATA`` -- ``.npz`` with the golden trace (``exp_spike``,
  ``exp_<state>``) and ``en``;
* ``NEUROCORE_COSIM_META`` -- JSON: seed, output names, signedness and widths;
* ``NEUROCORE_COSIM_REPORT`` -- where to write the JSON result.
* ``NEUROCORE_COSIM_DUMP`` (optional) -- an ``.npz`` to write every captured output to.

Timing: the word for cycle k is written while the clock is low (only when it changes);
the rising edge applies it; at the next falling edge every output is sampled and must
equal the golden state after cycle k. All samples are compared in bulk at the end; the
first mismatch is reported with seed, cycle, signal, expected and got.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge

__all__ = ["bit_exact", "compare", "read_words", "report", "unpack"]


def read_words(path: str | Path) -> list[int]:
    """Hex words, one per line (``$readmemh``/``$writememh`` format)."""
    return [int(line, 16) for line in Path(path).read_text().split()
            if not line.startswith("//")]


def unpack(words: list[int], fields: list[tuple[str, bool, int]]) -> dict[str, np.ndarray]:
    """Split packed output words (``spike`` at bit 0, then each state port) into one
    ``int64`` array per ``(name, signed, width)`` field, sign-extending signed ones."""
    total = sum(width for _, _, width in fields)
    packed = np.array(words, dtype=np.uint64 if total <= 64 else object)
    out, offset = {}, 0
    for name, signed, width in fields:
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


@cocotb.test()
async def bit_exact(dut) -> None:
    """Drive every stimulus cycle and compare every output on every cycle."""
    start = time.perf_counter()
    data = np.load(os.environ["NEUROCORE_COSIM_DATA"])
    meta = json.loads(os.environ["NEUROCORE_COSIM_META"])
    words = read_words(os.environ["NEUROCORE_COSIM_STIM"])
    cycles = len(words)
    stim, cap = dut.stim_in, dut.cap_out
    stim.value = previous = words[0]
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start(start_high=False))
    falling = FallingEdge(dut.clk)
    raw = [None] * cycles
    for k in range(cycles):
        word = words[k]
        if word != previous:  # a VPI write is the most expensive thing in the loop
            stim.value = previous = word
        await falling
        raw[k] = cap.value
    got = unpack([value.to_unsigned() for value in raw], meta["widths"])
    report(data, meta, got, start)


def compare(data, meta: dict, got: dict) -> tuple[int, str | None]:
    """Cycle-signal pairs where ``got`` differs from the golden trace, and the first as
    ``"seed S cycle C signal X: expected E, got G"`` (None when equal)."""
    mismatches = 0
    first = None
    for name, _, _ in meta["widths"]:
        expected = data[f"exp_{name}"]
        diff = np.flatnonzero(np.asarray(got[name], dtype=np.int64) != expected)
        mismatches += diff.size
        if diff.size and (first is None or diff[0] < first[0]):
            first = (int(diff[0]), name, int(expected[diff[0]]), int(got[name][diff[0]]))
    message = None
    if first is not None:
        message = (f"seed {meta['seed']} cycle {first[0]} signal {first[1]}: "
                   f"expected {first[2]}, got {first[3]}")
    return mismatches, message


def report(data, meta: dict, got: dict, start: float) -> None:
    """Compare every recorded output with the golden trace, write the JSON report (with
    the bench's own time since ``start``), and fail the test on any difference (shared
    with ``bench_bulk``)."""
    mismatches, message = compare(data, meta, got)
    cycles = len(data["en"])
    if os.environ.get("NEUROCORE_COSIM_DUMP"):  # the RTL's outputs, as captured
        np.savez(os.environ["NEUROCORE_COSIM_DUMP"],
                 **{name: np.asarray(got[name], dtype=np.int64) for name, _, _ in
                    meta["widths"]})
    with open(os.environ["NEUROCORE_COSIM_REPORT"], "w") as fh:
        json.dump({"cycles": cycles, "mismatches": mismatches, "first_mismatch": message,
                   "bench_seconds": time.perf_counter() - start}, fh)
    assert mismatches == 0, f"{mismatches} mismatches; first: {message}"
