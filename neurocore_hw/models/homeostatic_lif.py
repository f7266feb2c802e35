"""Homeostatic LIF: the threshold adapts toward a target firing rate (Turrigiano-style).

A leaky integrator fires against a per-neuron threshold ``th``; an exponential moving
average ``rate`` of the neuron's own spikes pulls ``th`` up when the neuron fires above
``target`` and down when below, between a floor and a ceiling.

Number format: ``v``, ``th``, ``i_in`` and the threshold bounds are signed
``Q(width, frac)``; ``leak_k``, ``gain_k`` are ``Q(frac)``; ``rate`` and ``target`` are
unsigned ``Q(rate_frac + 1, rate_frac)`` spikes per step. One step (``>>`` floor)::

    v_next = sat(v - ((v * leak_k) >> frac) + ((i_in * gain_k) >> frac))
    spike  = v_next >= th
    v      = v_reset if spike else v_next
    rate   = rate + (((spike << rate_frac) - rate) >> rate_shift)
    th     = clip(th + ((rate - target) >> eta_shift), th_min, th_max)

``rate`` stays in ``[0, 2**rate_frac]`` by construction. Reset state: ``v = v_reset``,
``th = th_init``, ``rate = target``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..fixed import check_int, int_range, quantize, saturate
from ..model import Model, ModelParams, PortSpec
from ..real import Format, RealModel, leaky_codes, leaky_reals, quantize_code, real_field
from .fast_common import (
    BlockBuffers,
    WorkArrays,
    const,
    keep_mask,
    overflow_inplace,
    reset_where,
    scaled_bound,
    scaled_into,
    work_dtype,
)

__all__ = ["MODEL", "PRESETS", "HomeostaticLIFBlockKernel", "HomeostaticLIFParams",
           "HomeostaticLIFReal", "HomeostaticLIFState", "block_kernel", "reference", "step"]


@dataclass(frozen=True)
class HomeostaticLIFParams(ModelParams):
    """Validated integer parameters of the homeostatic LIF.

    Parameters
    ----------
    width, frac : int
        ``Q(width, frac)`` of ``v``, ``th``, ``i_in``; width 4..32, frac 0..width-2.
    leak_k, gain_k : int
        Membrane decay (0..2**frac) and input gain (signed), ``Q(frac)``.
    v_reset : int
        Membrane after a spike and after reset.
    th_init, th_min, th_max : int
        Threshold after reset and its bounds, ``0 < th_min <= th_init <= th_max``.
    rate_frac : int
        Fractional bits of the rate average, 4..24.
    rate_shift : int
        Rate average time constant ``2**rate_shift`` steps, 0..rate_frac.
    target : int
        Target rate in spikes per step, ``Q(rate_frac)``, 0..2**rate_frac.
    eta_shift : int
        Threshold step ``(rate - target) >> eta_shift``, 0..32.
    """

    width: int = 16
    frac: int = 8
    leak_k: int = 16
    gain_k: int = 256
    v_reset: int = 0
    th_init: int = 256
    th_min: int = 64
    th_max: int = 4096
    rate_frac: int = 12
    rate_shift: int = 5
    target: int = 205
    eta_shift: int = 4

    def __post_init__(self):
        check_int("width", self.width, 4, 32)
        check_int("frac", self.frac, 0, self.width - 2)
        lo, hi = int_range(self.width)
        check_int("leak_k", self.leak_k, 0, 1 << self.frac)
        check_int("gain_k", self.gain_k, lo, hi)
        check_int("v_reset", self.v_reset, lo, hi)
        check_int("th_min", self.th_min, 1, hi)
        check_int("th_max", self.th_max, self.th_min, hi)
        check_int("th_init", self.th_init, self.th_min, self.th_max)
        check_int("rate_frac", self.rate_frac, 4, 24)
        check_int("rate_shift", self.rate_shift, 0, self.rate_frac)
        check_int("target", self.target, 0, 1 << self.rate_frac)
        check_int("eta_shift", self.eta_shift, 0, 32)

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``i_in``: signed ``Q(width, frac)``."""
        return (PortSpec("i_in", self.width, True, self.frac),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State ``v``, ``th`` (signed ``Q(width, frac)``) and ``rate`` (unsigned)."""
        return (PortSpec("v", self.width, True, self.frac, self.v_reset),
                PortSpec("th", self.width, True, self.frac, self.th_init),
                PortSpec("rate", self.rate_frac + 1, False, self.rate_frac, self.target))


class HomeostaticLIFState(NamedTuple):
    """Homeostatic LIF state: ``v``, ``th``, ``rate`` (int64 arrays)."""

    v: np.ndarray
    th: np.ndarray
    rate: np.ndarray


def step(params: HomeostaticLIFParams, state: HomeostaticLIFState, i_in=0
         ) -> tuple[HomeostaticLIFState, np.ndarray]:
    """Advance every neuron one step, bit-true to the RTL.

    Parameters
    ----------
    params : HomeostaticLIFParams
    state : HomeostaticLIFState
    i_in : int or numpy.ndarray of int
        Input, signed ``Q(width, frac)``.

    Returns
    -------
    state : HomeostaticLIFState
    spike : numpy.ndarray of bool
    """
    p = params
    v = np.asarray(state.v, np.int64)
    th = np.asarray(state.th, np.int64)
    rate = np.asarray(state.rate, np.int64)
    v_next = saturate(v - ((v * p.leak_k) >> p.frac)
                      + ((np.asarray(i_in, np.int64) * p.gain_k) >> p.frac), p.width)
    spike = v_next >= th
    rate = rate + (((spike.astype(np.int64) << p.rate_frac) - rate) >> p.rate_shift)
    th = np.clip(th + ((rate - p.target) >> p.eta_shift), p.th_min, p.th_max)
    return HomeostaticLIFState(np.where(spike, p.v_reset, v_next), th, rate), spike


def _bound(p: HomeostaticLIFParams) -> int:
    """The largest magnitude any intermediate of a step can take (register ranges)."""
    x, rate = 1 << (p.width - 1), 1 << (p.rate_frac + 1)
    drive = (x * abs(p.gain_k) >> p.frac) + 1
    return max(scaled_bound(x, p.leak_k, p.frac), scaled_bound(x, p.gain_k, p.frac),
               3 * x + drive, 2 * rate + 1, x + rate + 1)


class HomeostaticLIFBlockKernel(WorkArrays):
    """The engine's homeostatic LIF fast path for a block of neurons (see
    :mod:`.fast_common`).

    The drive is prepared for a chunk of steps; a step is the membrane (leak, drive,
    saturation), the compare against the per-neuron threshold, the reset (a bit mask),
    the rate's moving average and the threshold's clipped update, in ``int16`` where the
    bound of every intermediate allows, else ``int32``.

    Parameters
    ----------
    params : HomeostaticLIFParams
        Parameters whose intermediates fit ``int32`` (:func:`block_kernel` checks).
    n : int
        Neurons in the block.
    """

    fields = ("v", "th", "rate")

    def __init__(self, params: HomeostaticLIFParams, n: int):
        p = self.p = params
        dtype = work_dtype(_bound(params))
        self.v, self.th, self.rate = (np.zeros(n, dtype=dtype) for _ in range(3))
        self._t, self._keep = np.empty(n, dtype=dtype), np.empty(n, dtype=dtype)
        self._buffers = BlockBuffers(dtype, n)
        self._consts: dict = {}
        self._reset = const(p.v_reset, dtype) if p.v_reset else None
        self._c = {name: const(value, dtype) for name, value in (
            ("rate_frac", p.rate_frac), ("rate_shift", p.rate_shift), ("target", p.target),
            ("eta_shift", p.eta_shift), ("th_min", p.th_min), ("th_max", p.th_max))}

    def prepare(self, i_in: np.ndarray) -> np.ndarray:
        """The chunk's drive ``(i_in * gain_k) >> frac``, ``[T, n]`` in the work dtype."""
        return self._buffers.scaled(i_in, self.p.gain_k, self.p.frac, "floor")

    def run(self, d: np.ndarray, spikes: np.ndarray) -> None:
        """Advance ``len(d)`` steps; each step's spikes go into a row of ``spikes``."""
        p, v, th, rate, t, keep, c = (self.p, self.v, self.th, self.rate, self._t,
                                      self._keep, self._c)
        for k in range(len(d)):
            scaled_into(v, p.leak_k, p.frac, "floor", t)
            np.subtract(v, t, out=v)
            np.add(v, d[k], out=v)
            overflow_inplace(v, p.width, "saturate", self._consts)
            spike = spikes[k]
            np.greater_equal(v, th, out=spike)
            keep_mask(spike, keep)
            reset_where(v, keep, self._reset)
            np.copyto(t, spike, casting="unsafe")
            np.left_shift(t, c["rate_frac"], out=t)
            np.subtract(t, rate, out=t)
            np.right_shift(t, c["rate_shift"], out=t)
            np.add(rate, t, out=rate)
            np.subtract(rate, c["target"], out=t)
            np.right_shift(t, c["eta_shift"], out=t)
            np.add(th, t, out=th)
            th.clip(c["th_min"], c["th_max"], out=th)


