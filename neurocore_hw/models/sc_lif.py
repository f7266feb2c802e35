"""Stochastic LIF: a LIF neuron whose input current is a bitstream.

Each clock an SNG (see :mod:`neurocore_hw.models.sc_sng`) turns the probability code
``x`` into a bit; the LIF integrates ``i_in = bit * input_scale`` with exactly the LIF
golden model's arithmetic (:func:`neurocore_hw.models.lif.step`, gain 1.0, no noise), so
its mean drive is ``p * input_scale``. State: the SNG source ``rng`` and the LIF's ``v``
and ``refrac``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .. import sc
from ..fixed import check_choice, check_int, int_range
from ..model import Model, PortSpec
from . import lif
from .sc_sng import advance, random_value

__all__ = ["MODEL", "PRESETS", "SCLIFParams", "SCLIFState", "lif_core", "step"]


@dataclass(frozen=True)
class SCLIFParams:
    """Validated parameters of the stochastic LIF.

    Parameters
    ----------
    width, frac, v_rest, v_reset, v_threshold, leak_k, refractory, overflow, rounding
        The LIF's, as in :class:`~neurocore_hw.models.lif.LIFParams` (gain fixed at 1.0,
        so ``frac <= width - 2``).
    x_width : int
        Bits of the probability code ``x`` and of the SNG source, 8..32.
    source : {"lfsr", "vdc"}
    seed : int
        SNG seed (non-zero for an LFSR; the counter's reset value for ``"vdc"``).
    input_scale : int
        Current of one 1-bit, ``Q(width, frac)``.
    """

    width: int = 16
    frac: int = 8
    v_rest: int = 0
    v_reset: int = 0
    v_threshold: int = 256
    leak_k: int = 16
    refractory: int = 2
    overflow: str = "saturate"
    rounding: str = "floor"
    x_width: int = 8
    source: str = "lfsr"
    seed: int = 1
    input_scale: int = 64

    def __post_init__(self):
        check_int("width", self.width, 3, 32)
        check_int("frac", self.frac, 0, self.width - 2)
        check_int("x_width", self.x_width, 8, 32)
        check_choice("source", self.source, sc.SOURCES)
        if self.source == "lfsr":
            sc.check_seed(self.x_width, self.seed)
        else:
            check_int("seed", self.seed, 0, (1 << self.x_width) - 1)
        check_int("input_scale", self.input_scale, *int_range(self.width))
        lif_core(self)  # validates the LIF fields

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``x``: unsigned ``x_width`` bits, ``p = x / 2**x_width``."""
        return (PortSpec("x", self.x_width, False, self.x_width),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """``rng`` (SNG source), then the LIF's ``v`` and ``refrac``."""
        return (PortSpec("rng", self.x_width, False, 0, self.seed),
                *lif_core(self).state_ports())

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """Any probability."""
        return {"x": (0, (1 << self.x_width) - 1)}


@lru_cache(maxsize=256)
def lif_core(p) -> lif.LIFParams:
    """The LIF inside: ``p``'s LIF fields with gain 1.0 (``gain_k = 2**frac``)."""
    return lif.LIFParams(width=p.width, frac=p.frac, v_rest=p.v_rest, v_reset=p.v_reset,
                         v_threshold=p.v_threshold, leak_k=p.leak_k, gain_k=1 << p.frac,
                         refractory=p.refractory, overflow=p.overflow, rounding=p.rounding)


class SCLIFState(NamedTuple):
    """Stochastic LIF state (int64 arrays)."""

    rng: np.ndarray
    v: np.ndarray
    refrac: np.ndarray


def step(params: SCLIFParams, state: SCLIFState, x=0) -> tuple[SCLIFState, np.ndarray]:
    """One clock: SNG bit, LIF step on ``bit * input_scale``, SNG source steps."""
    p = params
    bit = random_value(p.source, p.x_width, state.rng) < np.asarray(x, dtype=np.int64)
    new, spike = lif.step(lif_core(p), lif.LIFState(state.v, state.refrac),
                          i_in=bit * np.int64(p.input_scale), noise_in=0)
    return SCLIFState(advance(p.source, p.x_width, state.rng), new.v, new.refrac), spike


#: ``lfsr8`` (default: Q(16,8) LIF, threshold 1.0, one 1-bit = 0.25), ``vdc8``,
#: ``lfsr12_wrap`` (Q(12,6) wrapping LIF, 12-bit stream).
PRESETS: dict[str, SCLIFParams] = {
    "lfsr8": SCLIFParams(),
    "vdc8": SCLIFParams(source="vdc", seed=0),
    "lfsr12_wrap": SCLIFParams(width=12, frac=6, v_rest=-8, v_reset=-16, v_threshold=200,
                               leak_k=3, refractory=1, overflow="wrap", x_width=12,
                               seed=0x9A5, input_scale=100),
}

MODEL = Model(
    name="sc_lif",
    summary="stochastic LIF: SNG bit x input_scale into the LIF arithmetic",
    params_cls=SCLIFParams,
    state_cls=SCLIFState,
    presets=PRESETS,
    step=step,
)
