"""Stochastic-computing arithmetic blocks with their own SNGs: multiply and scaled add.

``SCMul`` (``op="and"`` unipolar, ``op="xnor"`` bipolar) turns codes ``x``, ``y`` into two
streams and emits their product stream; ``SCAdd`` emits ``sel ? a : b``, the stream of
``(p_x + p_y) / 2``. Decorrelation:

* ``source="lfsr"``: stream ``a`` from the table taps (seed ``seed_a``), ``b`` from the
  mirrored taps (``seed_b``), and for the adder the select stream from the table taps at
  ``seed_s`` compared with one half (``rs < 2**(W-1)``);
* ``source="vdc"``: one counter ``count``; multiply: ``a`` compares the bit-reversed count,
  ``b`` the count itself (a thermometer stream), which makes the product count over a
  full period ``x y / 2**W`` within one; add: the counter has ``W + 1`` bits, ``sel`` is
  its LSB, ``a`` compares ``bit_reverse(count >> 1)`` and ``b`` compares ``count >> 1``,
  so over ``2**(W+1)`` clocks the output holds exactly ``x + y`` ones.

Every clock: compute the bits from the present state, then step every source.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np

from .. import sc
from ..fixed import check_choice, check_int
from .base import PortSpec, StepKernel
from .sc_sng import advance, random_value

__all__ = ["OPS", "PRESETS_ADD", "PRESETS_MUL", "SCAddParams", "SCMulParams",
           "initial_state", "kernel", "state_type", "step"]

OPS = ("and", "xnor")


@dataclass(frozen=True)
class SCMulParams:
    """Validated parameters of the SC multiplier.

    Parameters
    ----------
    width : int
        Bits of ``x``, ``y`` and the sources, 8..32.
    source : {"lfsr", "vdc"}
    op : {"and", "xnor"}
        Unipolar (AND) or bipolar (XNOR) multiply.
    seed_a, seed_b : int
        LFSR seeds (non-zero), or ``seed_a`` as the counter's reset value for ``"vdc"``.
    """

    width: int = 8
    source: str = "lfsr"
    op: str = "and"
    seed_a: int = 1
    seed_b: int = 0x5A

    def __post_init__(self):
        _check_common(self)
        check_choice("op", self.op, OPS)

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Inputs ``x``, ``y``: unsigned ``width`` bits."""
        return (PortSpec("x", self.width, False, self.width),
                PortSpec("y", self.width, False, self.width))

    def state_ports(self) -> tuple[PortSpec, ...]:
        """``ra``, ``rb`` (LFSRs) or ``count`` (counter), unsigned."""
        return _state_ports(self, extra_bit=False, select=False)

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """Any probability."""
        top = (1 << self.width) - 1
        return {"x": (0, top), "y": (0, top)}


@dataclass(frozen=True)
class SCAddParams:
    """Validated parameters of the SC scaled adder (MUX).

    Parameters
    ----------
    width : int
        Bits of ``x``, ``y`` and the sources, 8..31.
    source : {"lfsr", "vdc"}
    seed_a, seed_b, seed_s : int
        LFSR seeds of the two operand streams and the select stream (non-zero), or
        ``seed_a`` as the counter's reset value for ``"vdc"``.
    """

    width: int = 8
    source: str = "lfsr"
    seed_a: int = 1
    seed_b: int = 0x5A
    seed_s: int = 0xC3

    def __post_init__(self):
        _check_common(self)
        check_int("width", self.width, 8, 31)
        if self.source == "lfsr":
            sc.check_seed(self.width, self.seed_s)
            if self.seed_s == self.seed_a:
                raise ValueError("seed_s must differ from seed_a (same taps: the select "
                                 "stream would equal the a source)")

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Inputs ``x``, ``y``: unsigned ``width`` bits."""
        return SCMulParams.input_ports(self)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """``ra``, ``rb``, ``rs`` (LFSRs) or ``count`` (``width + 1``-bit counter)."""
        return _state_ports(self, extra_bit=True, select=True)

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """Any probability."""
        return SCMulParams.typical_inputs(self)


def _check_common(p) -> None:
    check_int("width", p.width, 8, 32)
    check_choice("source", p.source, sc.SOURCES)
    if p.source == "lfsr":
        sc.check_seed(p.width, p.seed_a)
        sc.check_seed(p.width, p.seed_b)
    else:
        check_int("seed_a", p.seed_a, 0, (1 << p.width) - 1)


def _state_ports(p, *, extra_bit: bool, select: bool) -> tuple[PortSpec, ...]:
    if p.source == "vdc":
        return (PortSpec("count", p.width + extra_bit, False, 0, p.seed_a),)
    ports = [PortSpec("ra", p.width, False, 0, p.seed_a),
             PortSpec("rb", p.width, False, 0, p.seed_b)]
    if select:
        ports.append(PortSpec("rs", p.width, False, 0, p.seed_s))
    return tuple(ports)


@cache
def state_type(names: tuple[str, ...]) -> type:
    """The state NamedTuple for these source-register names (one class per set)."""
    return NamedTuple("SCState_" + "_".join(names), [(n, np.ndarray) for n in names])


def initial_state(params, n: int):
    """Reset state: every source register at its seed."""
    ports = params.state_ports()
    return state_type(tuple(s.name for s in ports))(
        *(np.full(n, s.reset, dtype=np.int64) for s in ports))


def step(params, state, x=0, y=0):
    """One clock of :class:`SCMulParams` or :class:`SCAddParams`: output bit, then step."""
    p, w = params, params.width
    x = np.asarray(x, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    is_add = isinstance(p, SCAddParams)
    if p.source == "vdc":
        count = state.count
        if is_add:
            half = count >> 1
            a, b, sel = sc.bit_reverse(half, w) < x, half < y, (count & 1) == 1
        else:
            a, b = sc.bit_reverse(count, w) < x, count < y
        new = (count + 1) & ((1 << (w + is_add)) - 1)
        nxt = type(state)(new)
    else:
        a = random_value("lfsr", w, state.ra) < x
        b = random_value("lfsr", w, state.rb) < y
        regs = [advance("lfsr", w, state.ra, "table"), advance("lfsr", w, state.rb, "mirror")]
        if is_add:
            sel = state.rs < (1 << (w - 1))
            regs.append(advance("lfsr", w, state.rs, "table"))
        nxt = type(state)(*regs)
    if is_add:
        out = np.where(sel, a, b)
    elif p.op == "and":
        out = a & b
    else:
        out = a == b
    return nxt, out


def kernel(params, n: int) -> StepKernel:
    """Engine updater built from :func:`step`."""
    return StepKernel(params, step)


PRESETS_MUL: dict[str, SCMulParams] = {
    "lfsr8_and": SCMulParams(),
    "lfsr12_xnor": SCMulParams(width=12, op="xnor", seed_a=0x123, seed_b=0xABC),
    "vdc8_and": SCMulParams(source="vdc", seed_a=0),
}
PRESETS_ADD: dict[str, SCAddParams] = {
    "lfsr8": SCAddParams(),
    "lfsr16": SCAddParams(width=16, seed_a=0xACE1, seed_b=0x1234, seed_s=0xBEEF),
    "vdc8": SCAddParams(source="vdc", seed_a=0),
}