def block_kernel(params: HomeostaticLIFParams, n: int) -> HomeostaticLIFBlockKernel | None:
    """:class:`HomeostaticLIFBlockKernel` where every intermediate fits ``int32``, else
    None."""
    return (HomeostaticLIFBlockKernel(params, n) if work_dtype(_bound(params)) is not None
            else None)


def reference(params: HomeostaticLIFParams, i_in
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Float64 ideal dynamics in real units, quantized constants read as reals.

    Returns
    -------
    spikes : numpy.ndarray of bool, shape (T, N)
    th, rate : numpy.ndarray of float64, shape (T, N)
        Threshold (real units) and rate (spikes per step) after each step.
    """
    p, s = params, float(1 << params.frac)
    leak, gain = p.leak_k / s, p.gain_k / s
    alpha, eta = 2.0 ** -p.rate_shift, 2.0 ** (p.rate_frac - p.eta_shift) / s
    target = p.target / (1 << p.rate_frac)
    i_in = np.atleast_2d(np.asarray(i_in, dtype=np.float64))
    n = i_in.shape[1]
    v, th, rate = np.full(n, p.v_reset / s), np.full(n, p.th_init / s), np.full(n, target)
    spikes = np.zeros(i_in.shape, dtype=bool)
    th_tr, rate_tr = np.empty(i_in.shape), np.empty(i_in.shape)
    for t in range(i_in.shape[0]):
        v = v - v * leak + i_in[t] * gain
        fired = v >= th
        v = np.where(fired, p.v_reset / s, v)
        rate = rate + alpha * (fired - rate)
        th = np.clip(th + eta * (rate - target), p.th_min / s, p.th_max / s)
        spikes[t], th_tr[t], rate_tr[t] = fired, th, rate
    return spikes, th_tr, rate_tr


#: ``q8_8``: Q(16,8), target 0.05 spikes/step (205/4096), rate window 32 steps (the
#: default); ``fast8``: Q(10,4), target 0.125, window 8 steps; ``w24``: Q(24,12).
@dataclass(frozen=True)
class HomeostaticLIFReal(RealModel):
    """The homeostatic LIF in real units.

    ``tau_mem dv/dt = -v + resistance * I``; thresholds in the voltage unit; the target
    rate in spikes per step. The averaging and learning shifts (``rate_shift``,
    ``eta_shift``) and ``rate_frac`` are powers of two kept from the base parameters.
    """

    tau_mem: float = real_field(16.0, "ms", "membrane time constant", positive=True)
    dt: float = real_field(1.0, "ms", "time step", positive=True)
    resistance: float = real_field(16.0, "", "membrane resistance (R I is a voltage)")
    v_reset: float = real_field(0.0, "v", "potential after a spike")
    th_init: float = real_field(1.0, "v", "initial threshold")
    th_min: float = real_field(0.25, "v", "threshold floor")
    th_max: float = real_field(16.0, "v", "threshold ceiling")
    target_rate: float = real_field(0.05, "1/step", "target firing rate", minimum=0.0)

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """Every constant in ``fmt`` (``target`` in ``Q(rate_frac)``)."""
        q = {name: quantize(name, getattr(self, name), fmt.width, fmt.frac)
             for name in ("v_reset", "th_init", "th_min", "th_max")}
        target = quantize_code("target", self.target_rate, base.rate_frac + 2, base.rate_frac,
                               lo=0, hi=1 << base.rate_frac)
        return {**fmt.settings(base), **q, "target": target,
                **leaky_codes(fmt, tau=self.tau_mem, dt=self.dt, resistance=self.resistance)}

    @classmethod
    def from_params(cls, params: HomeostaticLIFParams, dt: float = 1.0
                    ) -> HomeostaticLIFReal:
        """The real homeostatic LIF ``params`` stand for, at step ``dt`` ms."""
        scale = float(1 << params.frac)
        return cls(**leaky_reals(params, dt), dt=dt,
                   target_rate=params.target / (1 << params.rate_frac),
                   **{name: getattr(params, name) / scale
                      for name in ("v_reset", "th_init", "th_min", "th_max")})


PRESETS: dict[str, HomeostaticLIFParams] = {
    "q8_8": HomeostaticLIFParams(),
    "fast8": HomeostaticLIFParams(width=10, frac=4, leak_k=2, gain_k=16, v_reset=-8,
                                  th_init=32, th_min=8, th_max=400, rate_frac=8,
                                  rate_shift=3, target=32, eta_shift=2),
    "w24": HomeostaticLIFParams(width=24, frac=12, leak_k=200, gain_k=4096, th_init=4096,
                                th_min=1024, th_max=1 << 20, rate_frac=16, rate_shift=7,
                                target=3277, eta_shift=6),
}

MODEL = Model(
    name="homeostatic_lif",
    summary="LIF whose threshold tracks a target rate (EMA), floor and ceiling",
    params_cls=HomeostaticLIFParams,
    state_cls=HomeostaticLIFState,
    presets=PRESETS,
    step=step,
    reference=reference,
    block_kernel=block_kernel,
    real=HomeostaticLIFReal,
)
