"""Shift-leak LIF (Xylo-style, multiplier-free): decays are arithmetic right shifts.

Number format: ``syn``, ``v``, ``i_in`` and ``v_threshold`` are signed ``width``-bit
integers (``frac`` only labels their scale). With ``step(x, s) = x >> s`` (floor), except
that it is 1 when that is 0 and ``x > 0`` -- so a nonzero value always moves at least one
LSB toward 0 (for ``x < 0`` the floor shift is already <= -1)::

    syn = sat(syn - step(syn, dash_syn) + i_in)
    v   = sat(v - step(v, dash_mem) + syn)
    if v >= v_threshold: spike, v = v - v_threshold        (reset by subtraction)

The new ``syn`` feeds ``v`` in the same step. Reset state ``syn = v = 0``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..fixed import QuantizedValue, check_int, int_range, quantize, saturate
from ..model import Model, ModelParams, PortSpec
from ..real import Format, RealModel, leak_of_tau, real_field, tau_of_leak
from .fast_common import (
    BlockBuffers,
    WorkArrays,
    const,
    overflow_inplace,
    subtract_where,
    work_dtype,
)

__all__ = ["MODEL", "PRESETS", "ShiftLIFBlockKernel", "ShiftLIFParams", "ShiftLIFReal",
           "ShiftLIFState", "block_kernel", "dash_of_tau", "decay_step", "reference", "step"]


@dataclass(frozen=True)
class ShiftLIFParams(ModelParams):
    """Validated integer parameters of the shift-leak LIF.

    Parameters
    ----------
    width : int
        Width of ``syn``, ``v`` and ``i_in``, 4..32.
    frac : int
        Fractional bits (scale label for real units), 0..width-1.
    dash_syn, dash_mem : int
        Decay shifts: a decay factor of ``1 - 2**-dash``, 0..width-1.
    v_threshold : int
        Threshold, 1..2**(width-1)-1.
    """

    width: int = 16
    frac: int = 8
    dash_syn: int = 2
    dash_mem: int = 4
    v_threshold: int = 4096

    def __post_init__(self):
        check_int("width", self.width, 4, 32)
        check_int("frac", self.frac, 0, self.width - 1)
        check_int("dash_syn", self.dash_syn, 0, self.width - 1)
        check_int("dash_mem", self.dash_mem, 0, self.width - 1)
        check_int("v_threshold", self.v_threshold, 1, int_range(self.width)[1])

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``i_in``: signed ``width`` bits."""
        return (PortSpec("i_in", self.width, True, self.frac),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State ``syn`` and ``v``: signed ``width`` bits, reset 0."""
        return (PortSpec("syn", self.width, True, self.frac, 0),
                PortSpec("v", self.width, True, self.frac, 0))

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """About a tenth of the threshold per step, mostly excitatory."""
        hi = max(4, self.v_threshold >> (self.dash_syn + 2))
        return {"i_in": (-hi // 4, hi)}


class ShiftLIFState(NamedTuple):
    """Shift-leak LIF state: ``syn`` and ``v`` (int64 arrays)."""

    syn: np.ndarray
    v: np.ndarray


def decay_step(x, shift: int):
    """``x >> shift`` (floor), but 1 where that is 0 and ``x > 0``."""
    x = np.asarray(x, dtype=np.int64)
    d = x >> shift
    return np.where((d == 0) & (x > 0), 1, d)


def step(params: ShiftLIFParams, state: ShiftLIFState, i_in=0
         ) -> tuple[ShiftLIFState, np.ndarray]:
    """Advance every neuron one step, bit-true to the RTL.

    Parameters
    ----------
    params : ShiftLIFParams
    state : ShiftLIFState
    i_in : int or numpy.ndarray of int
        Input, signed ``width`` bits.

    Returns
    -------
    state : ShiftLIFState
    spike : numpy.ndarray of bool
    """
    p, w = params, params.width
    syn = np.asarray(state.syn, np.int64)
    v = np.asarray(state.v, np.int64)
    syn = saturate(syn - decay_step(syn, p.dash_syn) + np.asarray(i_in, np.int64), w)
    v = saturate(v - decay_step(v, p.dash_mem) + syn, w)
    spike = v >= p.v_threshold
    return ShiftLIFState(syn, np.where(spike, v - p.v_threshold, v)), spike


class ShiftLIFBlockKernel(WorkArrays):
    """The engine's shift-leak LIF fast path for a block of neurons (see
    :mod:`.fast_common`).

    ``x - decay_step(x, s)`` is ``x - max(x >> s, min(x, 1))``: for ``x > 0`` that is at
    least one LSB, for ``x <= 0`` ``x >> s >= x`` so the floor shift stands. State and
    input in ``int16`` where ``|x - decay + input| <= 2**width`` fits it, else ``int32``;
    a step is 16 ufunc calls.

    Parameters
    ----------
    params : ShiftLIFParams
        ``width <= 30``.
    n : int
        Neurons in the block.
    """

    fields = ("syn", "v")

    def __init__(self, params: ShiftLIFParams, n: int):
        p = self.p = params
        dtype = work_dtype(1 << p.width)
        self.syn, self.v = np.zeros(n, dtype=dtype), np.zeros(n, dtype=dtype)
        self._t, self._u = np.empty(n, dtype=dtype), np.empty(n, dtype=dtype)
        self._buffers = BlockBuffers(dtype, n)
        self._consts: dict = {}
        self._one, self._thr = const(1, dtype), const(p.v_threshold, dtype)
        self._dash = const(p.dash_syn, dtype), const(p.dash_mem, dtype)

    def prepare(self, i_in: np.ndarray) -> np.ndarray:
        """The chunk's input ``[T, n]`` in the work dtype."""
        return self._buffers.scaled(i_in, 1, 0, "floor")

    def _decay(self, x: np.ndarray, shift: np.ndarray) -> None:
        t, u = self._t, self._u
        np.right_shift(x, shift, out=t)
        np.minimum(x, self._one, out=u)
        np.maximum(t, u, out=t)
        np.subtract(x, t, out=x)

    def run(self, d: np.ndarray, spikes: np.ndarray) -> None:
        """Advance ``len(d)`` steps; each step's spikes go into a row of ``spikes``."""
        p, syn, v, t = self.p, self.syn, self.v, self._t
        for k in range(len(d)):
            self._decay(syn, self._dash[0])
            np.add(syn, d[k], out=syn)
            overflow_inplace(syn, p.width, "saturate", self._consts)
            self._decay(v, self._dash[1])
            np.add(v, syn, out=v)
            overflow_inplace(v, p.width, "saturate", self._consts)
            np.greater_equal(v, self._thr, out=spikes[k])
            subtract_where(v, spikes[k], self._thr, t)


