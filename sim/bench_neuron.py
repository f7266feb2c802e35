"""Generic cocotb 2.x bench: any registered neuron unit against its golden trace.

Run by :func:`rtl_gen.cosim.run_cosim`, which passes through the environment:

* ``NEUROCORE_COSIM_DATA`` -- ``.npz`` with the stimulus (``en``, ``rst``, ``in_<port>``
  as unsigned bit patterns) and the golden trace (``exp_spike``, ``exp_<state>``);
* ``NEUROCORE_COSIM_META`` -- JSON: seed, input port names, output names and signedness;
* ``NEUROCORE_COSIM_REPORT`` -- where to write the JSON result.

Timing: inputs for cycle k are driven while the clock is low; the rising edge applies
them; at the next falling edge every output is sampled and must equal the golden state
after cycle k. All samples are compared in bulk at the end; the first mismatch is reported
with seed, cycle, signal, expected and got.
"""

from __future__ import annotations

import json
import os
import time

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge

__all__ = ["bit_exact", "report"]


def _reader(handle, signed: bool):
    """How to turn the handle's value into an int: 1-bit values are ``Logic``."""
    if len(handle) == 1:
        return int
    return (lambda value: value.to_signed()) if signed else (lambda value: value.to_unsigned())


@cocotb.test()
async def bit_exact(dut) -> None:
    """Drive every stimulus cycle and compare every output on every cycle."""
    start = time.perf_counter()
    data = np.load(os.environ["NEUROCORE_COSIM_DATA"])
    meta = json.loads(os.environ["NEUROCORE_COSIM_META"])
    cycles = len(data["en"])
    drives = [(dut.en, data["en"].tolist()), (dut.rst, data["rst"].tolist())]
    drives += [(getattr(dut, name), data[f"in_{name}"].tolist()) for name in meta["inputs"]]
    outputs = [(name, getattr(dut, name), _reader(getattr(dut, name), signed))
               for name, signed in meta["outputs"]]
    got = {name: [0] * cycles for name, _, _ in outputs}

    for handle, values in drives:
        handle.value = values[0]
    # only the inputs that change are written (en and rst change rarely): a VPI write
    # is the most expensive thing in the loop
    changes = [sorted(set(np.flatnonzero(np.diff(np.asarray(values))) + 1) | {0})
               for _, values in drives]
    writes = [[] for _ in range(cycles)]
    for (handle, values), ks in zip(drives, changes):
        for k in ks:
            writes[k].append((handle, values[k]))
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start(start_high=False))
    falling = FallingEdge(dut.clk)
    raw = {name: [None] * cycles for name, _, _ in outputs}
    handles = [(raw[name], handle) for name, handle, _ in outputs]
    for k in range(cycles):
        for handle, value in writes[k]:
            handle.value = value
        await falling
        for store, handle in handles:
            store[k] = handle.value
    for name, _, read in outputs:  # conversions after the run, not between clocks
        got[name] = [read(value) for value in raw[name]]

    report(data, meta, got, start)


def report(data, meta: dict, got: dict, start: float) -> None:
    """Compare every recorded output with the golden trace, write the JSON report (with
    the bench's own time since ``start``), and fail the test on any difference (shared
    with ``bench_bulk``)."""
    mismatches = 0
    first = None
    for name, _ in meta["outputs"]:
        expected = data[f"exp_{name}"]
        diff = np.flatnonzero(np.asarray(got[name], dtype=np.int64) != expected)
        mismatches += diff.size
        if diff.size and (first is None or diff[0] < first[0]):
            first = (int(diff[0]), name, int(expected[diff[0]]), int(got[name][diff[0]]))
    message = None
    if first is not None:
        message = (f"seed {meta['seed']} cycle {first[0]} signal {first[1]}: "
                   f"expected {first[2]}, got {first[3]}")
    cycles = len(data["en"])
    with open(os.environ["NEUROCORE_COSIM_REPORT"], "w") as fh:
        json.dump({"cycles": cycles, "mismatches": mismatches, "first_mismatch": message,
                   "bench_seconds": time.perf_counter() - start}, fh)
    assert mismatches == 0, f"{mismatches} mismatches; first: {message}"
