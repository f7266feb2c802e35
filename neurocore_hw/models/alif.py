"""Adaptive LIF (ALIF / LSNN, Bellec et al. 2018): the threshold rises with each spike.

Number format: ``v``, ``a``, ``i_in``, ``v_threshold`` and ``jump`` are signed
``Q(width, frac)``; ``leak_k``, ``adapt_k``, ``beta_k`` and ``gain_k`` are ``Q(frac)``
constants. One step, ``>>`` under ``rounding``, ``sat`` saturating to ``width`` bits::

    threshold = v_threshold + ((beta_k * a) >> frac)          (exact, never overflows)
    v_next = sat(v - ((v * leak_k) >> frac) + ((i_in * gain_k) >> frac))
    spike  = v_next >= threshold
    v = sat(v_next - threshold) if spike else v_next           (reset by subtraction)
    a = sat(a - ((a * adapt_k) >> frac) + (jump if spike else 0))

As in Bellec et al.: membrane decay ``alpha = 1 - leak_k/2**frac``, adaptation decay
``rho = 1 - adapt_k/2**frac``, ``A = b0 + beta a``, and ``a`` jumps by ``1 - rho`` (the
paper's scaling) when ``jump`` is set to ``adapt_k``. Reset state ``v = a = 0``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..fixed import (
    ROUNDING_MODES,
    check_choice,
    check_int,
    int_range,
    quantize,
    saturate,
    shift_right,
)
from ..model import Model, ModelParams, PortSpec
from ..real import (
    Format,
    RealModel,
    leak_of_tau,
    leaky_codes,
    leaky_reals,
    quantize_code,
    real_field,
    tau_of_leak,
)
from .fast_common import (
    BlockBuffers,
    WorkArrays,
    const,
    overflow_inplace,
    scaled_bound,
    scaled_into,
    subtract_where,
    work_dtype,
)

__all__ = ["ALIFBlockKernel", "ALIFReal", "MODEL", "PRESETS", "ALIFParams", "ALIFState",
           "block_kernel", "reference", "step"]


@dataclass(frozen=True)
class ALIFParams(ModelParams):
    """Validated integer parameters of the adaptive LIF neuron.

    Parameters
    ----------
    width : int
        Width of ``v``, ``a`` and ``i_in``, 4..32.
    frac : int
        Fractional bits, 1..width-2.
    v_threshold : int
        Baseline threshold ``b0``, ``Q(width, frac)``, > 0.
    leak_k, adapt_k : int
        Membrane and adaptation decay per step, ``Q(frac)``, 0..2**frac.
    beta_k : int
        Threshold increase per unit of ``a``, ``Q(frac)``, 0..2**(width-1)-1.
    jump : int
        Increment of ``a`` on a spike, ``Q(width, frac)``, >= 0.
    gain_k : int
        Input gain, ``Q(frac)``, signed ``width`` bits.
    rounding : {"floor", "nearest"}
    """

    width: int = 16
    frac: int = 8
    v_threshold: int = 256
    leak_k: int = 13
    adapt_k: int = 1
    beta_k: int = 435
    jump: int = 256
    gain_k: int = 256
    rounding: str = "floor"

    def __post_init__(self):
        check_int("width", self.width, 4, 32)
        check_int("frac", self.frac, 1, self.width - 2)
        lo, hi = int_range(self.width)
        check_int("v_threshold", self.v_threshold, 1, hi)
        check_int("leak_k", self.leak_k, 0, 1 << self.frac)
        check_int("adapt_k", self.adapt_k, 0, 1 << self.frac)
        check_int("beta_k", self.beta_k, 0, hi)
        check_int("jump", self.jump, 0, hi)
        check_int("gain_k", self.gain_k, lo, hi)
        check_choice("rounding", self.rounding, ROUNDING_MODES)

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``i_in``: signed ``Q(width, frac)``."""
        return (PortSpec("i_in", self.width, True, self.frac),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State: ``v`` and the adaptation ``a``, signed ``Q(width, frac)``, reset 0."""
        return (PortSpec("v", self.width, True, self.frac, 0),
                PortSpec("a", self.width, True, self.frac, 0))

    @classmethod
    def from_lsnn(cls, *, tau_mem: float, tau_adapt: float, beta: float, v_th: float = 1.0,
                  dt: float = 1.0, width: int = 16, frac: int = 8) -> ALIFParams:
        """From Bellec et al.'s LSNN constants (``alpha = exp(-dt/tau_mem)``, ``rho =
        exp(-dt/tau_adapt)``, jump ``1 - rho``, input gain ``1 - alpha``).

        Raises
        ------
        ValueError
            If a time constant or ``dt`` is not positive, or a value does not fit.
        """
        if not (tau_mem > 0 and tau_adapt > 0 and dt > 0):
            raise ValueError("tau_mem, tau_adapt and dt must be > 0")
        one = 1 << frac
        leak = round(one * (1 - math.exp(-dt / tau_mem)))
        adapt = max(1, round(one * (1 - math.exp(-dt / tau_adapt))))
        return cls(width=width, frac=frac, v_threshold=round(v_th * one), leak_k=leak,
                   adapt_k=adapt, beta_k=round(beta * one), jump=adapt, gain_k=leak)


class ALIFState(NamedTuple):
    """ALIF state: membrane ``v`` and adaptation ``a`` (int64 arrays)."""

    v: np.ndarray
    a: np.ndarray


def step(params: ALIFParams, state: ALIFState, i_in=0) -> tuple[ALIFState, np.ndarray]:
    """Advance every neuron one step, bit-true to the RTL.

    Parameters
    ----------
    params : ALIFParams
    state : ALIFState
    i_in : int or numpy.ndarray of int
        Input, signed ``Q(width, frac)``.

    Returns
    -------
    state : ALIFState
    spike : numpy.ndarray of bool
    """
    p, r, w = params, params.rounding, params.width
    v = np.asarray(state.v, np.int64)
    a = np.asarray(state.a, np.int64)
    threshold = p.v_threshold + shift_right(a * p.beta_k, p.frac, r)
    v_next = saturate(v - shift_right(v * p.leak_k, p.frac, r)
                      + shift_right(np.asarray(i_in, np.int64) * p.gain_k, p.frac, r), w)
    spike = v_next >= threshold
    v_out = np.where(spike, saturate(v_next - threshold, w), v_next)
    a_out = saturate(a - shift_right(a * p.adapt_k, p.frac, r) + np.where(spike, p.jump, 0), w)
    return ALIFState(v_out, a_out), spike


def _bound(p: ALIFParams) -> int:
    """The largest magnitude any intermediate of a step can take (register ranges)."""
    x = 1 << (p.width - 1)
    threshold = p.v_threshold + (x * p.beta_k >> p.frac) + 1
    drive = (x * abs(p.gain_k) >> p.frac) + 1
    products = max(scaled_bound(x, k, p.frac) for k in (p.beta_k, p.leak_k, p.adapt_k,
                                                         p.gain_k))
    return max(products, threshold + x, 3 * x + drive + 1, 3 * x + p.jump + 1)


class ALIFBlockKernel(WorkArrays):
    """The engine's ALIF fast path for a block of neurons (see :mod:`.fast_common`).

    The drive ``(i_in * gain_k) >> frac`` is prepared for a chunk of steps; a step
    computes the threshold from the old ``a``, the membrane, the compare, the reset by
    subtraction (a bit mask of the threshold) and the adaptation, in ``int16`` where the
    bound of every intermediate allows, else ``int32``.

    Parameters
    ----------
    params : ALIFParams
        Parameters whose intermediates fit ``int32`` (:func:`block_kernel` checks).
    n : int
        Neurons in the block.
    """

    fields = ("v", "a")

    def __init__(self, params: ALIFParams, n: int):
        p = self.p = params
        dtype = work_dtype(_bound(params))
        self.v, self.a = np.zeros(n, dtype=dtype), np.zeros(n, dtype=dtype)
        self._th, self._t = np.empty(n, dtype=dtype), np.empty(n, dtype=dtype)
        self._buffers = BlockBuffers(dtype, n)
        self._consts: dict = {}
        self._b0, self._jump = const(p.v_threshold, dtype), const(p.jump, dtype)
        self._a_nonnegative = False

    def load(self, state: ALIFState) -> None:
        """Take the state (in range) into the work arrays."""
        super().load(state)
        # a >= 0 stays so (a - ((a adapt_k) >> frac) >= 0 for adapt_k <= 2**frac, jump
        # >= 0): the threshold is then >= v_threshold >= 1 and v - threshold needs no clip
        self._a_nonnegative = bool(self.a.min() >= 0)

    def prepare(self, i_in: np.ndarray) -> np.ndarray:
        """The chunk's drive ``(i_in * gain_k) >> frac``, ``[T, n]`` in the work dtype."""
        p = self.p
        return self._buffers.scaled(i_in, p.gain_k, p.frac, p.rounding)

    def run(self, d: np.ndarray, spikes: np.ndarray) -> None:
        """Advance ``len(d)`` steps; each step's spikes go into a row of ``spikes``."""
        p, v, a, th, t = self.p, self.v, self.a, self._th, self._t
        w, r, consts = p.width, p.rounding, self._consts
        for k in range(len(d)):
            scaled_into(a, p.beta_k, p.frac, r, th)
            np.add(th, self._b0, out=th)
            scaled_into(v, p.leak_k, p.frac, r, t)
            np.subtract(v, t, out=v)
            np.add(v, d[k], out=v)
            overflow_inplace(v, w, "saturate", consts)
            np.greater_equal(v, th, out=spikes[k])
            subtract_where(v, spikes[k], th, t)
            if not self._a_nonnegative:  # a negative threshold: v - threshold can clip
                overflow_inplace(v, w, "saturate", consts)
            scaled_into(a, p.adapt_k, p.frac, r, t)
            np.subtract(a, t, out=a)
            if p.jump:
                np.copyto(th, spikes[k], casting="unsafe")
                np.multiply(th, self._jump, out=th)
                np.add(a, th, out=a)
            overflow_inplace(a, w, "saturate", consts)


