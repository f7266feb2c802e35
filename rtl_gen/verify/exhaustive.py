"""Exhaustive equivalence of a model's datapath and its golden step at a narrow format.

Sampling checks a datapath on random and corner-case vectors; at a format narrow enough
to enumerate, every combination of state register values and inputs can be checked
instead: equivalence at that format, not a sample. :func:`all_vectors` lists them;
:func:`run_exhaustive` drives each through the datapath's Verilog under Verilator (one
vector per clock from simulator memory, the bulk testbench of :mod:`rtl_gen.verify.bulk`)
and compares ``spike`` and every next-state value with the golden ``step`` on the same
vector. The datapath is combinational, so the output captured at the falling edge of
clock ``k`` is its function of vector ``k``.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from amaranth.back import verilog
from amaranth.hdl import Module, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from neurocore_hw.fixed import int_range

from ..unit import datapath_for
from .bulk import BULK_DEPTH, BULK_TOP, bulk_wrapper, pack_stimulus, write_stimulus
from .toolchain import DEFAULT_BUILD_ROOT, build_model, run_bench

__all__ = ["DATAPATH_TOP", "ExhaustiveResult", "all_vectors", "datapath_top",
           "run_exhaustive"]

#: Module name of the wrapped datapath.
DATAPATH_TOP = "neurocore_datapath"
#: Largest number of vectors :func:`run_exhaustive` enumerates (8 bulk runs).
MAX_VECTORS = 8 * BULK_DEPTH


def _shape(port):
    return signed(port.width) if port.signed else unsigned(port.width)


class _DatapathTop(wiring.Component):
    """The datapath with the unit's port names: state registers in as ``st_<name>``, the
    inputs, ``spike`` and each next state out as ``<name>``. ``clk``, ``rst`` and ``en``
    are there for the bulk testbench and unused (one register keeps them)."""

    def __init__(self, params):
        self.params = params
        members = {"en": In(1), "spike": Out(1)}
        members.update({f"st_{s.name}": In(_shape(s)) for s in params.state_ports()})
        members.update({p.name: In(_shape(p)) for p in params.input_ports()})
        members.update({s.name: Out(_shape(s)) for s in params.state_ports()})
        super().__init__(members)

    def elaborate(self, platform) -> Module:
        m = Module()
        m.submodules.datapath = dp = datapath_for(self.params)
        for s in self.params.state_ports():
            m.d.comb += [getattr(dp, s.name).eq(getattr(self, f"st_{s.name}")),
                         getattr(self, s.name).eq(getattr(dp, f"{s.name}_next")[:s.width])]
        for p in self.params.input_ports():
            m.d.comb += getattr(dp, p.name).eq(getattr(self, p.name))
        m.d.comb += self.spike.eq(dp.spike)
        keep = Signal()  # a register, so that the module has the testbench's clk and rst
        m.d.sync += keep.eq(self.en)
        return m


def datapath_top(params) -> str:
    """Verilog of the model's datapath as module :data:`DATAPATH_TOP` (see
    :class:`_DatapathTop`)."""
    return verilog.convert(_DatapathTop(params), name=DATAPATH_TOP, emit_src=False)


def _codes(port) -> np.ndarray:
    lo, hi = int_range(port.width) if port.signed else (0, (1 << port.width) - 1)
    return np.arange(lo, hi + 1, dtype=np.int64)


def all_vectors(params) -> dict[str, np.ndarray]:
    """Every combination of state register values and input codes, as one int64 array
    per state port (``st_<name>``) and input port; raises ``ValueError`` above
    :data:`MAX_VECTORS` combinations."""
    ports = [(f"st_{s.name}", s) for s in params.state_ports()]
    ports += [(p.name, p) for p in params.input_ports()]
    bits = sum(p.width for _, p in ports)
    if 1 << bits > MAX_VECTORS:
        raise ValueError(f"{params.model.name}: 2^{bits} combinations of state and input "
                         f"codes, more than the {MAX_VECTORS:,} enumerated; narrow the format")
    grids = np.meshgrid(*(_codes(p) for _, p in ports), indexing="ij")
    return {name: grid.reshape(-1) for (name, _), grid in zip(ports, grids)}


def _golden(params, vectors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    model = params.model
    names = [s.name for s in params.state_ports()]
    n = len(next(iter(vectors.values())))
    state = model.initial_state(params, n)
    state = type(state)(**{f: vectors[f"st_{f}"] if f in names else getattr(state, f)
                           for f in state._fields})
    new, spike = model.step(params, state, **{p.name: vectors[p.name]
                                              for p in params.input_ports()})
    out = {"spike": np.asarray(spike).astype(np.int64)}
    out.update({s: np.asarray(getattr(new, s), dtype=np.int64) for s in names})
    return out


@dataclass
class ExhaustiveResult:
    """Outcome of :func:`run_exhaustive`.

    Attributes
    ----------
    model : str
    vectors : int
        Combinations compared (every one of the format's).
    bits : int
        ``log2`` of that: the widths of the state registers and inputs.
    mismatches : int
        Vector-signal pairs that differed.
    first_mismatch : str or None
    passed : bool
    """

    model: str
    vectors: int
    bits: int
    mismatches: int
    first_mismatch: str | None
    passed: bool


def run_exhaustive(params, *, build_root: str | Path | None = DEFAULT_BUILD_ROOT,
                   verilog_text: str | None = None) -> ExhaustiveResult:
    """Every state and input combination through the datapath's Verilog under Verilator,
    compared with the golden step.

    Parameters
    ----------
    params : object
        A registered model's ``Params`` at a narrow format (:func:`all_vectors`).
    build_root : path, optional
        Verilator build cache.
    verilog_text : str, optional
        The datapath Verilog to check (module :data:`DATAPATH_TOP`); by default
        :func:`datapath_top`'s.

    Returns
    -------
    ExhaustiveResult
    """
    vectors = all_vectors(params)
    expected = _golden(params, vectors)
    in_ports = [(f"st_{s.name}", s.width) for s in params.state_ports()]
    in_ports += [(p.name, p.width) for p in params.input_ports()]
    outputs = [("spike", 1)] + [(s.name, s.width) for s in params.state_ports()]
    text = (datapath_top(params) if verilog_text is None else verilog_text)
    build_dir, _ = build_model(text + bulk_wrapper(DATAPATH_TOP, in_ports, outputs), BULK_TOP,
                               build_root=build_root)
    total = len(expected["spike"])
    mismatches, first = 0, None
    meta = {"seed": 0, "widths": [["spike", False, 1]] + [
        [s.name, s.signed, s.width] for s in params.state_ports()]}
    for start in range(0, total, BULK_DEPTH):
        part = slice(start, min(total, start + BULK_DEPTH))
        count = part.stop - part.start
        with tempfile.TemporaryDirectory(prefix="neurocore-exhaustive-") as tmp:
            tmp = Path(tmp)
            en = np.ones(count, dtype=np.uint8)
            np.savez(tmp / "data.npz", en=en,
                     **{f"exp_{k}": v[part] for k, v in expected.items()})
            write_stimulus(tmp / "stim.hex", pack_stimulus(
                en, np.zeros(count, np.uint8),
                [(vectors[name][part], width) for name, width in in_ports]))
            env = {"NEUROCORE_COSIM_DATA": str(tmp / "data.npz"),
                   "NEUROCORE_COSIM_REPORT": str(tmp / "report.json"),
                   "NEUROCORE_COSIM_META": json.dumps(meta),
                   "NEUROCORE_COSIM_STIM": str(tmp / "stim.hex"),
                   "NEUROCORE_BULK_CAPTURE": str(tmp / "cap.hex")}
            report, _ = run_bench(build_dir, BULK_TOP, "bench_bulk", tmp=tmp, env=env,
                                  report=tmp / "report.json",
                                  plusargs=["+bulk", f"+stim={tmp / 'stim.hex'}",
                                            f"+cap={tmp / 'cap.hex'}", f"+cycles={count}"],
                                  what="exhaustive check")
        mismatches += report["mismatches"]
        if first is None and report["first_mismatch"]:
            first = f"vectors from {start}: {report['first_mismatch']}"
    return ExhaustiveResult(model=params.model.name, vectors=total,
                            bits=int(total).bit_length() - 1, mismatches=mismatches,
                            first_mismatch=first, passed=mismatches == 0)
