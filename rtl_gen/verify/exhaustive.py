"""Equivalence of a model's datapath and its golden step at every state: exhaustive at a
narrow format, sampled with corners and boundaries at any format.

Sampling checks a datapath on random and corner-case vectors; at a format narrow enough
to enumerate, every combination of state register values and inputs can be checked
instead: equivalence at that format, not a sample. :func:`all_vectors` lists them;
:func:`run_exhaustive` drives each through the datapath's Verilog under Verilator (one
vector per clock from simulator memory, the bulk testbench of :mod:`rtl_gen.verify.bulk`)
and compares ``spike`` and every next-state value with the golden ``step`` on the same
vector. The datapath is combinational, so the output captured at the falling edge of
clock ``k`` is its function of vector ``k``.

At a format too wide to enumerate, :func:`sampled_vectors` draws states and inputs from
the whole code range (not only the states reachable from reset: the population core's bus
writes any state word), the cross product of every port's extreme codes, small codes
around zero, and *boundary* vectors: pairs of adjacent codes of one port across which the
golden step changes class (spike, a next state at its largest or smallest code, its sign),
found by bisection, so that a compare one code off or a saturation bound one LSB off is
hit exactly. :func:`run_sampled` checks them like :func:`run_exhaustive`.
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
           "run_exhaustive", "run_sampled", "run_vectors", "sampled_vectors"]

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
    ports = _in_ports(params)
    bits = sum(p.width for _, p in ports)
    if 1 << bits > MAX_VECTORS:
        raise ValueError(f"{params.model.name}: 2^{bits} combinations of state and input "
                         f"codes, more than the {MAX_VECTORS:,} enumerated; narrow the format")
    grids = np.meshgrid(*(_codes(p) for _, p in ports), indexing="ij")
    return {name: grid.reshape(-1) for (name, _), grid in zip(ports, grids)}


def _in_ports(params) -> list[tuple[str, object]]:
    ports = [(f"st_{s.name}", s) for s in params.state_ports()]
    return ports + [(p.name, p) for p in params.input_ports()]


def _limits(port) -> tuple[int, int]:
    return int_range(port.width) if port.signed else (0, (1 << port.width) - 1)


def _features(params, vectors: dict[str, np.ndarray]) -> np.ndarray:
    """Per vector the golden step's class features ``[n, F]``: the spike, and for each next
    state whether it is the largest code, the smallest, negative."""
    out = _golden(params, vectors)
    cols = [out["spike"] != 0]
    for s in params.state_ports():
        lo, hi = _limits(s)
        v = out[s.name]
        cols += [v == hi, v == lo, v < 0]
    return np.stack(cols, axis=1)


def _classes(params, vectors: dict[str, np.ndarray]) -> np.ndarray:
    """Per vector an integer naming the golden step's class (its :func:`_features`)."""
    feats = _features(params, vectors)
    return feats.astype(np.int64) @ (1 << np.arange(feats.shape[1], dtype=np.int64))