def block_kernel(params: ALIFParams, n: int) -> ALIFBlockKernel | None:
    """:class:`ALIFBlockKernel` where every intermediate fits ``int32``, else None."""
    return ALIFBlockKernel(params, n) if work_dtype(_bound(params)) is not None else None


def reference(params: ALIFParams, i_in) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Float64 ideal dynamics in real units, quantized constants read as reals.

    Returns
    -------
    spikes : numpy.ndarray of bool, shape (T, N)
    v, a : numpy.ndarray of float64, shape (T, N)
    """
    s = float(1 << params.frac)
    leak, adapt, beta = params.leak_k / s, params.adapt_k / s, params.beta_k / s
    b0, jump, gain = params.v_threshold / s, params.jump / s, params.gain_k / s
    i_in = np.atleast_2d(np.asarray(i_in, dtype=np.float64))
    v, a = np.zeros(i_in.shape[1]), np.zeros(i_in.shape[1])
    spikes = np.zeros(i_in.shape, dtype=bool)
    v_tr, a_tr = np.empty(i_in.shape), np.empty(i_in.shape)
    for t in range(i_in.shape[0]):
        threshold = b0 + beta * a
        v = v - v * leak + i_in[t] * gain
        fired = v >= threshold
        v = np.where(fired, v - threshold, v)
        a = a - a * adapt + np.where(fired, jump, 0.0)
        spikes[t], v_tr[t], a_tr[t] = fired, v, a
    return spikes, v_tr, a_tr


#: ``lsnn``: Q(16,8), threshold 1.0, beta 1.7 (LSNN's 1.8 rounds to 435/256), membrane
#: decay 13/256 (tau_mem ~ 20 steps), adaptation 1/256 (tau_a ~ 256 steps), jump 1.0
#: (the default); ``fast_adapt``: Q(12,5), floor; ``q16_16``: 32-bit, nearest.
@dataclass(frozen=True)
class ALIFReal(RealModel):
    """The adaptive LIF in real units (Bellec et al. 2018).

    ``tau_mem dv/dt = -v + resistance * I``; ``tau_adapt da/dt = -a``, ``a += jump`` at a
    spike; threshold ``v_threshold + beta * a``; reset by subtraction.
    """

    tau_mem: float = real_field(20.0, "ms", "membrane time constant", positive=True)
    tau_adapt: float = real_field(200.0, "ms", "adaptation time constant", positive=True)
    dt: float = real_field(1.0, "ms", "time step", positive=True)
    resistance: float = real_field(20.0, "", "membrane resistance (R I is a voltage)")
    v_threshold: float = real_field(1.0, "v", "baseline threshold b0")
    beta: float = real_field(1.7, "", "threshold increase per unit of adaptation")
    jump: float = real_field(1.0, "", "adaptation increment per spike")

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """Every constant in ``fmt``."""
        adapt = leak_of_tau(self.tau_adapt, self.dt)
        w, f = fmt.width, fmt.frac
        return {**fmt.settings(base),
                **leaky_codes(fmt, tau=self.tau_mem, dt=self.dt, resistance=self.resistance),
                "adapt_k": quantize_code("adapt_k", adapt, w + 1, f, lo=0, hi=1 << f),
                "v_threshold": quantize("v_threshold", self.v_threshold, w, f),
                "beta_k": quantize("beta_k", self.beta, w, f),
                "jump": quantize("jump", self.jump, w, f)}

    @classmethod
    def from_params(cls, params: ALIFParams, dt: float = 1.0) -> ALIFReal:
        """The real ALIF ``params`` stand for, at step ``dt`` ms."""
        scale = float(1 << params.frac)
        if not 0 < params.adapt_k < (1 << params.frac):
            raise ValueError(f"adapt_k={params.adapt_k} has no finite real time constant; "
                             "set the integers with --param")
        return cls(**leaky_reals(params, dt), dt=dt,
                   tau_adapt=tau_of_leak(params.adapt_k / scale, dt),
                   v_threshold=params.v_threshold / scale, beta=params.beta_k / scale,
                   jump=params.jump / scale)


PRESETS: dict[str, ALIFParams] = {
    "lsnn": ALIFParams(),
    "fast_adapt": ALIFParams(width=12, frac=5, v_threshold=32, leak_k=4, adapt_k=2,
                             beta_k=16, jump=16, gain_k=32),
    "q16_16": ALIFParams(width=32, frac=16, v_threshold=1 << 16, leak_k=3300, adapt_k=330,
                         beta_k=1 << 16, jump=20000, gain_k=1 << 16, rounding="nearest"),
}

MODEL = Model(
    name="alif",
    summary="adaptive-threshold LIF (LSNN, Bellec 2018), reset by subtraction",
    params_cls=ALIFParams,
    state_cls=ALIFState,
    presets=PRESETS,
    step=step,
    reference=reference,
    block_kernel=block_kernel,
    real=ALIFReal,
)
