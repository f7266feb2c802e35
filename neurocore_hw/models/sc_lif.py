"""Stochastic LIF: a LIF neuron whose input current is a bitstream.

Each clock an SNG (see :mod:`neurocore_hw.models.sc_sng`) turns the probability code
``x`` into a bit; the LIF integrates ``i_in = bit * input_scale`` with exactly the LIF
golden model's arithmetic (:func:`neurocore_hw.models.lif.step`, gain 1.0, no noise), so
its mean drive is ``p * input_scale``. State: the SNG source ``rng`` and the LIF's ``v``
and ``refrac``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .. import sc
from ..fixed import check_choice, check_int, int_range
from ..model import Model, ModelParams, PortSpec
from . import lif
from .sc_common import StreamNeuronReal
from .sc_fast import block_kernel as sc_block_kernel
from .sc_sng import advance, random_value

__all__ = ["MODEL", "PRESETS", "STREAM_LIF", "SCLIFParams", "SCLIFReal", "SCLIFState",
           "check_stream_lif", "step"]


#: The LIF inside the default stochastic LIF: Q(16,8), threshold 1.0, gain 1.0, saturating.
STREAM_LIF = lif.LIFParams(gain_k=256, overflow="saturate")


def check_stream_lif(name: str, core) -> None:
    """The LIF a bitstream drives: a :class:`~neurocore_hw.models.lif.LIFParams` with gain
    1.0 (``gain_k == 2**frac``), so that one 1-bit adds exactly ``input_scale``."""
    if not isinstance(core, lif.LIFParams):
        raise TypeError(f"{name} must be LIFParams, got {type(core).__name__}")
    if core.gain_k != 1 << core.frac:
        raise ValueError(f"{name}.gain_k={core.gain_k} must be 2**{name}.frac = "
                         f"{1 << core.frac} (gain 1.0: one 1-bit adds input_scale)")


@dataclass(frozen=True)
class SCLIFParams(ModelParams):
    """Validated parameters of the stochastic LIF.

    Parameters
    ----------
    lif : LIFParams
        The LIF (:class:`~neurocore_hw.models.lif.LIFParams`) with gain 1.0
        (``gain_k = 2**frac``); its noise input is tied to 0. Set one of its fields with
        a dot: ``--param lif.width=12``.
    x_width : int
        Bits of the probability code ``x`` and of the SNG source, 8..32.
    source : {"lfsr", "vdc"}
    seed : int
        SNG seed (non-zero for an LFSR; the counter's reset value for ``"vdc"``).
    input_scale : int
        Current of one 1-bit, ``Q(lif.width, lif.frac)``.
    """

    lif: lif.LIFParams = STREAM_LIF
    x_width: int = 8
    source: str = "lfsr"
    seed: int = 1
    input_scale: int = 64

    def __post_init__(self):
        check_stream_lif("lif", self.lif)
        check_int("x_width", self.x_width, 8, 32)
        check_choice("source", self.source, sc.SOURCES)
        if self.source == "lfsr":
            sc.check_seed(self.x_width, self.seed)
        else:
            check_int("seed", self.seed, 0, (1 << self.x_width) - 1)
        check_int("input_scale", self.input_scale, *int_range(self.lif.width))

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``x``: unsigned ``x_width`` bits, ``p = x / 2**x_width``."""
        return (PortSpec("x", self.x_width, False, self.x_width),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """``rng`` (SNG source), then the LIF's ``v`` and ``refrac``."""
        return (PortSpec("rng", self.x_width, False, 0, self.seed),
                *self.lif.state_ports())

    def state_limits(self) -> dict[str, tuple[int, int]]:
        """The LIF's."""
        return self.lif.state_limits()

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """Any probability."""
        return {"x": (0, (1 << self.x_width) - 1)}


class SCLIFState(NamedTuple):
    """Stochastic LIF state (int64 arrays)."""

    rng: np.ndarray
    v: np.ndarray
    refrac: np.ndarray


def step(params: SCLIFParams, state: SCLIFState, x=0) -> tuple[SCLIFState, np.ndarray]:
    """One clock: SNG bit, LIF step on ``bit * input_scale``, SNG source steps."""
    p = params
    bit = random_value(p.source, p.x_width, state.rng) < np.asarray(x, dtype=np.int64)
    new, spike = lif.step(p.lif, lif.LIFState(state.v, state.refrac),
                          i_in=bit * np.int64(p.input_scale), noise_in=0)
    return SCLIFState(advance(p.source, p.x_width, state.rng), new.v, new.refrac), spike


#: ``lfsr8`` (default: Q(16,8) LIF, threshold 1.0, one 1-bit = 0.25), ``vdc8``,
#: ``lfsr12_wrap`` (Q(12,6) wrapping LIF, 12-bit stream).
@dataclass(frozen=True)
class SCLIFReal(StreamNeuronReal):
    """The stochastic LIF in real units; see
    :class:`~neurocore_hw.models.sc_common.StreamNeuronReal`."""


PRESETS: dict[str, SCLIFParams] = {
    "lfsr8": SCLIFParams(),
    "vdc8": SCLIFParams(source="vdc", seed=0),
    "lfsr12_wrap": SCLIFParams(
        lif=lif.LIFParams(width=12, frac=6, v_rest=-8, v_reset=-16, v_threshold=200,
                          leak_k=3, gain_k=64, refractory=1, overflow="wrap"),
        x_width=12, seed=0x9A5, input_scale=100),
}

MODEL = Model(
    name="sc_lif",
    summary="stochastic LIF: SNG bit x input_scale into the LIF arithmetic",
    params_cls=SCLIFParams,
    state_cls=SCLIFState,
    presets=PRESETS,
    step=step,
    block_kernel=sc_block_kernel("sc_lif"),
    real=SCLIFReal,
)
