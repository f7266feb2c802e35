"""Stochastic-computing scaled adder: ``sel ? a : b`` with a select stream of
probability 1/2, the stream of ``(p_x + p_y) / 2``.

Sources: ``"lfsr"`` -- ``a`` on the table taps (``seed_a``), ``b`` on the mirrored taps
(``seed_b``), ``sel = rs < 2**(W-1)`` from a third LFSR on the table taps (``seed_s``,
which must differ from ``seed_a``); ``"vdc"`` -- one ``width + 1``-bit counter whose LSB
is ``sel``, ``a`` compares ``bit_reverse(count >> 1)`` and ``b`` compares ``count >> 1``,
so over ``2**(W+1)`` clocks the output holds exactly ``x + y`` ones. Each clock: output
bit from the present state, then every source steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import sc
from ..fixed import check_int
from ..model import Model, ModelParams, PortSpec
from .sc_common import StreamReal, check_sources, initial_state, source_ports
from .sc_fast import block_kernel as sc_block_kernel
from .sc_sng import advance

__all__ = ["SCAddReal", "MODEL", "PRESETS", "SCAddParams", "step"]


@dataclass(frozen=True)
class SCAddParams(ModelParams):
    """Validated parameters of the SC scaled adder.

    Parameters
    ----------
    width : int
        Bits of ``x``, ``y`` and the sources, 8..31.
    source : {"lfsr", "vdc"}
    seed_a, seed_b, seed_s : int
        LFSR seeds of the operand streams and the select stream (non-zero), or ``seed_a``
        as the counter's reset value for ``"vdc"``.
    """

    width: int = 8
    source: str = "lfsr"
    seed_a: int = 1
    seed_b: int = 0x5A
    seed_s: int = 0xC3

    def __post_init__(self):
        check_sources(self, ("seed_a", "seed_b", "seed_s"))
        check_int("width", self.width, 8, 31)
        if self.source == "lfsr" and self.seed_s == self.seed_a:
            raise ValueError("seed_s must differ from seed_a (same taps: the select stream "
                             "would follow the a source)")

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Inputs ``x``, ``y``: unsigned ``width`` bits."""
        return (PortSpec("x", self.width, False, self.width),
                PortSpec("y", self.width, False, self.width))

    def state_ports(self) -> tuple[PortSpec, ...]:
        """``ra``, ``rb``, ``rs`` (LFSRs) or ``count`` (``width + 1``-bit counter)."""
        return source_ports(self, extra_bit=True, select=True)

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """Any probabilities."""
        top = (1 << self.width) - 1
        return {"x": (0, top), "y": (0, top)}


def step(params: SCAddParams, state, x=0, y=0):
    """One clock: the sum bit, then the sources step."""
    w = params.width
    x = np.asarray(x, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    if params.source == "vdc":
        half = state.count >> 1
        a, b, sel = sc.bit_reverse(half, w) < x, half < y, (state.count & 1) == 1
        nxt = type(state)((state.count + 1) & ((2 << w) - 1))
    else:
        a, b, sel = state.ra < x, state.rb < y, state.rs < (1 << (w - 1))
        nxt = type(state)(advance("lfsr", w, state.ra, "table"),
                          advance("lfsr", w, state.rb, "mirror"),
                          advance("lfsr", w, state.rs, "table"))
    return nxt, np.where(sel, a, b)


#: ``lfsr8`` (default), ``lfsr16``, ``vdc8``.
@dataclass(frozen=True)
class SCAddReal(StreamReal):
    """The scaled adder in real units: its stream length."""


PRESETS: dict[str, SCAddParams] = {
    "lfsr8": SCAddParams(),
    "lfsr16": SCAddParams(width=16, seed_a=0xACE1, seed_b=0x1234, seed_s=0xBEEF),
    "vdc8": SCAddParams(source="vdc", seed_a=0),
}

MODEL = Model(
    name="sc_add",
    summary="SC scaled add: MUX of two SNG streams with a p = 1/2 select stream",
    params_cls=SCAddParams,
    state_cls=None,
    presets=PRESETS,
    step=step,
    block_kernel=sc_block_kernel("sc_add"),
    initial_state=initial_state,
    real=SCAddReal,
)
