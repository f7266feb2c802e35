"""Integrate-and-fire (IF): no leak; reset to a value or by subtracting the threshold.

Number format: ``v``, ``v_threshold``, ``v_reset`` and the input ``i_in`` are signed
``Q(width, frac)``. One step, per neuron, ``ovf`` wrapping or saturating to ``width``::

    v_next = ovf(v + i_in)
    if v_next >= v_threshold:  spike; v = v_reset                     (reset="value")
                                      v = ovf(v_next - v_threshold)    (reset="subtract")
    else:                      v = v_next

Reset state: ``v = v_reset``. Registered name ``if`` (``if`` is a Python keyword, hence
the module name).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..fixed import OVERFLOW_MODES, check_choice, check_int, int_range, overflow, quantize
from ..model import Model, ModelParams, PortSpec
from ..real import Format, RealModel, real_field
from .fast_common import (
    BlockBuffers,
    WorkArrays,
    const,
    keep_mask,
    overflow_inplace,
    reset_where,
    subtract_where,
    work_dtype,
)

__all__ = ["IFBlockKernel", "IFReal", "MODEL", "PRESETS", "RESET_MODES", "IFParams", "IFState",
           "block_kernel", "reference", "step"]

RESET_MODES = ("value", "subtract")


@dataclass(frozen=True)
class IFParams(ModelParams):
    """Validated integer parameters of the IF neuron.

    Parameters
    ----------
    width : int
        Width of ``v`` and ``i_in``, 2..32.
    frac : int
        Fractional bits of ``Q(width, frac)``, 0..width-1.
    v_threshold : int
        Firing threshold, ``Q(width, frac)``; > 0 for ``reset="subtract"``.
    v_reset : int
        Reset value (``reset="value"``) and the state after reset, ``Q(width, frac)``.
    reset : {"value", "subtract"}
        After a spike: ``v = v_reset`` or ``v -= v_threshold``.
    overflow : {"wrap", "saturate"}
        What happens when a sum leaves the ``width``-bit range.
    """

    width: int = 16
    frac: int = 8
    v_threshold: int = 256
    v_reset: int = 0
    reset: str = "value"
    overflow: str = "saturate"

    def __post_init__(self):
        check_int("width", self.width, 2, 32)
        check_int("frac", self.frac, 0, self.width - 1)
        lo, hi = int_range(self.width)
        check_int("v_threshold", self.v_threshold, lo, hi)
        check_int("v_reset", self.v_reset, lo, hi)
        check_choice("reset", self.reset, RESET_MODES)
        check_choice("overflow", self.overflow, OVERFLOW_MODES)
        if self.reset == "subtract" and self.v_threshold <= 0:
            raise ValueError(f"v_threshold must be > 0 with reset='subtract', got "
                             f"{self.v_threshold}")

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``i_in``: signed ``Q(width, frac)``."""
        return (PortSpec("i_in", self.width, True, self.frac),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State ``v``: signed ``Q(width, frac)``, reset ``v_reset``."""
        return (PortSpec("v", self.width, True, self.frac, self.v_reset),)


class IFState(NamedTuple):
    """IF state: membrane ``v`` (int64 array)."""

    v: np.ndarray


def step(params: IFParams, state: IFState, i_in=0) -> tuple[IFState, np.ndarray]:
    """Advance every neuron one step, bit-true to the RTL.

    Parameters
    ----------
    params : IFParams
    state : IFState
    i_in : int or numpy.ndarray of int
        Input, signed ``Q(width, frac)``.

    Returns
    -------
    state : IFState
    spike : numpy.ndarray of bool
    """
    p = params
    v_next = overflow(np.asarray(state.v, np.int64) + np.asarray(i_in, np.int64), p.width,
                      p.overflow)
    spike = v_next >= p.v_threshold
    if p.reset == "value":
        after = np.full_like(v_next, p.v_reset)
    else:
        after = overflow(v_next - p.v_threshold, p.width, p.overflow)
    return IFState(np.where(spike, after, v_next)), spike


class IFBlockKernel(WorkArrays):
    """The engine's IF fast path for a block of neurons (see :mod:`.fast_common`).

    ``v`` and the input live in ``int16`` where ``|v + i_in| <= 2**width`` fits it
    (``width <= 15``, or the 16-bit wrapping format, whose overflow is ``int16``'s own),
    else ``int32``. A step is the add, the overflow, the compare and the reset: four to
    eight ufunc calls. :func:`step` is the specification; ``tests/test_family_kernels.py``
    holds this equal to it.

    Parameters
    ----------
    params : IFParams
        ``width <= 30``.
    n : int
        Neurons in the block.
    """

    fields = ("v",)

    def __init__(self, params: IFParams, n: int):
        p = self.p = params
        native16 = p.width == 16 and p.overflow == "wrap"
        dtype = np.int16 if native16 else work_dtype(1 << p.width)
        self.v = np.zeros(n, dtype=dtype)
        self._keep, self._t = np.empty(n, dtype=dtype), np.empty(n, dtype=dtype)
        self._buffers = BlockBuffers(dtype, n)
        self._consts: dict = {}
        self._thr = const(p.v_threshold, dtype)
        self._reset = const(p.v_reset, dtype) if p.v_reset else None

    def prepare(self, i_in: np.ndarray) -> np.ndarray:
        """The chunk's input ``[T, n]`` in the work dtype."""
        return self._buffers.scaled(i_in, 1, 0, "floor")

    def run(self, d: np.ndarray, spikes: np.ndarray) -> None:
        """Advance ``len(d)`` steps; each step's spikes go into a row of ``spikes``."""
        p, v, keep, t, thr = self.p, self.v, self._keep, self._t, self._thr
        for k in range(len(d)):
            np.add(v, d[k], out=v)
            overflow_inplace(v, p.width, p.overflow, self._consts)
            np.greater_equal(v, thr, out=spikes[k])
            if p.reset == "value":
                reset_where(v, keep_mask(spikes[k], keep), self._reset)
            else:  # v >= threshold > 0: v - threshold is in range
                subtract_where(v, spikes[k], thr, t)


def block_kernel(params: IFParams, n: int) -> IFBlockKernel | None:
    """:class:`IFBlockKernel`, or None above 30 bits (the engine's step kernel)."""
    return IFBlockKernel(params, n) if params.width <= 30 else None


def reference(params: IFParams, i_in) -> tuple[np.ndarray, np.ndarray]:
    """Float64 ideal dynamics in real units (``x / 2**frac``): no overflow.

    Parameters
    ----------
    params : IFParams
    i_in : array_like of float, shape (T, N)
        Input in real units.

    Returns
    -------
    spikes : numpy.ndarray of bool, shape (T, N)
    v : numpy.ndarray of float64, shape (T, N)
    """
    scale = float(1 << params.frac)
    th, reset = params.v_threshold / scale, params.v_reset / scale
    i_in = np.atleast_2d(np.asarray(i_in, dtype=np.float64))
    v = np.full(i_in.shape[1], reset)
    spikes = np.zeros(i_in.shape, dtype=bool)
    trace = np.empty(i_in.shape)
    for t in range(i_in.shape[0]):
        v = v + i_in[t]
        fired = v >= th
        v = np.where(fired, reset if params.reset == "value" else v - th, v)
        spikes[t], trace[t] = fired, v
    return spikes, trace


#: ``q8_8``: Q(16,8), threshold 1.0, reset to 0, saturating (the default);
#: ``subtract_wrap``: reset by subtraction, wrapping Q(12,6) (the rate-coding IF of
#: ANN-to-SNN conversion); ``q4_4``: 8-bit, threshold 2.5, reset to -1.0.
@dataclass(frozen=True)
class IFReal(RealModel):
    """The integrate-and-fire neuron in real units: threshold and reset potential."""

    v_threshold: float = real_field(1.0, "v", "firing threshold")
    v_reset: float = real_field(0.0, "v", "potential after a spike (reset \"value\")")

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """``v_threshold`` and ``v_reset`` in ``fmt``."""
        return {**fmt.settings(base),
                **{name: quantize(name, getattr(self, name), fmt.width, fmt.frac)
                   for name in ("v_threshold", "v_reset")}}

    @classmethod
    def from_params(cls, params: IFParams) -> IFReal:
        """The real thresholds ``params`` stand for."""
        scale = float(1 << params.frac)
        return cls(v_threshold=params.v_threshold / scale, v_reset=params.v_reset / scale)


PRESETS: dict[str, IFParams] = {
    "q8_8": IFParams(),
    "subtract_wrap": IFParams(width=12, frac=6, v_threshold=64, v_reset=0,
                              reset="subtract", overflow="wrap"),
    "q4_4": IFParams(width=8, frac=4, v_threshold=40, v_reset=-16),
}

MODEL = Model(
    name="if",
    summary="integrate-and-fire, no leak, reset to a value or by subtraction",
    params_cls=IFParams,
    state_cls=IFState,
    presets=PRESETS,
    step=step,
    reference=reference,
    block_kernel=block_kernel,
    real=IFReal,
)