def block_kernel(params: ShiftLIFParams, n: int) -> ShiftLIFBlockKernel | None:
    """:class:`ShiftLIFBlockKernel`, or None above 30 bits (the engine's step kernel)."""
    return ShiftLIFBlockKernel(params, n) if params.width <= 30 else None


def reference(params: ShiftLIFParams, i_in) -> tuple[np.ndarray, np.ndarray]:
    """Float64 ideal dynamics: exact decay factors ``1 - 2**-dash``, no rounding.

    Returns
    -------
    spikes : numpy.ndarray of bool, shape (T, N)
    v : numpy.ndarray of float64, shape (T, N)
    """
    ks, km = 1.0 - 2.0 ** -params.dash_syn, 1.0 - 2.0 ** -params.dash_mem
    i_in = np.atleast_2d(np.asarray(i_in, dtype=np.float64))
    syn, v = np.zeros(i_in.shape[1]), np.zeros(i_in.shape[1])
    spikes = np.zeros(i_in.shape, dtype=bool)
    trace = np.empty(i_in.shape)
    for t in range(i_in.shape[0]):
        syn = ks * syn + i_in[t]
        v = km * v + syn
        fired = v >= params.v_threshold
        v = np.where(fired, v - params.v_threshold, v)
        spikes[t], trace[t] = fired, v
    return spikes, trace


def dash_of_tau(tau: float, dt: float, width: int) -> QuantizedValue:
    """The decay shift nearest a time constant: ``round(-log2(1 - exp(-dt/tau)))`` in
    ``0..width-1``, with its error in shift units."""
    ideal = -math.log2(leak_of_tau(tau, dt))
    code = min(max(int(math.floor(ideal + 0.5)), 0), width - 1)
    return QuantizedValue(code, ideal, code - ideal)


#: ``xylo16``: 16-bit, dash_syn 2, dash_mem 4 (the default); ``slow8``: 8-bit, dash 3/5;
#: ``w24``: 24-bit, dash 6/8.
@dataclass(frozen=True)
class ShiftLIFReal(RealModel):
    """The shift-leak LIF in real units: two time constants and a threshold.

    A decay by ``x >> dash`` takes ``2**-dash`` per step, so ``dash = round(-log2(1 -
    exp(-dt/tau)))``: the time constants the hardware can hold are near powers of two
    times ``dt`` (the error is reported in ``dash`` units; ``tau_of`` gives the held tau).
    """

    tau_syn: float = real_field(4.0, "ms", "synaptic time constant", positive=True)
    tau_mem: float = real_field(16.0, "ms", "membrane time constant", positive=True)
    dt: float = real_field(1.0, "ms", "time step", positive=True)
    v_threshold: float = real_field(16.0, "v", "firing threshold")

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """``dash_syn``, ``dash_mem`` and ``v_threshold`` in ``fmt``."""
        return {**fmt.settings(base),
                "dash_syn": dash_of_tau(self.tau_syn, self.dt, fmt.width),
                "dash_mem": dash_of_tau(self.tau_mem, self.dt, fmt.width),
                "v_threshold": quantize("v_threshold", self.v_threshold, fmt.width, fmt.frac)}

    @staticmethod
    def tau_of(dash: int, dt: float = 1.0) -> float:
        """The time constant a shift of ``dash`` holds: decay ``2**-dash`` per step."""
        return tau_of_leak(2.0 ** -dash, dt)

    @classmethod
    def from_params(cls, params: ShiftLIFParams, dt: float = 1.0) -> ShiftLIFReal:
        """The real shift LIF ``params`` stand for, at step ``dt`` ms."""
        if min(params.dash_syn, params.dash_mem) == 0:
            raise ValueError("a shift of 0 (no memory) has no finite real time constant; "
                             "set the integers with --param")
        return cls(tau_syn=cls.tau_of(params.dash_syn, dt),
                   tau_mem=cls.tau_of(params.dash_mem, dt), dt=dt,
                   v_threshold=params.v_threshold / (1 << params.frac))


PRESETS: dict[str, ShiftLIFParams] = {
    "xylo16": ShiftLIFParams(),
    "slow8": ShiftLIFParams(width=8, frac=4, dash_syn=3, dash_mem=5, v_threshold=100),
    "w24": ShiftLIFParams(width=24, frac=12, dash_syn=6, dash_mem=8, v_threshold=1 << 20),
}

MODEL = Model(
    name="shift_lif",
    summary="multiplier-free shift-leak LIF with synaptic current (Xylo-style)",
    params_cls=ShiftLIFParams,
    state_cls=ShiftLIFState,
    presets=PRESETS,
    step=step,
    reference=reference,
    block_kernel=block_kernel,
    real=ShiftLIFReal,
)
