"""Counter decoder: counts the ones of a bitstream over windows of ``2**log2_length``.

Every clock ``count`` adds the input ``stream``; on the last clock of a window the total is
latched into ``value``, ``count`` restarts at 0 and ``spike`` (window done) is 1. The
decoded unipolar probability is ``value / 2**log2_length``; bipolar ``2 value / L - 1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from ..fixed import check_int
from ..model import Model, ModelParams, PortSpec
from .sc_common import StreamReal
from .sc_fast import block_kernel as sc_block_kernel

__all__ = ["DecoderReal", "MODEL", "PRESETS", "DecoderParams", "DecoderState", "step"]


@dataclass(frozen=True)
class DecoderParams(ModelParams):
    """Validated parameters of the counter decoder.

    Parameters
    ----------
    log2_length : int
        Window length ``L = 2**log2_length`` clocks, 1..24.
    """

    log2_length: int = 8

    def __post_init__(self):
        check_int("log2_length", self.log2_length, 1, 24)

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``stream``: 1 bit."""
        return (PortSpec("stream", 1, False, 0),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """``phase`` (clock in window), ``count`` (running), ``value`` (last window)."""
        n = self.log2_length
        return (PortSpec("phase", n, False, 0, 0), PortSpec("count", n + 1, False, 0, 0),
                PortSpec("value", n + 1, False, n, 0))

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """0 or 1."""
        return {"stream": (0, 1)}


class DecoderState(NamedTuple):
    """Decoder state (int64 arrays)."""

    phase: np.ndarray
    count: np.ndarray
    value: np.ndarray


def step(params: DecoderParams, state: DecoderState, stream=0
         ) -> tuple[DecoderState, np.ndarray]:
    """One clock: count, and at the window's end latch ``value`` and restart."""
    last = (1 << params.log2_length) - 1
    # count <= phase + 1 <= 2**n from reset; the n+1-bit register wraps beyond (unreachable)
    total = (state.count + np.asarray(stream, dtype=np.int64)) & (2 * last + 1)
    done = state.phase == last
    return DecoderState((state.phase + 1) & last, np.where(done, 0, total),
                        np.where(done, total, state.value)), done


#: Window of 64, 256 (default) and 4096 clocks.
@dataclass(frozen=True)
class DecoderReal(StreamReal):
    """The decoder in real units: its window length (clocks)."""

    width_field: ClassVar[str] = "log2_length"
    width_range: ClassVar[tuple[int, int]] = (1, 24)


PRESETS: dict[str, DecoderParams] = {
    "l256": DecoderParams(), "l64": DecoderParams(6), "l4096": DecoderParams(12)}

MODEL = Model(
    name="sc_decoder",
    summary="counter decoder: ones of a bitstream per 2^n-clock window",
    params_cls=DecoderParams,
    state_cls=DecoderState,
    presets=PRESETS,
    step=step,
    block_kernel=sc_block_kernel("sc_decoder"),
    real=DecoderReal,
)
