"""Stochastic-computing multiplier: two SNG streams combined by AND (unipolar) or XNOR
(bipolar).

Sources (see :mod:`neurocore_hw.sc`): ``"lfsr"`` -- stream ``a`` from the table taps at
``seed_a``, ``b`` from the mirrored taps at ``seed_b``; ``"vdc"`` -- one ``width``-bit
counter, ``a`` compares its bit-reversed value and ``b`` the count itself (a thermometer
stream), which keeps the product count over a full period within 2.78 of ``x y / 2**W``
for every pair of 8-bit codes. Each clock: output bit from the present state, then every
source steps.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fixed import check_choice
from ..model import Model, ModelParams, PortSpec
from .sc_common import StreamReal, check_sources, initial_state, source_ports, two_streams
from .sc_fast import block_kernel as sc_block_kernel

__all__ = ["SCMulReal", "MODEL", "OPS", "PRESETS", "SCMulParams", "step"]

OPS = ("and", "xnor")


@dataclass(frozen=True)
class SCMulParams(ModelParams):
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
        check_sources(self)
        check_choice("op", self.op, OPS)

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Inputs ``x``, ``y``: unsigned ``width`` bits, ``p = code / 2**width``."""
        return (PortSpec("x", self.width, False, self.width),
                PortSpec("y", self.width, False, self.width))

    def state_ports(self) -> tuple[PortSpec, ...]:
        """``ra``, ``rb`` (LFSRs) or ``count`` (counter), unsigned."""
        return source_ports(self, extra_bit=False, select=False)

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """Any probabilities."""
        top = (1 << self.width) - 1
        return {"x": (0, top), "y": (0, top)}


def step(params: SCMulParams, state, x=0, y=0):
    """One clock: the product bit, then the sources step."""
    a, b, sources = two_streams(params.source, params.width, state, x, y)
    return type(state)(*sources), (a & b if params.op == "and" else a == b)


#: ``lfsr8_and`` (default), ``lfsr12_xnor`` (bipolar), ``vdc8_and``.
@dataclass(frozen=True)
class SCMulReal(StreamReal):
    """The multiplier in real units: its stream length."""


PRESETS: dict[str, SCMulParams] = {
    "lfsr8_and": SCMulParams(),
    "lfsr12_xnor": SCMulParams(width=12, op="xnor", seed_a=0x123, seed_b=0xABC),
    "vdc8_and": SCMulParams(source="vdc", seed_a=0),
}

MODEL = Model(
    name="sc_mul",
    summary="SC multiply of two SNG streams: AND (unipolar) or XNOR (bipolar)",
    params_cls=SCMulParams,
    state_cls=None,
    presets=PRESETS,
    step=step,
    block_kernel=sc_block_kernel("sc_mul"),
    initial_state=initial_state,
    real=SCMulReal,
)
