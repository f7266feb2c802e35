"""Leaky integrator (LI): a non-spiking membrane for readout layers.

Number format: ``v`` and ``i_in`` are signed ``Q(width, frac)``; ``leak_k`` and ``gain_k``
are ``Q(frac)`` constants. One step, ``>>`` under ``rounding``, ``ovf`` to ``width`` bits::

    v = ovf(v - ((v * leak_k) >> frac) + ((i_in * gain_k) >> frac))

``spike`` is always 0 (the port exists so that every unit has the same interface).
Constructors: :meth:`LIParams.from_norse` (``v += dt tau_mem_inv (i - v)``) and
:meth:`LIParams.from_beta` (snnTorch/spyx ``v = beta v + x``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..fixed import (
    OVERFLOW_MODES,
    ROUNDING_MODES,
    check_choice,
    check_int,
    int_range,
    overflow,
    quantize,
    shift_right,
)
from ..model import Model, ModelParams, PortSpec
from ..real import Format, RealModel, leaky_codes, leaky_reals, real_field
from .fast_common import (
    BlockBuffers,
    WorkArrays,
    overflow_inplace,
    scaled_bound,
    scaled_into,
    work_dtype,
)

__all__ = ["LIBlockKernel", "LIReal", "MODEL", "PRESETS", "LIParams", "LIState",
           "block_kernel", "reference", "step"]


@dataclass(frozen=True)
class LIParams(ModelParams):
    """Validated integer parameters of the leaky integrator.

    Parameters
    ----------
    width : int
        Width of ``v`` and ``i_in``, 2..32.
    frac : int
        Fractional bits, 0..width-1.
    leak_k : int
        Fraction of ``v`` lost per step as ``Q(frac)``, 0..2**frac.
    gain_k : int
        Input gain as ``Q(frac)``, signed ``width`` bits.
    rounding : {"floor", "nearest"}
    overflow : {"wrap", "saturate"}
    """

    width: int = 16
    frac: int = 8
    leak_k: int = 26
    gain_k: int = 26
    rounding: str = "nearest"
    overflow: str = "saturate"

    def __post_init__(self):
        check_int("width", self.width, 2, 32)
        check_int("frac", self.frac, 0, self.width - 1)
        check_int("leak_k", self.leak_k, 0, 1 << self.frac)
        check_int("gain_k", self.gain_k, *int_range(self.width))
        check_choice("rounding", self.rounding, ROUNDING_MODES)
        check_choice("overflow", self.overflow, OVERFLOW_MODES)

    @property
    def fires(self) -> bool:
        """Never: a leaky integrator is a readout (its output is ``v``)."""
        return False

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``i_in``: signed ``Q(width, frac)``."""
        return (PortSpec("i_in", self.width, True, self.frac),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State ``v``: signed ``Q(width, frac)``, reset 0."""
        return (PortSpec("v", self.width, True, self.frac, 0),)

    @classmethod
    def from_norse(cls, tau_mem_inv: float, *, dt: float = 1e-3, width: int = 16,
                   frac: int = 8, **kw) -> LIParams:
        """Norse ``LIBoxCell``: ``v += dt tau_mem_inv (i - v)``, so leak = gain = dt
        tau_mem_inv, quantized to ``Q(frac)``.

        Raises
        ------
        ValueError
            If ``dt * tau_mem_inv`` is not in (0, 1].
        """
        rate = dt * tau_mem_inv
        if not 0.0 < rate <= 1.0:
            raise ValueError(f"tau_mem_inv * dt must be in (0, 1], got {rate}")
        k = quantize("dt * tau_mem_inv", rate, width + 1, frac).value
        return cls(width=width, frac=frac, leak_k=k, gain_k=k, **kw)

    @classmethod
    def from_beta(cls, beta: float, *, width: int = 16, frac: int = 8, **kw) -> LIParams:
        """snnTorch/spyx ``v = beta v + x``: leak ``1 - beta``, gain 1.

        Raises
        ------
        ValueError
            If ``beta`` is outside [0, 1].
        """
        if not 0.0 <= beta <= 1.0:
            raise ValueError(f"beta must be in [0, 1], got {beta}")
        leak = quantize("1 - beta", 1.0 - beta, width + 1, frac).value
        return cls(width=width, frac=frac, leak_k=leak, gain_k=1 << frac, **kw)


class LIState(NamedTuple):
    """LI state: membrane ``v`` (int64 array)."""

    v: np.ndarray


def step(params: LIParams, state: LIState, i_in=0) -> tuple[LIState, np.ndarray]:
    """Advance every neuron one step, bit-true to the RTL; the spike is always False.

    Parameters
    ----------
    params : LIParams
    state : LIState
    i_in : int or numpy.ndarray of int
        Input, signed ``Q(width, frac)``.

    Returns
    -------
    state : LIState
    spike : numpy.ndarray of bool
    """
    p = params
    v = np.asarray(state.v, np.int64)
    leak = shift_right(v * p.leak_k, p.frac, p.rounding)
    drive = shift_right(np.asarray(i_in, np.int64) * p.gain_k, p.frac, p.rounding)
    v_next = overflow(v - leak + drive, p.width, p.overflow)
    return LIState(v_next), np.zeros(v_next.shape, dtype=bool)


def _bound(p: LIParams) -> int:
    """The largest magnitude any intermediate of a step can take (register ranges)."""
    v = 1 << (p.width - 1)
    drive = (v * abs(p.gain_k) >> p.frac) + 1
    return max(scaled_bound(v, p.leak_k, p.frac), scaled_bound(v, p.gain_k, p.frac),
               2 * v + 1 + drive)


class LIBlockKernel(WorkArrays):
    """The engine's LI fast path for a block of neurons (see :mod:`.fast_common`).

    The drive ``(i_in * gain_k) >> frac`` does not depend on the state: it is prepared for
    a chunk of steps at once (a copy, or nothing, at gain 1). A step is the leak product
    and its rounding, two adds and the overflow, in ``int16`` where the bound of every
    intermediate allows, else ``int32``. The spike output is always False.

    Parameters
    ----------
    params : LIParams
        Parameters whose intermediates fit ``int32`` (:func:`block_kernel` checks).
    n : int
        Neurons in the block.
    """

    fields = ("v",)

    def __init__(self, params: LIParams, n: int):
        self.p = params
        dtype = work_dtype(_bound(params))
        self.v = np.zeros(n, dtype=dtype)
        self._t = np.empty(n, dtype=dtype)
        self._buffers = BlockBuffers(dtype, n)
        self._consts: dict = {}

    def prepare(self, i_in: np.ndarray) -> np.ndarray:
        """The chunk's drive ``(i_in * gain_k) >> frac``, ``[T, n]`` in the work dtype."""
        p = self.p
        return self._buffers.scaled(i_in, p.gain_k, p.frac, p.rounding)

    def run(self, d: np.ndarray, spikes: np.ndarray) -> None:
        """Advance ``len(d)`` steps; the rows of ``spikes`` are set to False."""
        p, v, t = self.p, self.v, self._t
        spikes.fill(False)
        for k in range(len(d)):
            scaled_into(v, p.leak_k, p.frac, p.rounding, t)
            np.subtract(v, t, out=v)
            np.add(v, d[k], out=v)
            overflow_inplace(v, p.width, p.overflow, self._consts)


def block_kernel(params: LIParams, n: int) -> LIBlockKernel | None:
    """:class:`LIBlockKernel` where every intermediate fits ``int32``, else None."""
    return LIBlockKernel(params, n) if work_dtype(_bound(params)) is not None else None


def reference(params: LIParams, i_in) -> np.ndarray:
    """Float64 ideal dynamics in real units with the quantized constants read as reals.

    Parameters
    ----------
    params : LIParams
    i_in : array_like of float, shape (T, N)

    Returns
    -------
    numpy.ndarray of float64, shape (T, N)
        ``v`` after each step.
    """
    scale = float(1 << params.frac)
    leak, gain = params.leak_k / scale, params.gain_k / scale
    i_in = np.atleast_2d(np.asarray(i_in, dtype=np.float64))
    v = np.zeros(i_in.shape[1])
    trace = np.empty(i_in.shape)
    for t in range(i_in.shape[0]):
        v = v - v * leak + i_in[t] * gain
        trace[t] = v
    return trace


#: ``q8_8``: Q(16,8), leak = gain = 26/256 (Norse tau_mem_inv 100/s at dt 1 ms, the
#: default); ``beta_0_9_wrap``: snnTorch beta 0.9 at Q(12,6), floor, wrapping;
#: ``q16_16``: a 32-bit readout.
@dataclass(frozen=True)
class LIReal(RealModel):
    """The leaky integrator in real units: ``tau_mem dv/dt = -v + resistance * I``.

    ``leak_k = round(2**frac (1 - exp(-dt/tau_mem)))``, ``gain_k = round(2**frac
    resistance (1 - exp(-dt/tau_mem)))``.
    """

    tau_mem: float = real_field(10.0, "ms", "membrane time constant", positive=True)
    dt: float = real_field(1.0, "ms", "time step", positive=True)
    resistance: float = real_field(1.0, "", "membrane resistance (R I is a voltage)")

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """``leak_k`` and ``gain_k`` in ``fmt``."""
        return {**fmt.settings(base), **leaky_codes(fmt, tau=self.tau_mem, dt=self.dt,
                                                      resistance=self.resistance)}

    @classmethod
    def from_params(cls, params: LIParams, dt: float = 1.0) -> LIReal:
        """The real integrator ``params`` stand for, at step ``dt`` ms."""
        return cls(**leaky_reals(params, dt), dt=dt)


PRESETS: dict[str, LIParams] = {
    "q8_8": LIParams(),
    "beta_0_9_wrap": LIParams.from_beta(0.9, width=12, frac=6, rounding="floor",
                                        overflow="wrap"),
    "q16_16": LIParams(width=32, frac=16, leak_k=3277, gain_k=65536),
}

MODEL = Model(
    name="li",
    summary="leaky integrator, non-spiking (readout), Q(width, frac)",
    params_cls=LIParams,
    state_cls=LIState,
    presets=PRESETS,
    step=step,
    reference=reference,
    block_kernel=block_kernel,
    real=LIReal,
)
