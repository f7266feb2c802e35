"""Exponential integrate-and-fire (ExpIF; Norse's ``LIFEx``): a LIF neuron whose membrane
runs away through ``Delta_T exp((v - v_th) / Delta_T)`` once it nears the threshold.

Number format: ``v``, ``i``, ``i_in`` and the voltages are signed ``Q(width, frac)``;
``mem_k = dt / tau_mem``, ``syn_k = dt / tau_syn``, ``delta_k = Delta_T`` and
``delta_inv_k = 1 / Delta_T`` are ``Q(frac)`` constants; ``>>`` rounds by ``rounding``,
``sat`` saturates to ``width`` bits. One step, Norse's forward Euler
(``lif_ex_feed_forward_step``)::

    i_j = sat(i + i_in)                                          (the input jump)
    x   = sat_x(((v - v_th) * delta_inv_k) >> frac)              (x_width bits, Q(frac))
    e   = (fixed_exp(x) * delta_k) >> frac                       (the exponential term)
    v1  = sat(v + (((v_leak - v) + e + i_j) * mem_k >> frac))
    spike = v1 > v_th                                            (Norse's Heaviside)
    v   = v_reset if spike else v1
    i   = i_j - ((i_j * syn_k) >> frac)                          (never overflows)

``fixed_exp`` is :func:`neurocore_hw.fixed_exp.fixed_exp` with input ``Q(x_width, frac)``
and unsigned output ``Q(width, frac)`` (saturated at ``2**(width - frac)``), its mantissa
by ``exp_method`` (``table``, ``pwl`` or ``shift``). ``x_width`` is derived: wide enough
that clipping ``x`` never changes the exponential (below its range the output is 0, above
it saturated), so the clip is exact. The intermediate sums are exact (never wrap).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..fixed import ROUNDING_MODES, check_choice, check_int, int_range, quantize, saturate
from ..fixed import shift_right as rshift
from ..fixed_exp import METHODS, ExpParams, fixed_exp
from ..model import Model, ModelParams, PortSpec
from ..real import Format, RealModel, quantize_code, real_field

__all__ = ["MODEL", "PRESETS", "ExpLIFParams", "ExpLIFReal", "ExpLIFState", "exp_term",
           "exp_x_width", "membrane_step", "reference", "step"]


def exp_x_width(width: int, frac: int) -> int:
    """Bits of the exponential's input ``x`` (``Q(x_width, frac)``): its range covers
    ``[-(frac + 2) ln 2, (width - frac + 1) ln 2]``, beyond which ``fixed_exp`` into
    ``Q(width, frac)`` is 0 (below) or saturated (above), so clipping ``x`` is exact."""
    reach = max(frac + 2, width - frac + 1) * math.log(2)
    return frac + 1 + max(1, math.ceil(math.log2(reach)))


def check_exp_fields(p) -> None:
    """Validate the fields every exponential family shares (``ValueError`` naming one)."""
    check_int("width", p.width, 4, 24)
    check_int("frac", p.frac, 2, p.width - 2)
    lo, hi = int_range(p.width)
    for name in ("v_th", "v_reset", "v_leak"):
        check_int(name, getattr(p, name), lo, hi)
    check_int("delta_k", p.delta_k, 1, hi)
    check_int("delta_inv_k", p.delta_inv_k, 1, hi)
    check_int("mem_k", p.mem_k, 0, 1 << p.frac)
    check_int("syn_k", p.syn_k, 0, 1 << p.frac)
    check_choice("exp_method", p.exp_method, METHODS)
    check_int("exp_table_bits", p.exp_table_bits, 1, min(12, p.frac))
    check_int("exp_mant_frac", p.exp_mant_frac, 4, 24)
    check_choice("rounding", p.rounding, ROUNDING_MODES)
    if exp_x_width(p.width, p.frac) > 24:
        raise ValueError(f"frac={p.frac}: the exponential's input would need "
                         f"{exp_x_width(p.width, p.frac)} bits (at most 24)")


@functools.lru_cache(maxsize=64)
def exp_params(p) -> ExpParams:
    """The :class:`~neurocore_hw.fixed_exp.ExpParams` of a family's exponential."""
    return ExpParams(in_width=exp_x_width(p.width, p.frac), in_frac=p.frac,
                     out_width=p.width, out_frac=p.frac, method=p.exp_method,
                     table_bits=p.exp_table_bits, mant_frac=p.exp_mant_frac)