def _rails(ports, count: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``count`` vectors: one port at one of its four rail codes (smallest, +1, largest
    -1, largest), every other port within +-8 of zero."""
    out = {n: [] for n, _ in ports}
    slots = [(n, code) for n, p in ports for code in sorted(set(
        np.clip([_limits(p)[0], _limits(p)[0] + 1, _limits(p)[1] - 1, _limits(p)[1]],
                *_limits(p)).tolist()))]
    per = -(-count // len(slots))
    for name, code in slots:
        for n, p in ports:
            out[n].append(np.full(per, code) if n == name else
                          np.clip(rng.integers(-8, 8, endpoint=True, size=per), *_limits(p)))
    return {n: np.concatenate(v)[:count] for n, v in out.items()}


def _mixed(port, size: int, rng: np.random.Generator) -> np.ndarray:
    """Codes of one port: a third uniform, a third within +-2^(W/2) of zero, a third its
    corner codes -- the other ports' values around a boundary search."""
    lo, hi = _limits(port)
    r = 1 << max(1, port.width // 2)
    corners = np.unique(np.clip([lo, lo + 1, -1, 0, 1, hi - 1, hi], lo, hi))
    kind = rng.integers(0, 3, size=size)
    return np.where(kind == 0, rng.integers(lo, hi, endpoint=True, size=size),
                    np.where(kind == 1, np.clip(rng.integers(-r, r, endpoint=True, size=size),
                                                lo, hi),
                             corners[rng.integers(0, len(corners), size=size)]))


def _boundaries(params, count: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """About ``count`` vectors in adjacent pairs ``(c, c + 1)`` of one port, the others
    drawn by :func:`_mixed`, across which one class feature of the golden step changes:
    for every feature that differs between a round's two end codes, its own bisection (so
    a saturation boundary is found even where a spike boundary lies between the ends)."""
    ports = _in_ports(params)
    n_feat = 1 + 3 * len(params.state_ports())
    rounds = max(1, count // (2 * len(ports) * n_feat) * 2)
    out = {name: [] for name, _ in ports}
    for name, port in ports:
        lo_code, hi_code = _limits(port)
        base = {n: _mixed(p, rounds, rng) for n, p in ports}
        # endpoints: the port's extremes for half, two random codes for the rest
        a = np.where(np.arange(rounds) % 2 == 0, lo_code,
                     rng.integers(lo_code, hi_code, endpoint=True, size=rounds))
        b = np.where(np.arange(rounds) % 2 == 0, hi_code,
                     rng.integers(lo_code, hi_code, endpoint=True, size=rounds))
        ends = np.minimum(a, b), np.maximum(a, b)
        f_lo = _features(params, {**base, name: ends[0]})
        f_hi = _features(params, {**base, name: ends[1]})
        for f in range(n_feat):
            live = (f_lo[:, f] != f_hi[:, f]) & (ends[1] > ends[0])
            lo, hi = ends[0][live], ends[1][live]
            sub = {n: v[live] for n, v in base.items()}
            at_lo = f_lo[live, f]
            while np.any(hi - lo > 1):  # invariant: feature(lo) == at_lo != feature(hi)
                mid = lo + (hi - lo) // 2
                same = _features(params, {**sub, name: mid})[:, f] == at_lo
                lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
            for n, _ in ports:  # pairs: (lo, hi) of this port, the others the same
                out[n].append(np.stack([lo, hi], axis=1).reshape(-1) if n == name
                              else np.repeat(sub[n], 2))
    got = {n: np.concatenate(v) if v else np.zeros(0, np.int64) for n, v in out.items()}
    if len(next(iter(got.values()))) > count:  # keep whole pairs, drawn at random
        keep = np.sort(rng.choice(len(next(iter(got.values()))) // 2, count // 2,
                                  replace=False))
        got = {n: v.reshape(-1, 2)[keep].reshape(-1) for n, v in got.items()}
    return got


def _cross_product(codes: list[np.ndarray], limit: int) -> list[np.ndarray]:
    """The first ``limit`` rows of the cross product of ``codes`` (the last port varying
    fastest, as ``meshgrid(indexing="ij")`` flattened), without building the whole of it
    (17 ports of 7 corners would be 2^47 rows)."""
    sizes = [len(c) for c in codes]
    index = np.arange(min(limit, int(np.prod(sizes, dtype=object))), dtype=np.int64)
    out = []
    for c, size in zip(reversed(codes), reversed(sizes)):
        out.append(c[index % size])
        index //= size
    return out[::-1]


def sampled_vectors(params, count: int = BULK_DEPTH, seed: int = 0
                    ) -> dict[str, np.ndarray]:
    """About ``count`` (state, input) vectors over the whole code range of every port.

    A quarter each: uniform random codes; codes within +-2^(W/2) of zero; an eighth the
    cross product of every port's corner codes (smallest, +1, -1, 0, 1, largest -1,
    largest), then random corners, an eighth one port at a rail code and the others within
    +-8 of zero (a sum one step past the rail); boundary pairs (see the module notes).

    Parameters
    ----------
    params : object
        A registered model's ``Params``.
    count : int
        Vectors wanted (the result holds exactly this many).
    seed : int
        Random seed; the vectors are a function of ``params``, ``count`` and ``seed``.

    Returns
    -------
    dict of str to numpy.ndarray
        One int64 array per state port (``st_<name>``) and input port.
    """
    if count < 16:
        raise ValueError(f"count must be at least 16, got {count}")
    rng = np.random.default_rng(seed)
    ports = _in_ports(params)
    quarter = count // 4
    parts = [{n: rng.integers(*_limits(p), endpoint=True, size=quarter) for n, p in ports}]
    small = {}
    for n, p in ports:
        lo, hi = _limits(p)
        r = 1 << max(1, p.width // 2)
        small[n] = np.clip(rng.integers(-r, r, endpoint=True, size=quarter), lo, hi)
    parts.append(small)
    corners = []
    for _, p in ports:
        lo, hi = _limits(p)
        corners.append(np.unique(np.clip([lo, lo + 1, -1, 0, 1, hi - 1, hi], lo, hi)))
    half = quarter // 2
    cross = _cross_product(corners, half)
    cross = {n: c for (n, _), c in zip(ports, cross)}
    extra = half - len(cross[ports[0][0]])
    picks = [c[rng.integers(0, len(c), size=extra)] for c in corners]
    parts.append({n: np.concatenate([cross[n], pick]) for (n, _), pick in zip(ports, picks)})
    parts.append(_rails(ports, quarter - half, rng))
    boundary = _boundaries(params, count - 3 * quarter, rng)
    got = len(boundary[ports[0][0]])
    want = count - 3 * quarter
    if got < want:  # few class changes (a model with no saturation): fill with random
        boundary = {n: np.concatenate([boundary[n], rng.integers(
            *_limits(p), endpoint=True, size=want - got)]) for n, p in ports}
    parts.append({n: v[:want] for n, v in boundary.items()})
    return {n: np.concatenate([part[n] for part in parts]).astype(np.int64) for n, _ in ports}


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
        Combinations compared (exhaustive: every one of the format's).
    bits : int
        The widths of the state registers and inputs summed (exhaustive: ``log2`` of
        ``vectors``).
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


def run_vectors(params, vectors: dict[str, np.ndarray], *,
                build_root: str | Path | None = DEFAULT_BUILD_ROOT,
                verilog_text: str | None = None, mutants: tuple[int, ...] = ()
                ) -> tuple[int, str | None, dict[int, int]]:
    """Given (state, input) vectors through the datapath's Verilog under Verilator,
    compared with the golden step.

    Parameters
    ----------
    params : object
        A registered model's ``Params``.
    vectors : dict of str to numpy.ndarray
        One array per state port (``st_<name>``) and input port, as :func:`all_vectors`.
    build_root : path, optional
        Verilator build cache.
    verilog_text : str, optional
        The datapath Verilog (module :data:`DATAPATH_TOP`); by default
        :func:`datapath_top`'s. With ``mutants``, a mutant schema of it
        (:func:`rtl_gen.verify.mutation.mutant_schema`).
    mutants : tuple of int
        Mutant indices of the schema to replay the vectors for (``sim/bench_mutants.py``).

    Returns
    -------
    mismatches : int
        Vector-signal pairs that differed without a mutant.
    first_mismatch : str or None
    per_mutant : dict of int to int
        Each mutant's mismatches (empty without ``mutants``).
    """
    expected = _golden(params, vectors)
    in_ports = [(name, port.width) for name, port in _in_ports(params)]
    outputs = [("spike", 1)] + [(s.name, s.width) for s in params.state_ports()]
    text = (datapath_top(params) if verilog_text is None else verilog_text)
    build_dir, _ = build_model(text + bulk_wrapper(DATAPATH_TOP, in_ports, outputs), BULK_TOP,
                               build_root=build_root)
    total = len(expected["spike"])
    mismatches, first, per_mutant = 0, None, dict.fromkeys(mutants, 0)
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
            if mutants:
                env["NEUROCORE_MUTANTS"] = json.dumps([int(i) for i in mutants])
            report, _ = run_bench(build_dir, BULK_TOP,
                                  "bench_mutants" if mutants else "bench_bulk", tmp=tmp,
                                  env=env, report=tmp / "report.json",
                                  plusargs=["+bulk", f"+stim={tmp / 'stim.hex'}",
                                            f"+cap={tmp / 'cap.hex'}", f"+cycles={count}"],
                                  what="datapath check")
        mismatches += report["mismatches"]
        if first is None and report["first_mismatch"]:
            first = f"vectors from {start}: {report['first_mismatch']}"
        for k, v in report.get("mutants", {}).items():
            per_mutant[int(k)] += v
    return mismatches, first, per_mutant


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
    total = len(next(iter(vectors.values())))
    mismatches, first, _ = run_vectors(params, vectors, build_root=build_root,
                                       verilog_text=verilog_text)
    return ExhaustiveResult(model=params.model.name, vectors=total,
                            bits=int(total).bit_length() - 1, mismatches=mismatches,
                            first_mismatch=first, passed=mismatches == 0)


def run_sampled(params, *, count: int = BULK_DEPTH, seed: int = 0,
                build_root: str | Path | None = DEFAULT_BUILD_ROOT,
                verilog_text: str | None = None) -> ExhaustiveResult:
    """:func:`sampled_vectors` through the datapath's Verilog, compared with the golden
    step: every state, not only those reachable from reset, at any format.

    Parameters
    ----------
    params : object
        A registered model's ``Params``.
    count, seed : int
        As :func:`sampled_vectors`.
    build_root : path, optional
        Verilator build cache.
    verilog_text : str, optional
        The datapath Verilog to check; by default :func:`datapath_top`'s.

    Returns
    -------
    ExhaustiveResult
        ``vectors`` = ``count``; ``bits``: the widths of the state registers and inputs
        (the space sampled is 2^bits).
    """
    vectors = sampled_vectors(params, count, seed)
    mismatches, first, _ = run_vectors(params, vectors, build_root=build_root,
                                       verilog_text=verilog_text)
    return ExhaustiveResult(model=params.model.name, vectors=count,
                            bits=sum(p.width for _, p in _in_ports(params)),
                            mismatches=mismatches, first_mismatch=first,
                            passed=mismatches == 0)
