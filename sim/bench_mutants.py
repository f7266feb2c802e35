"""cocotb 2.x bench for a mutant schema (:mod:`rtl_gen.verify.mutation`) in the bulk
testbench: the stimulus replays once per mutant in one simulation.

Every module of a schema holds an ``integer neurocore_mutant`` that selects its mutant
(0: none). The bench plays the stimulus with no mutant, then, for each index in
``NEUROCORE_MUTANTS`` (a JSON list), writes that index into every ``neurocore_mutant``,
restarts the player (its counter ``k`` back to 0, while the clock is low) and plays the
stimulus again, then once more with no mutant. The stimulus starts with a reset, so each
replay starts from the reset state. After each pass the capture file is compared with the
golden trace. The JSON report holds the mismatches of the two passes without a mutant
(``mismatches``, ``first_mismatch``: the design itself) and, under ``mutants``, each
mutant's count. Environment as for ``bench_bulk``.
"""

from __future__ import annotations

import json
import os
import time

import cocotb
import numpy as np
from bench_neuron import compare, read_words, unpack
from cocotb.clock import Clock
from cocotb.triggers import Timer

__all__ = ["mutant_passes"]

_SELECT = "neurocore_mutant"


def _selectors(handle, depth: int = 0) -> list:
    """Every ``neurocore_mutant`` below ``handle`` (the unit and its submodules)."""
    found = []
    for child in handle:
        name = child._name.split(".")[-1]
        if name == _SELECT:
            found.append(child)
        elif depth < 8 and type(child).__name__ == "HierarchyObject":
            found += _selectors(child, depth + 1)
    return found


@cocotb.test()
async def mutant_passes(dut) -> None:
    """One pass of the stimulus per mutant; every output compared after every pass."""
    start = time.perf_counter()
    data = np.load(os.environ["NEUROCORE_COSIM_DATA"])
    meta = json.loads(os.environ["NEUROCORE_COSIM_META"])
    indices = json.loads(os.environ["NEUROCORE_MUTANTS"])
    cycles = len(data["en"])
    capture = os.environ["NEUROCORE_BULK_CAPTURE"]
    selectors = _selectors(dut.dut)
    if not selectors:
        raise RuntimeError(f"no {_SELECT} in the design: not a mutant schema")

    def check() -> tuple[int, str | None]:
        words = read_words(capture)
        if len(words) != cycles:
            raise RuntimeError(f"capture holds {len(words)} words, expected {cycles}")
        return compare(data, meta, unpack(words, meta["widths"]))

    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start(start_high=False))
    # falling edge k at 10 k ns captures cycle k - 1; stop 2 ns after the last one (clock
    # low), where a restart's first rising edge is 3 ns away
    await Timer(10 * cycles + 2, unit="ns")
    own, first = check()
    counts = {}
    for index in [*indices, 0]:
        for sel in selectors:
            sel.value = index
        dut.k.value = 0
        await Timer(10 * cycles, unit="ns")
        mismatches, message = check()
        if index:
            counts[str(index)] = mismatches
        else:
            own += mismatches
            first = first or message
    with open(os.environ["NEUROCORE_COSIM_REPORT"], "w") as fh:
        json.dump({"cycles": cycles, "mismatches": own, "first_mismatch": first,
                   "mutants": counts, "selectors": len(selectors),
                   "bench_seconds": time.perf_counter() - start}, fh)
    assert own == 0, f"{own} mismatches without a mutant; first: {first}"
