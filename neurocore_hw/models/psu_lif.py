"""PSU LIF (spyx ``PSU_LIF``) in integer form: a leaky integrator with a threshold and no reset.

Number format: ``v``, ``i_in`` and ``v_threshold`` are signed ``Q(width, frac)``; ``leak_k``
and ``gain_k`` are ``Q(frac)`` constants. One step, ``>>`` under ``rounding``, ``ovf`` to
``width`` bits under ``overflow``::

    v = ovf(v - ((v * leak_k) >> frac) + ((i_in * gain_k) >> frac))
    spike = v >= v_threshold            (the membrane is never reset)

Because nothing resets the membrane, its trajectory over ``T`` steps does not depend on
the spikes: it is a recurrence that can be evaluated as a scan over time
(:func:`run_parallel`, spyx's ``parallel`` mode) instead of a loop. The scan is bit-exact
where the step is a map that composes exactly: ``leak_k == 0`` (wrap: a modular prefix
sum; saturate: a prefix composition of clamped shifts) and ``leak_k == 2**frac`` (no
memory). For any other leak the rounded product ``(v * leak_k) >> frac`` makes the step
non-affine, and the scan (``exact=False``) is the float64 affine recurrence, an
approximation of the integer one.
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

__all__ = ["MODEL", "PRESETS", "PSULIFParams", "PSULIFReal", "PSULIFState", "reference",
           "run_parallel", "scan_exact", "step"]


@dataclass(frozen=True)
class PSULIFParams(ModelParams):
    """Validated integer parameters of the PSU LIF.

    Parameters
    ----------
    width : int
        Width of ``v`` and ``i_in``, 2..32.
    frac : int
        Fractional bits, 0..width-1.
    v_threshold : int
        Spike threshold, signed ``width`` bits.
    leak_k : int
        Fraction of ``v`` lost per step as ``Q(frac)``, 0..2**frac (spyx ``1 - beta``).
    gain_k : int
        Input gain as ``Q(frac)``, signed ``width`` bits.
    rounding : {"floor", "nearest"}
    overflow : {"wrap", "saturate"}
    """

    width: int = 16
    frac: int = 8
    v_threshold: int = 256
    leak_k: int = 13
    gain_k: int = 256
    rounding: str = "floor"
    overflow: str = "saturate"

    def __post_init__(self):
        check_int("width", self.width, 2, 32)
        check_int("frac", self.frac, 0, self.width - 1)
        lo, hi = int_range(self.width)
        check_int("v_threshold", self.v_threshold, lo, hi)
        check_int("leak_k", self.leak_k, 0, 1 << self.frac)
        check_int("gain_k", self.gain_k, lo, hi)
        check_choice("rounding", self.rounding, ROUNDING_MODES)
        check_choice("overflow", self.overflow, OVERFLOW_MODES)

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``i_in``: signed ``Q(width, frac)``."""
        return (PortSpec("i_in", self.width, True, self.frac),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State ``v``: signed ``Q(width, frac)``, reset 0."""
        return (PortSpec("v", self.width, True, self.frac, 0),)

    def real_values(self) -> dict[str, float]:
        """The real value each ``Q(frac)`` integer parameter stands for."""
        scale = float(1 << self.frac)
        return {name: getattr(self, name) / scale
                for name in ("v_threshold", "leak_k", "gain_k")}

    @classmethod
    def from_beta(cls, beta: float, *, threshold: float = 1.0, width: int = 16,
                  frac: int = 8, **kw) -> PSULIFParams:
        """spyx ``PSU_LIF``: ``v = beta v + x``, spike ``v > threshold``; leak ``1 - beta``,
        gain 1, the threshold rounded to ``Q(frac)``.

        Raises
        ------
        ValueError
            If ``beta`` is outside [0, 1].
        """
        if not 0.0 <= beta <= 1.0:
            raise ValueError(f"beta must be in [0, 1], got {beta}")
        scale = 1 << frac
        return cls(width=width, frac=frac, leak_k=round((1.0 - beta) * scale),
                   gain_k=scale, v_threshold=round(threshold * scale), **kw)


class PSULIFState(NamedTuple):
    """PSU LIF state: membrane ``v`` (int64 array)."""

    v: np.ndarray


def _drive(p: PSULIFParams, i_in) -> np.ndarray:
    return shift_right(np.asarray(i_in, np.int64) * p.gain_k, p.frac, p.rounding)


def step(params: PSULIFParams, state: PSULIFState, i_in=0) -> tuple[PSULIFState, np.ndarray]:
    """Advance every neuron one step, bit-true to the RTL.

    Parameters
    ----------
    params : PSULIFParams
    state : PSULIFState
    i_in : int or numpy.ndarray of int
        Input, signed ``Q(width, frac)``.

    Returns
    -------
    state : PSULIFState
    spike : numpy.ndarray of bool
    """
    p = params
    v = np.asarray(state.v, np.int64)
    v_next = overflow(v - shift_right(v * p.leak_k, p.frac, p.rounding) + _drive(p, i_in),
                      p.width, p.overflow)
    return PSULIFState(v_next), v_next >= p.v_threshold


def scan_exact(params: PSULIFParams) -> bool:
    """Whether :func:`run_parallel` is bit-exact for these parameters (no leak, or a leak
    that forgets everything)."""
    return params.leak_k in (0, 1 << params.frac)


def _clamped_prefix(d: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Prefix compositions of ``f_t(x) = clip(x + d_t, lo, hi)`` along axis 0 (Hillis-Steele).

    Each composition is again ``x -> clip(x + a, l, h)``: applying ``(a2, l2, h2)`` after
    ``(a1, l1, h1)`` gives ``a = a1 + a2``, ``l = clip(l1 + a2, l2, h2)``,
    ``h = clip(h1 + a2, l2, h2)``. Returns the ``(a, l, h)`` arrays of every prefix.
    """
    a = d.copy()
    low = np.full(d.shape, lo, dtype=np.int64)
    high = np.full(d.shape, hi, dtype=np.int64)
    shift = 1
    while shift < len(d):
        a1, l1, h1 = a[:-shift], low[:-shift], high[:-shift]
        a2, l2, h2 = a[shift:], low[shift:], high[shift:]
        a_new = a1 + a2
        l_new = np.clip(l1 + a2, l2, h2)
        h_new = np.clip(h1 + a2, l2, h2)
        a[shift:], low[shift:], high[shift:] = a_new, l_new, h_new
        shift *= 2
    return a, low, high


def _affine_prefix(mult: float, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prefix compositions of ``x -> mult x + d_t`` (Hillis-Steele): ``(A, B)`` per step."""
    a = np.full(d.shape, mult, dtype=np.float64)
    b = d.astype(np.float64)
    shift = 1
    while shift < len(d):
        a_new = a[:-shift] * a[shift:]
        b_new = b[:-shift] * a[shift:] + b[shift:]
        a[shift:], b[shift:] = a_new, b_new
        shift *= 2
    return a, b


def run_parallel(params: PSULIFParams, i_in, v0=0, *, exact: bool = True
                 ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The membrane over all ``T`` steps as a scan over time instead of a loop.

    Parameters
    ----------
    params : PSULIFParams
    i_in : array_like of int, shape (T, N)
        Input codes.
    v0 : int or array_like of int, shape (N,)
        Membrane before the first step.
    exact : bool
        Require the bit-exact scan (:func:`scan_exact`); with False, any leak is allowed
        and the result for ``0 < leak_k < 2**frac`` is the float64 affine recurrence
        ``v = (1 - leak) v + drive`` rounded to the nearest code and overflowed (an
        approximation: the step rounds every product).

    Returns
    -------
    spikes : numpy.ndarray of bool, shape (T, N)
    traces : dict
        ``{"v": [T, N] int64}``, the membrane after each step; equal to the step loop
        where :func:`scan_exact`.

    Raises
    ------
    ValueError
        ``exact`` and a leak the scan cannot reproduce bit for bit.
    """
    p = params
    d = _drive(p, np.atleast_2d(np.asarray(i_in, dtype=np.int64)))
    v0 = np.broadcast_to(np.asarray(v0, dtype=np.int64), d.shape[1:])
    lo, hi = int_range(p.width)
    if p.leak_k == 1 << p.frac:  # v - v = 0: each step forgets the past
        v = overflow(d, p.width, p.overflow)
    elif p.leak_k == 0 and p.overflow == "wrap":  # modular prefix sum
        v = overflow(v0 + np.cumsum(d, axis=0), p.width, "wrap")
    elif p.leak_k == 0:  # saturating accumulation: prefix of clamped shifts
        a, low, high = _clamped_prefix(d, lo, hi)
        v = np.clip(v0 + a, low, high)
    elif exact:
        raise ValueError(f"leak_k={p.leak_k}: the rounded leak is not affine, so no scan "
                         "equals the step loop bit for bit (exact=False for the float64 "
                         "affine approximation)")
    else:
        mult, b = _affine_prefix(1.0 - p.leak_k / (1 << p.frac), d)
        v = overflow(np.rint(mult * v0 + b).astype(np.int64), p.width, p.overflow)
    return v >= p.v_threshold, {"v": v}


def reference(params: PSULIFParams, i_in) -> tuple[np.ndarray, np.ndarray]:
    """Float64 ideal dynamics with the quantized constants read as reals.

    Parameters
    ----------
    params : PSULIFParams
    i_in : array_like of float, shape (T, N)
        Input in real units.

    Returns
    -------
    spikes : numpy.ndarray of bool, shape (T, N)
    v : numpy.ndarray of float64, shape (T, N)
    """
    r = params.real_values()
    i_in = np.atleast_2d(np.asarray(i_in, dtype=np.float64))
    mult, b = _affine_prefix(1.0 - r["leak_k"], i_in * r["gain_k"])
    return b >= r["v_threshold"], b


#: ``beta_0_95``: spyx's default-like beta 0.95 at Q(16,8), saturating; ``integrator_wrap``:
#: no leak, wrapping (the scan is exact); ``q12_12_nearest``: 24-bit, round to nearest.
@dataclass(frozen=True)
class PSULIFReal(RealModel):
    """The PSU LIF in real units: ``tau_mem dv/dt = -v + resistance * I``, a spike while
    ``v >= v_threshold`` (no reset)."""

    tau_mem: float = real_field(20.0, "ms", "membrane time constant", positive=True)
    dt: float = real_field(1.0, "ms", "time step", positive=True)
    resistance: float = real_field(20.0, "", "membrane resistance (R I is a voltage)")
    v_threshold: float = real_field(1.0, "v", "firing threshold")

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """``v_threshold``, ``leak_k`` and ``gain_k`` in ``fmt``."""
        return {**fmt.settings(base),
                "v_threshold": quantize("v_threshold", self.v_threshold, fmt.width, fmt.frac),
                **leaky_codes(fmt, tau=self.tau_mem, dt=self.dt, resistance=self.resistance)}

    @classmethod
    def from_params(cls, params: PSULIFParams, dt: float = 1.0) -> PSULIFReal:
        """The real PSU LIF ``params`` stand for, at step ``dt`` ms."""
        return cls(**leaky_reals(params, dt), dt=dt,
                   v_threshold=params.v_threshold / (1 << params.frac))


PRESETS: dict[str, PSULIFParams] = {
    "beta_0_95": PSULIFParams.from_beta(0.95, overflow="saturate"),
    "integrator_wrap": PSULIFParams(width=12, frac=4, v_threshold=400, leak_k=0, gain_k=16,
                                    overflow="wrap"),
    "q12_12_nearest": PSULIFParams(width=24, frac=12, v_threshold=8192, leak_k=410,
                                   gain_k=4096, rounding="nearest", overflow="saturate"),
}

MODEL = Model(
    name="psu_lif",
    summary="spyx PSU_LIF: leaky integrator with a threshold and no reset; time-parallel scan",
    params_cls=PSULIFParams,
    state_cls=PSULIFState,
    presets=PRESETS,
    step=step,
    reference=reference,
    parallel=run_parallel,
    parallel_exact=scan_exact,
    real=PSULIFReal,
)
