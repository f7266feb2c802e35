"""Stochastic number generator (SNG): ``bit = random < x``, then the source steps.

``random`` is the state of a ``width``-bit maximal-length LFSR (``source="lfsr"``; the
table taps or their mirror, see :mod:`neurocore_hw.sc`) or the bit-reversed value of a
``width``-bit counter (``source="vdc"``, van der Corput). The state register ``rng`` is
the LFSR or the counter; ``spike`` is the stream bit. With an LFSR the state never takes
the value 0, so over a period ``x`` codes give ``x - 1`` ones in ``2**W - 1`` clocks; the
counter gives exactly ``x`` ones in ``2**W``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .. import sc
from ..fixed import check_choice, check_int
from ..model import Model, ModelParams, PortSpec
from .sc_common import StreamReal
from .sc_fast import block_kernel as sc_block_kernel

__all__ = ["MODEL", "PRESETS", "TAPS", "SNGParams", "SNGReal", "SNGState", "advance",
           "random_value", "step"]

TAPS = ("table", "mirror")


@dataclass(frozen=True)
class SNGParams(ModelParams):
    """Validated parameters of one SNG.

    Parameters
    ----------
    width : int
        Bits of ``x`` and of the random source, 8..32.
    source : {"lfsr", "vdc"}
    seed : int
        LFSR seed (1..2**width-1) or the counter's reset value (0..2**width-1).
    taps : {"table", "mirror"}
        LFSR taps: the table's or the reciprocal polynomial's.
    """

    width: int = 8
    source: str = "lfsr"
    seed: int = 1
    taps: str = "table"

    def __post_init__(self):
        check_int("width", self.width, 8, 32)
        check_choice("source", self.source, sc.SOURCES)
        check_choice("taps", self.taps, TAPS)
        if self.source == "lfsr":
            sc.check_seed(self.width, self.seed)
        else:
            check_int("seed", self.seed, 0, (1 << self.width) - 1)

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``x``: unsigned ``width`` bits, ``p = x / 2**width``."""
        return (PortSpec("x", self.width, False, self.width),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State ``rng``: the LFSR or counter, unsigned ``width`` bits, reset ``seed``."""
        return (PortSpec("rng", self.width, False, 0, self.seed),)

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """Any probability."""
        return {"x": (0, (1 << self.width) - 1)}


def random_value(source: str, width: int, rand):
    """The value compared with ``x``: the LFSR state, or the bit-reversed counter."""
    return rand if source == "lfsr" else sc.bit_reverse(rand, width)


def advance(source: str, width: int, rand, taps: str = "table"):
    """The source's next state."""
    if source == "lfsr":
        return sc.lfsr_next(rand, width, taps == "mirror")
    return (np.asarray(rand, dtype=np.int64) + 1) & ((1 << width) - 1)


class SNGState(NamedTuple):
    """SNG state: the source register ``rng`` (int64 array)."""

    rng: np.ndarray


def step(params: SNGParams, state: SNGState, x=0) -> tuple[SNGState, np.ndarray]:
    """One clock: the stream bit ``random < x``, then the source steps."""
    p = params
    bit = random_value(p.source, p.width, state.rng) < np.asarray(x, dtype=np.int64)
    return SNGState(advance(p.source, p.width, state.rng, p.taps)), bit


#: ``lfsr8`` (default), ``lfsr16_mirror`` (16-bit, mirrored taps, seed 0xACE1),
#: ``vdc8``, ``vdc12``, ``lfsr32`` (the widest table entry).
@dataclass(frozen=True)
class SNGReal(StreamReal):
    """The stream generator in real units: its stream length."""


PRESETS: dict[str, SNGParams] = {
    "lfsr8": SNGParams(),
    "lfsr16_mirror": SNGParams(width=16, seed=0xACE1, taps="mirror"),
    "vdc8": SNGParams(source="vdc", seed=0),
    "vdc12": SNGParams(width=12, source="vdc", seed=5),
    "lfsr32": SNGParams(width=32, seed=0xDEADBEEF),
}

MODEL = Model(
    name="sc_sng",
    summary="SNG: bit = random < x, LFSR (8..32 bit, table/mirror taps) or van der Corput",
    params_cls=SNGParams,
    state_cls=SNGState,
    presets=PRESETS,
    step=step,
    block_kernel=sc_block_kernel("sc_sng"),
    real=SNGReal,
)