def exp_term(p, v: np.ndarray) -> np.ndarray:
    """``e = (fixed_exp(x) * delta_k) >> frac`` with ``x`` from ``v`` (see the module)."""
    r = p.rounding
    x = saturate(rshift((v - p.v_th) * p.delta_inv_k, p.frac, r), exp_x_width(p.width, p.frac))
    return rshift(fixed_exp(exp_params(p), x) * p.delta_k, p.frac, r)


@dataclass(frozen=True)
class ExpLIFParams(ModelParams):
    """Validated integer parameters of the exponential integrate-and-fire neuron.

    Parameters
    ----------
    width : int
        Width of ``v``, ``i`` and ``i_in``, 4..24.
    frac : int
        Fractional bits, 2..width-2 (the exponential's input needs at most 24 bits).
    v_th, v_reset, v_leak : int
        Threshold (the exponential's centre), reset and leak potentials,
        ``Q(width, frac)``.
    delta_k, delta_inv_k : int
        ``Delta_T`` and ``1 / Delta_T``, ``Q(frac)``, >= 1.
    mem_k, syn_k : int
        ``dt / tau_mem`` and ``dt / tau_syn``, ``Q(frac)``, 0..2**frac.
    exp_method : {"table", "pwl", "shift"}
        The exponential's mantissa (:mod:`neurocore_hw.fixed_exp`).
    exp_table_bits : int
        Its table's index bits, 1..min(12, frac).
    exp_mant_frac : int
        Its mantissa's fractional bits, 4..24.
    rounding : {"floor", "nearest"}
    """

    width: int = 16
    frac: int = 12
    v_th: int = 4096
    v_reset: int = 0
    v_leak: int = 0
    delta_k: int = 2048
    delta_inv_k: int = 8192
    mem_k: int = 410
    syn_k: int = 819
    exp_method: str = "pwl"
    exp_table_bits: int = 4
    exp_mant_frac: int = 16
    rounding: str = "floor"

    def __post_init__(self):
        check_exp_fields(self)

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``i_in``: signed ``Q(width, frac)``, added to ``i`` first."""
        return (PortSpec("i_in", self.width, True, self.frac),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State: ``v`` and the synaptic current ``i``, signed ``Q(width, frac)``, reset 0."""
        return (PortSpec("v", self.width, True, self.frac, 0),
                PortSpec("i", self.width, True, self.frac, 0))

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """``i_in`` from -0.25 to +0.75 of ``v_th - v_leak`` per step: quiet to fast firing."""
        span = max(1, self.v_th - self.v_leak)
        lo, hi = int_range(self.width)
        return {"i_in": (max(lo, -span // 4), min(hi, 3 * span // 4))}

    def real_values(self) -> dict[str, object]:
        """Every constant in real units."""
        s = float(1 << self.frac)
        return {k: getattr(self, k) / s for k in ("v_th", "v_reset", "v_leak", "delta_k",
                                                   "delta_inv_k", "mem_k", "syn_k")}


class ExpLIFState(NamedTuple):
    """ExpIF state: membrane ``v`` and synaptic current ``i`` (int64 arrays)."""

    v: np.ndarray
    i: np.ndarray


def step(params: ExpLIFParams, state: ExpLIFState, i_in=0) -> tuple[ExpLIFState, np.ndarray]:
    """Advance every neuron one step, bit-true to the RTL.

    Parameters
    ----------
    params : ExpLIFParams
    state : ExpLIFState
    i_in : int or numpy.ndarray of int
        Input current, signed ``Q(width, frac)``.

    Returns
    -------
    state : ExpLIFState
    spike : numpy.ndarray of bool
    """
    v, i, spike = membrane_step(params, np.asarray(state.v, np.int64),
                                np.asarray(state.i, np.int64), np.asarray(i_in, np.int64))
    return ExpLIFState(v, i), spike


def membrane_step(p, v: np.ndarray, i: np.ndarray, i_in: np.ndarray, a=0
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exponential families' membrane and current step (``a``: AdEx's adaptation,
    subtracted from the drive): the new ``v``, ``i`` and the spike."""
    r, w, f = p.rounding, p.width, p.frac
    i_j = saturate(i + i_in, w)
    drive = (p.v_leak - v) + exp_term(p, v) + i_j - a
    v1 = saturate(v + rshift(drive * p.mem_k, f, r), w)
    spike = v1 > p.v_th
    return np.where(spike, p.v_reset, v1), i_j - rshift(i_j * p.syn_k, f, r), spike


def reference(params: ExpLIFParams | ExpLIFReal, i_in
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Float64 ideal dynamics (Norse's Euler step with an exact ``exp``, nothing clipped).

    With :class:`ExpLIFReal` the constants are the real ones; with :class:`ExpLIFParams`
    the quantized constants read as reals (isolating the datapath's own rounding and the
    exponential's approximation).

    Parameters
    ----------
    params : ExpLIFParams or ExpLIFReal
    i_in : array_like of float, shape (T, N)
        Input current in real units.

    Returns
    -------
    spikes : numpy.ndarray of bool, shape (T, N)
    v, i : numpy.ndarray of float64, shape (T, N)
    """
    c = _real_constants(params)
    i_in = np.atleast_2d(np.asarray(i_in, dtype=np.float64))
    v, i = np.zeros(i_in.shape[1]), np.zeros(i_in.shape[1])
    spikes = np.zeros(i_in.shape, dtype=bool)
    v_tr, i_tr = np.empty(i_in.shape), np.empty(i_in.shape)
    with np.errstate(over="ignore"):
        for t in range(i_in.shape[0]):
            i_j = i + i_in[t]
            e = c["delta_T"] * np.exp(np.minimum((v - c["v_th"]) / c["delta_T"], 700.0))
            v = v + c["mem"] * ((c["v_leak"] - v) + e + i_j)
            fired = v > c["v_th"]
            v = np.where(fired, c["v_reset"], v)
            i = i_j - c["syn"] * i_j
            spikes[t], v_tr[t], i_tr[t] = fired, v, i
    return spikes, v_tr, i_tr


def _real_constants(params) -> dict[str, float]:
    if isinstance(params, ExpLIFParams):
        r = params.real_values()
        return {"v_th": r["v_th"], "v_reset": r["v_reset"], "v_leak": r["v_leak"],
                "delta_T": r["delta_k"], "mem": r["mem_k"], "syn": r["syn_k"]}
    if isinstance(params, ExpLIFReal):
        return {"v_th": params.v_th, "v_reset": params.v_reset, "v_leak": params.v_leak,
                "delta_T": params.delta_T, "mem": params.dt / params.tau_mem,
                "syn": params.dt / params.tau_syn}
    raise TypeError(f"params must be ExpLIFParams or ExpLIFReal, got {type(params).__name__}")


def exp_codes(real, fmt: Format) -> dict[str, object]:
    """The codes every exponential family's real model sets: voltages, ``Delta_T``, its
    inverse and the Euler factors ``dt / tau`` (Norse's forward Euler)."""
    w, f = fmt.width, fmt.frac
    if real.dt > real.tau_mem or real.dt > real.tau_syn:
        raise ValueError("dt must not exceed tau_mem or tau_syn (forward Euler)")
    return {"v_th": quantize("v_th", real.v_th, w, f),
            "v_reset": quantize("v_reset", real.v_reset, w, f),
            "v_leak": quantize("v_leak", real.v_leak, w, f),
            "delta_k": quantize_code("delta_k", real.delta_T, w, f, lo=1),
            "delta_inv_k": quantize_code("delta_inv_k", 1.0 / real.delta_T, w, f, lo=1),
            "mem_k": quantize_code("mem_k", real.dt / real.tau_mem, w + 1, f, lo=0,
                                   hi=1 << f),
            "syn_k": quantize_code("syn_k", real.dt / real.tau_syn, w + 1, f, lo=0,
                                   hi=1 << f)}


def exp_reals(params, dt: float) -> dict[str, float]:
    """Inverse of :func:`exp_codes` at step ``dt`` ms (``ValueError`` for a zero factor)."""
    s = float(1 << params.frac)
    if params.mem_k == 0 or params.syn_k == 0:
        raise ValueError("mem_k or syn_k of 0 has no finite time constant; set the integers "
                         "with --param")
    return {"tau_mem": dt * s / params.mem_k, "tau_syn": dt * s / params.syn_k, "dt": dt,
            "v_th": params.v_th / s, "v_reset": params.v_reset / s,
            "v_leak": params.v_leak / s, "delta_T": params.delta_k / s}


#: Norse's ``LIFExParameters`` defaults: ``tau_mem_inv = 100/s``, ``tau_syn_inv = 200/s``,
#: ``dt = 1 ms``, ``v_th = 1``, ``v_reset = v_leak = 0``, ``delta_T = 0.5``.
@dataclass(frozen=True)
class ExpLIFReal(RealModel):
    """The exponential integrate-and-fire neuron in real units (Norse's ``LIFEx``).

    ``tau_mem dv/dt = v_leak - v + i + Delta_T exp((v - v_th) / Delta_T)``,
    ``tau_syn di/dt = -i``, spike at ``v > v_th``, then ``v = v_reset``; forward Euler.
    """

    tau_mem: float = real_field(10.0, "ms", "membrane time constant (1/tau_mem_inv)",
                                positive=True)
    tau_syn: float = real_field(5.0, "ms", "synaptic time constant (1/tau_syn_inv)",
                                positive=True)
    dt: float = real_field(1.0, "ms", "time step", positive=True)
    v_th: float = real_field(1.0, "v", "threshold potential v_th")
    v_reset: float = real_field(0.0, "v", "reset potential v_reset")
    v_leak: float = real_field(0.0, "v", "leak potential v_leak")
    delta_T: float = real_field(0.5, "v", "sharpness of the exponential", positive=True)

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """Every constant in ``fmt``."""
        return {**fmt.settings(base), **exp_codes(self, fmt)}

    @classmethod
    def from_params(cls, params: ExpLIFParams, dt: float = 1.0) -> ExpLIFReal:
        """The real neuron ``params`` stand for, at step ``dt`` ms."""
        return cls(**exp_reals(params, dt))


#: ``norse``: Norse's defaults in Q16.12, the exponential by a 16-segment interpolated
#: table, nearest rounding; ``table``: a 64-entry table (no multiplier), floor;
#: ``q12_7_shift``:
#: Q12.7, Mitchell's shift-and-add exponential, nearest rounding.
PRESETS: dict[str, ExpLIFParams] = {
    "norse": ExpLIFParams(rounding="nearest"),
    "table": ExpLIFParams(exp_method="table", exp_table_bits=6),
    "q12_7_shift": ExpLIFParams(width=12, frac=7, v_th=128, delta_k=64, delta_inv_k=256,
                                mem_k=13, syn_k=26, exp_method="shift", exp_mant_frac=12,
                                rounding="nearest"),
}

MODEL = Model(
    name="exp_lif",
    summary="exponential integrate-and-fire (Norse LIFEx), fixed-point exp()",
    params_cls=ExpLIFParams,
    state_cls=ExpLIFState,
    presets=PRESETS,
    step=step,
    reference=reference,
    real=ExpLIFReal,
)
