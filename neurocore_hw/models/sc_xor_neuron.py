"""Dendritic XOR neuron: two input streams meet on a dendrite as ``d1 + d2 - 2 d1 d2``.

For bits that sum is ``d1 XOR d2``: the dendrite is active when exactly one input is,
which a single LIF point neuron cannot compute. Each clock two SNGs turn ``x1`` and ``x2``
into bits (LFSRs with the table and the mirrored taps, or one counter compared bit-reversed
and straight for ``"vdc"``), and a LIF integrates ``(d1 XOR d2) * input_scale`` with the
LIF golden arithmetic; it fires when the XOR drive ``p1 + p2 - 2 p1 p2`` is high enough.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .. import sc
from ..fixed import check_choice, check_int, int_range
from ..model import Model, ModelParams, PortSpec
from . import lif
from .sc_common import StreamNeuronReal, initial_state, two_streams
from .sc_fast import block_kernel as sc_block_kernel
from .sc_lif import STREAM_LIF, check_stream_lif

__all__ = ["MODEL", "PRESETS", "XOR_LIF", "XorNeuronParams", "XorNeuronReal", "step"]


#: The LIF inside the default XOR neuron: threshold 2.0.
XOR_LIF = dataclasses.replace(STREAM_LIF, v_threshold=512)


@dataclass(frozen=True)
class XorNeuronParams(ModelParams):
    """Validated parameters of the dendritic XOR neuron.

    Parameters
    ----------
    lif : LIFParams
        The LIF (gain 1.0, ``gain_k = 2**frac``); ``--param lif.v_threshold=512``.
    x_width : int
        Bits of ``x1``, ``x2`` and the sources, 8..32.
    source : {"lfsr", "vdc"}
    seed_a, seed_b : int
        LFSR seeds, or ``seed_a`` as the counter's reset value for ``"vdc"``.
    input_scale : int
        Current of an active dendrite, ``Q(lif.width, lif.frac)``.
    """

    lif: lif.LIFParams = XOR_LIF
    x_width: int = 8
    source: str = "lfsr"
    seed_a: int = 1
    seed_b: int = 0x5A
    input_scale: int = 64

    def __post_init__(self):
        check_stream_lif("lif", self.lif)
        check_int("x_width", self.x_width, 8, 32)
        check_choice("source", self.source, sc.SOURCES)
        if self.source == "lfsr":
            sc.check_seed(self.x_width, self.seed_a)
            sc.check_seed(self.x_width, self.seed_b)
        else:
            check_int("seed_a", self.seed_a, 0, (1 << self.x_width) - 1)
        check_int("input_scale", self.input_scale, *int_range(self.lif.width))

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Inputs ``x1``, ``x2``: unsigned ``x_width`` bits."""
        return (PortSpec("x1", self.x_width, False, self.x_width),
                PortSpec("x2", self.x_width, False, self.x_width))

    def state_ports(self) -> tuple[PortSpec, ...]:
        """``ra``, ``rb`` (LFSRs) or ``count``, then the LIF's ``v`` and ``refrac``."""
        w = self.x_width
        sources = ((PortSpec("count", w, False, 0, self.seed_a),) if self.source == "vdc"
                   else (PortSpec("ra", w, False, 0, self.seed_a),
                         PortSpec("rb", w, False, 0, self.seed_b)))
        return (*sources, *self.lif.state_ports())

    def state_limits(self) -> dict[str, tuple[int, int]]:
        """The LIF's."""
        return self.lif.state_limits()

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """Any probabilities."""
        top = (1 << self.x_width) - 1
        return {"x1": (0, top), "x2": (0, top)}


def step(params: XorNeuronParams, state, x1=0, x2=0):
    """One clock: two SNG bits, XOR, LIF step on ``xor * input_scale``, sources step."""
    p = params
    d1, d2, sources = two_streams(p.source, p.x_width, state, x1, x2)
    new, spike = lif.step(p.lif, lif.LIFState(state.v, state.refrac),
                          i_in=(d1 ^ d2) * np.int64(p.input_scale), noise_in=0)
    return type(state)(*sources, new.v, new.refrac), spike


#: ``lfsr8`` (default: threshold 2.0, an active dendrite drives 0.25 per clock, so it
#: fires for a XOR drive above about 0.5), ``vdc8``, ``lfsr16`` (16-bit streams).
@dataclass(frozen=True)
class XorNeuronReal(StreamNeuronReal):
    """The XOR-dendrite neuron in real units; see
    :class:`~neurocore_hw.models.sc_common.StreamNeuronReal`."""


PRESETS: dict[str, XorNeuronParams] = {
    "lfsr8": XorNeuronParams(),
    "vdc8": XorNeuronParams(source="vdc", seed_a=0),
    "lfsr16": XorNeuronParams(x_width=16, seed_a=0xACE1, seed_b=0x1234),
}

MODEL = Model(
    name="sc_xor_neuron",
    summary="dendritic XOR neuron: two SNG streams, d1 + d2 - 2 d1 d2, LIF",
    params_cls=XorNeuronParams,
    state_cls=None,
    presets=PRESETS,
    step=step,
    block_kernel=sc_block_kernel("sc_xor_neuron"),
    initial_state=initial_state,
    real=XorNeuronReal,
)
