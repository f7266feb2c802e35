"""Leaky integrate-and-fire neuron: bit-true golden model and float64 reference.

Number format: membrane ``v``, thresholds and the inputs ``i_in`` and ``noise_in`` are
signed ``Q(width, frac)``; ``leak_k`` and ``gain_k`` are ``Q(frac)`` constants; the
refractory counter is unsigned, just wide enough for ``refractory``.

One step, per neuron, where ``>>`` is an arithmetic shift under ``rounding`` and
``ovf`` wraps or saturates to ``width`` bits::

    if refrac > 0:  refrac -= 1; v = v_rest; spike = 0
    else:
        v_next = ovf(v + (((v_rest - v) * leak_k) >> frac)
                       + ((i_in * gain_k) >> frac) + noise_in)
        if v_next >= v_threshold: spike = 1; v = v_reset; refrac = refractory
        else:                     spike = 0; v = v_next

Products are exact (no truncation before the shift).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..fixed import (
    OVERFLOW_MODES,
    ROUNDING_MODES,
    QuantizedValue,
    check_choice,
    check_int,
    int_range,
    overflow,
    quantize,
    shift_right,
)
from ..model import Model, ModelParams, PortSpec
from ..real import Format, RealModel, leak_of_tau, leaky_codes, leaky_reals, real_field
from .lif_fast import block_kernel as lif_fast_block_kernel

__all__ = [
    "MODEL", "PRESETS", "LIFKernel", "LIFParams", "LIFReal", "LIFState", "reference",
    "step"
]


@dataclass(frozen=True)
class LIFParams(ModelParams):
    """Validated integer parameters of the LIF neuron (the hardware's constants).

    Parameters
    ----------
    width : int
        Width of ``v``, ``i_in`` and ``noise_in`` in bits, 2..32.
    frac : int
        Fractional bits of every ``Q(width, frac)`` value, 0..width-1.
    v_rest, v_reset, v_threshold : int
        Resting potential, post-spike reset and firing threshold, signed ``width`` bits.
    leak_k : int
        Leak per step as ``Q(frac)``: ``leak_k / 2**frac`` of the distance to rest is
        recovered each step; 0..2**frac (0 = no leak, 2**frac = back to rest at once).
    gain_k : int
        Input gain as ``Q(frac)``, signed ``width`` bits.
    refractory : int
        Refractory period in steps, 0..65535.
    overflow : {"wrap", "saturate"}
        What happens when ``v_next`` leaves the ``width``-bit range.
    rounding : {"floor", "nearest"}
        Rounding of the two ``>> frac`` shifts.
    """

    width: int = 16
    frac: int = 8
    v_rest: int = 0
    v_reset: int = 0
    v_threshold: int = 256
    leak_k: int = 16
    gain_k: int = 16
    refractory: int = 2
    overflow: str = "wrap"
    rounding: str = "floor"

    def __post_init__(self):
        check_int("width", self.width, 2, 32)
        check_int("frac", self.frac, 0, self.width - 1)
        lo, hi = int_range(self.width)
        for name in ("v_rest", "v_reset", "v_threshold", "gain_k"):
            check_int(name, getattr(self, name), lo, hi)
        check_int("leak_k", self.leak_k, 0, 1 << self.frac)
        check_int("refractory", self.refractory, 0, 65535)
        check_choice("overflow", self.overflow, OVERFLOW_MODES)
        check_choice("rounding", self.rounding, ROUNDING_MODES)

    # -- ports ---------------------------------------------------------------------------
    @property
    def refrac_width(self) -> int:
        """Width of the refractory counter: enough bits for ``refractory`` (at least 1)."""
        return max(1, self.refractory.bit_length())

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ports: ``i_in`` and ``noise_in``, signed ``Q(width, frac)``."""
        return (PortSpec("i_in", self.width, True, self.frac),
                PortSpec("noise_in", self.width, True, self.frac))

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State registers: ``v`` (signed ``Q(width, frac)``) and ``refrac`` (unsigned)."""
        return (PortSpec("v", self.width, True, self.frac, self.v_rest),
                PortSpec("refrac", self.refrac_width, False, 0, 0))

    def state_limits(self) -> dict[str, tuple[int, int]]:
        """The refractory counter never exceeds ``refractory``."""
        return {"refrac": (0, self.refractory)}

    def real_values(self) -> dict[str, float]:
        """The real value each ``Q(frac)`` integer parameter stands for."""
        scale = float(1 << self.frac)
        return {name: getattr(self, name) / scale
                for name in ("v_rest", "v_reset", "v_threshold", "leak_k", "gain_k")}

    @classmethod
    def from_real(cls, real: LIFReal, fmt: Format | None = None
                  ) -> tuple[LIFParams, dict[str, QuantizedValue]]:
        """Quantize real-unit parameters; see :meth:`LIFReal.quantize`."""
        return real.quantize(fmt)


@dataclass(frozen=True)
class LIFReal(RealModel):
    """LIF parameters in real units: ``tau_mem dv/dt = (v_rest - v) + resistance * I``.

    Voltages are in the unit the fixed-point format counts (threshold 1.0 by default),
    currents in the matching unit (``resistance * I`` is a voltage), times in ms.
    :meth:`quantize` gives :class:`LIFParams` in a :class:`~neurocore_hw.real.Format`:
    ``v_*`` in ``Q(width, frac)``, ``leak_k = round(2**frac (1 - exp(-dt/tau_mem)))``,
    ``gain_k = round(2**frac resistance (1 - exp(-dt/tau_mem)))``, ``refractory =
    round(t_ref / dt)``.
    """

    tau_mem: float = real_field(16.0, "ms", "membrane time constant", positive=True)
    dt: float = real_field(1.0, "ms", "time step", positive=True)
    resistance: float = real_field(1.0, "", "membrane resistance (R I is a voltage)")
    v_rest: float = real_field(0.0, "v", "resting potential")
    v_reset: float = real_field(0.0, "v", "potential after a spike")
    v_threshold: float = real_field(1.0, "v", "firing threshold")
    t_ref: float = real_field(2.0, "ms", "refractory time (whole steps)", minimum=0.0)

    @property
    def leak(self) -> float:
        """Exact per-step leak fraction for piecewise-constant input: 1 - exp(-dt/tau)."""
        return leak_of_tau(self.tau_mem, self.dt)

    @property
    def gain(self) -> float:
        """Per-step input gain: resistance * leak."""
        return self.resistance * self.leak

    @property
    def refractory_steps(self) -> int:
        """Refractory period in whole steps (rounded to nearest)."""
        return int(math.floor(self.t_ref / self.dt + 0.5))

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """``v_*``, ``leak_k``, ``gain_k`` and ``refractory`` in ``fmt``."""
        q = {name: quantize(name, getattr(self, name), fmt.width, fmt.frac)
             for name in ("v_rest", "v_reset", "v_threshold")}
        q.update(leaky_codes(fmt, tau=self.tau_mem, dt=self.dt, resistance=self.resistance))
        return {**fmt.settings(base), **q, "refractory": self.refractory_steps}

    @classmethod
    def from_params(cls, params: LIFParams, dt: float = 1.0) -> LIFReal:
        """The real LIF that ``params`` stand for, at step ``dt`` ms."""
        scale = float(1 << params.frac)
        return cls(**leaky_reals(params, dt), dt=dt, t_ref=params.refractory * dt,
                   **{name: getattr(params, name) / scale
                      for name in ("v_rest", "v_reset", "v_threshold")})


class LIFState(NamedTuple):
    """LIF state: membrane ``v`` and refractory counter ``refrac`` (int64 arrays)."""

    v: np.ndarray
    refrac: np.ndarray


def step(params: LIFParams, state: LIFState, i_in=0, noise_in=0
         ) -> tuple[LIFState, np.ndarray]:
    """Advance every neuron one step, bit-true to the RTL.

    Parameters
    ----------
    params : LIFParams
        Integer parameters.
    state : LIFState
        Current state.
    i_in, noise_in : int or numpy.ndarray of int
        Input current and additive noise, signed ``Q(width, frac)`` (not range-checked
        here: the engine and the CLI validate data at the boundary).

    Returns
    -------
    state : LIFState
        State after the step.
    spike : numpy.ndarray of bool
        Which neurons fired.
    """
    p = params
    v = np.asarray(state.v, dtype=np.int64)
    refrac = np.asarray(state.refrac, dtype=np.int64)
    leak = shift_right((p.v_rest - v) * p.leak_k, p.frac, p.rounding)
    drive = shift_right(np.asarray(i_in, dtype=np.int64) * p.gain_k, p.frac, p.rounding)
    v_next = overflow(v + leak + drive + np.asarray(noise_in, dtype=np.int64),
                      p.width, p.overflow)
    in_refrac = refrac > 0
    spike = ~in_refrac & (v_next >= p.v_threshold)
    v_out = np.where(in_refrac, p.v_rest, np.where(spike, p.v_reset, v_next))
    refrac_out = np.where(in_refrac, refrac - 1, np.where(spike, p.refractory, 0))
    return LIFState(v_out, refrac_out), spike


class LIFKernel:
    """In-place LIF update for the engine: no allocation per step.

    Bit-identical to :func:`step` (a test holds them equal on random inputs).

    Parameters
    ----------
    params : LIFParams
        Integer parameters.
    n : int
        Number of neurons; scratch buffers are sized once.
    """

    def __init__(self, params: LIFParams, n: int):
        self.p = params
        self._a = np.empty(n, dtype=np.int64)
        self._b = np.empty(n, dtype=np.int64)
        self._refr = np.empty(n, dtype=bool)
        self._lo, self._hi = int_range(params.width)

    def __call__(self, state: LIFState, spike: np.ndarray, i_in, noise_in) -> None:
        """Update ``state`` arrays (int64) and ``spike`` (bool) in place."""
        p, a, b, refr = self.p, self._a, self._b, self._refr
        half = (1 << (p.frac - 1)) if (p.rounding == "nearest" and p.frac) else 0
        np.greater(state.refrac, 0, out=refr)
        np.subtract(p.v_rest, state.v, out=a)
        a *= p.leak_k
        if half:
            a += half
        a >>= p.frac
        np.multiply(i_in, p.gain_k, out=b, dtype=np.int64)  # widen before multiplying
        if half:
            b += half
        b >>= p.frac
        a += state.v
        a += b
        a += noise_in
        if p.overflow == "wrap":
            a &= (1 << p.width) - 1
            a ^= 1 << (p.width - 1)
            a -= 1 << (p.width - 1)
        else:
            np.clip(a, self._lo, self._hi, out=a)
        np.greater_equal(a, p.v_threshold, out=spike)
        spike &= ~refr
        np.copyto(state.v, a)
        np.copyto(state.v, p.v_rest, where=refr)
        np.copyto(state.v, p.v_reset, where=spike)
        np.subtract(state.refrac, refr, out=state.refrac)
        np.copyto(state.refrac, p.refractory, where=spike)


def reference(params: LIFParams | LIFReal, i_in, noise_in=None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Float64 ideal dynamics: no state quantization, no overflow.

    With :class:`LIFReal` the constants are the exact real ones (leak
    ``1 - exp(-dt/tau_mem)``); with :class:`LIFParams` they are the quantized constants
    read as reals, isolating the cost of state rounding alone.

    Parameters
    ----------
    params : LIFParams or LIFReal
        Parameters.
    i_in : array_like of float, shape (T, N)
        Input current in real units.
    noise_in : array_like of float, shape (T, N), optional
        Additive voltage noise in real units.

    Returns
    -------
    spikes : numpy.ndarray of bool, shape (T, N)
    v : numpy.ndarray of float64, shape (T, N)
        Membrane potential after each step.
    """
    if isinstance(params, LIFParams):
        r = params.real_values()
        v_rest, v_reset, v_th = r["v_rest"], r["v_reset"], r["v_threshold"]
        leak, gain, refractory = r["leak_k"], r["gain_k"], params.refractory
    elif isinstance(params, LIFReal):
        v_rest, v_reset, v_th = params.v_rest, params.v_reset, params.v_threshold
        leak, gain, refractory = params.leak, params.gain, params.refractory_steps
    else:
        raise TypeError(f"params must be LIFParams or LIFReal, got {type(params).__name__}")
    i_in = np.atleast_2d(np.asarray(i_in, dtype=np.float64))
    noise = (np.zeros_like(i_in) if noise_in is None
             else np.broadcast_to(np.asarray(noise_in, dtype=np.float64), i_in.shape))
    t_steps, n = i_in.shape
    v = np.full(n, v_rest)
    refrac = np.zeros(n, dtype=np.int64)
    spikes = np.zeros((t_steps, n), dtype=bool)
    trace = np.empty((t_steps, n))
    for t in range(t_steps):
        v_next = v + (v_rest - v) * leak + i_in[t] * gain + noise[t]
        in_refrac = refrac > 0
        fire = ~in_refrac & (v_next >= v_th)
        v = np.where(in_refrac, v_rest, np.where(fire, v_reset, v_next))
        refrac = np.where(in_refrac, refrac - 1, np.where(fire, refractory, 0))
        spikes[t], trace[t] = fire, v
    return spikes, trace


#: Named parameter sets. ``sc_lif_q8_8`` is the common Q8.8 stochastic-computing LIF
#: core (its decay ``v * 240 >> 8`` equals ``leak_k = 16`` here when ``v_rest = 0``).
PRESETS: dict[str, LIFParams] = {
    "sc_lif_q8_8": LIFParams(),
    "q4_4_saturate": LIFParams(width=8, frac=4, v_rest=-8, v_reset=-24, v_threshold=40,
                               leak_k=3, gain_k=-21, refractory=3, overflow="saturate",
                               rounding="floor"),
    "q12_12_nearest": LIFParams(width=24, frac=12, v_rest=-2048, v_reset=-4096,
                                v_threshold=8192, leak_k=1234, gain_k=5000, refractory=5,
                                overflow="wrap", rounding="nearest"),
}



MODEL = Model(
    name="lif",
    summary="leaky integrate-and-fire, Q(width, frac), refractory, wrap/saturate",
    params_cls=LIFParams,
    state_cls=LIFState,
    presets=PRESETS,
    step=step,
    reference=reference,
    kernel=LIFKernel,
    block_kernel=lif_fast_block_kernel,
    real=LIFReal,
)
