"""Adaptive exponential integrate-and-fire (AdEx; Norse's ``LIFAdEx``): the exponential
LIF of :mod:`.exp_lif` with an adaptation current ``a`` driven by the membrane and by
each spike.

Number format as :mod:`.exp_lif`, plus ``a`` (signed ``Q(width, frac)``), the coupling
``coupling_k`` (Norse's ``adaptation_current``), ``ada_k = dt / tau_ada`` and the spike
increment ``jump`` (Norse's ``adaptation_spike``). One step, Norse's forward Euler
(``lif_adex_feed_forward_step``), every sum exact::

    i_j = sat(i + i_in)
    e   = (fixed_exp(x(v)) * delta_k) >> frac                     (as in exp_lif)
    v1  = sat(v + (((v_leak - v) + e + i_j - a) * mem_k >> frac))
    spike = v1 > v_th;   v = v_reset if spike else v1
    i   = i_j - ((i_j * syn_k) >> frac)
    a   = sat(a + (((coupling_k * (v_old - v_leak) >> frac) - a) * ada_k >> frac)
              + (jump if spike else 0))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..fixed import check_int, int_range, quantize, saturate
from ..fixed import shift_right as rshift
from ..model import Model, ModelParams, PortSpec
from ..real import Format, RealModel, quantize_code, real_field
from .exp_lif import check_exp_fields, exp_codes, exp_reals, membrane_step

__all__ = ["MODEL", "PRESETS", "AdExParams", "AdExReal", "AdExState", "reference", "step"]


@dataclass(frozen=True)
class AdExParams(ModelParams):
    """Validated integer parameters of the AdEx neuron.

    Parameters
    ----------
    width, frac, v_th, v_reset, v_leak, delta_k, delta_inv_k, mem_k, syn_k, exp_method,
    exp_table_bits, exp_mant_frac, rounding
        As :class:`~neurocore_hw.models.exp_lif.ExpLIFParams`.
    coupling_k : int
        Subthreshold adaptation ``a_coupling`` (Norse's ``adaptation_current``),
        ``Q(frac)``, signed ``width`` bits.
    ada_k : int
        ``dt / tau_ada``, ``Q(frac)``, 0..2**frac.
    jump : int
        Spike-triggered adaptation (Norse's ``adaptation_spike``), ``Q(width, frac)``.
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
    coupling_k: int = 16384
    ada_k: int = 8
    jump: int = 82
    exp_method: str = "pwl"
    exp_table_bits: int = 4
    exp_mant_frac: int = 16
    rounding: str = "floor"

    def __post_init__(self):
        check_exp_fields(self)
        lo, hi = int_range(self.width)
        check_int("coupling_k", self.coupling_k, lo, hi)
        check_int("ada_k", self.ada_k, 0, 1 << self.frac)
        check_int("jump", self.jump, lo, hi)

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``i_in``: signed ``Q(width, frac)``, added to ``i`` first."""
        return (PortSpec("i_in", self.width, True, self.frac),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State: ``v``, ``i`` and the adaptation ``a``, signed ``Q(width, frac)``, reset 0."""
        return (PortSpec("v", self.width, True, self.frac, 0),
                PortSpec("i", self.width, True, self.frac, 0),
                PortSpec("a", self.width, True, self.frac, 0))

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """``i_in`` from -0.25 to +1.0 of ``v_th - v_leak`` per step."""
        span = max(1, self.v_th - self.v_leak)
        lo, hi = int_range(self.width)
        return {"i_in": (max(lo, -span // 4), min(hi, span))}

    def real_values(self) -> dict[str, object]:
        """Every constant in real units."""
        s = float(1 << self.frac)
        return {k: getattr(self, k) / s for k in (
            "v_th", "v_reset", "v_leak", "delta_k", "delta_inv_k", "mem_k", "syn_k",
            "coupling_k", "ada_k", "jump")}


class AdExState(NamedTuple):
    """AdEx state: membrane ``v``, synaptic current ``i``, adaptation ``a``."""

    v: np.ndarray
    i: np.ndarray
    a: np.ndarray


def step(params: AdExParams, state: AdExState, i_in=0) -> tuple[AdExState, np.ndarray]:
    """Advance every neuron one step, bit-true to the RTL.

    Parameters
    ----------
    params : AdExParams
    state : AdExState
    i_in : int or numpy.ndarray of int
        Input current, signed ``Q(width, frac)``.

    Returns
    -------
    state : AdExState
    spike : numpy.ndarray of bool
    """
    p, r, w, f = params, params.rounding, params.width, params.frac
    v = np.asarray(state.v, np.int64)
    a = np.asarray(state.a, np.int64)
    v_out, i_out, spike = membrane_step(p, v, np.asarray(state.i, np.int64),
                                        np.asarray(i_in, np.int64), a)
    target = rshift(p.coupling_k * (v - p.v_leak), f, r)
    a_out = saturate(a + rshift((target - a) * p.ada_k, f, r) + np.where(spike, p.jump, 0), w)
    return AdExState(v_out, i_out, a_out), spike


def reference(params: AdExParams | AdExReal, i_in
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Float64 ideal dynamics (Norse's Euler step with an exact ``exp``, nothing clipped).

    With :class:`AdExReal` the constants are the real ones; with :class:`AdExParams` the
    quantized constants read as reals.

    Parameters
    ----------
    params : AdExParams or AdExReal
    i_in : array_like of float, shape (T, N)
        Input current in real units.

    Returns
    -------
    spikes : numpy.ndarray of bool, shape (T, N)
    v, i, a : numpy.ndarray of float64, shape (T, N)
    """
    if isinstance(params, AdExParams):
        r = params.real_values()
        v_th, v_reset, v_leak, delta = r["v_th"], r["v_reset"], r["v_leak"], r["delta_k"]
        mem, syn, ada = r["mem_k"], r["syn_k"], r["ada_k"]
        coupling, jump = r["coupling_k"], r["jump"]
    elif isinstance(params, AdExReal):
        v_th, v_reset, v_leak, delta = params.v_th, params.v_reset, params.v_leak, \
            params.delta_T
        mem, syn = params.dt / params.tau_mem, params.dt / params.tau_syn
        ada, coupling = params.dt / params.tau_ada, params.adaptation_current
        jump = params.adaptation_spike
    else:
        raise TypeError(f"params must be AdExParams or AdExReal, got {type(params).__name__}")
    i_in = np.atleast_2d(np.asarray(i_in, dtype=np.float64))
    n = i_in.shape[1]
    v, i, a = np.zeros(n), np.zeros(n), np.zeros(n)
    spikes = np.zeros(i_in.shape, dtype=bool)
    v_tr, i_tr, a_tr = (np.empty(i_in.shape) for _ in range(3))
    with np.errstate(over="ignore"):
        for t in range(i_in.shape[0]):
            i_j = i + i_in[t]
            e = delta * np.exp(np.minimum((v - v_th) / delta, 700.0))
            v_new = v + mem * ((v_leak - v) + e + i_j - a)
            fired = v_new > v_th
            a = a + ada * (coupling * (v - v_leak) - a) + np.where(fired, jump, 0.0)
            v = np.where(fired, v_reset, v_new)
            i = i_j - syn * i_j
            spikes[t], v_tr[t], i_tr[t], a_tr[t] = fired, v, i, a
    return spikes, v_tr, i_tr, a_tr


#: Norse's ``LIFAdExParameters`` defaults: ``adaptation_current = 4``,
#: ``adaptation_spike = 0.02``, ``tau_ada_inv = 2/s`` (500 ms), the rest as ``LIFEx``.
@dataclass(frozen=True)
class AdExReal(RealModel):
    """The AdEx neuron in real units (Norse's ``LIFAdEx``).

    ``tau_mem dv/dt = v_leak - v + i - a + Delta_T exp((v - v_th) / Delta_T)``,
    ``tau_syn di/dt = -i``, ``tau_ada da/dt = adaptation_current (v - v_leak) - a``; at a
    spike (``v > v_th``) ``v = v_reset`` and ``a += adaptation_spike``; forward Euler.
    """

    tau_mem: float = real_field(10.0, "ms", "membrane time constant (1/tau_mem_inv)",
                                positive=True)
    tau_syn: float = real_field(5.0, "ms", "synaptic time constant (1/tau_syn_inv)",
                                positive=True)
    tau_ada: float = real_field(500.0, "ms", "adaptation time constant (1/tau_ada_inv)",
                                positive=True)
    dt: float = real_field(1.0, "ms", "time step", positive=True)
    v_th: float = real_field(1.0, "v", "threshold potential v_th")
    v_reset: float = real_field(0.0, "v", "reset potential v_reset")
    v_leak: float = real_field(0.0, "v", "leak potential v_leak")
    delta_T: float = real_field(0.5, "v", "sharpness of the exponential", positive=True)
    adaptation_current: float = real_field(4.0, "", "subthreshold adaptation coupling")
    adaptation_spike: float = real_field(0.02, "", "spike-triggered adaptation increment")

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """Every constant in ``fmt``."""
        if self.dt > self.tau_ada:
            raise ValueError("dt must not exceed tau_ada (forward Euler)")
        w, f = fmt.width, fmt.frac
        return {**fmt.settings(base), **exp_codes(self, fmt),
                "coupling_k": quantize("coupling_k", self.adaptation_current, w, f),
                "ada_k": quantize_code("ada_k", self.dt / self.tau_ada, w + 1, f, lo=0,
                                       hi=1 << f),
                "jump": quantize("jump", self.adaptation_spike, w, f)}

    @classmethod
    def from_params(cls, params: AdExParams, dt: float = 1.0) -> AdExReal:
        """The real neuron ``params`` stand for, at step ``dt`` ms."""
        s = float(1 << params.frac)
        if params.ada_k == 0:
            raise ValueError("ada_k=0 has no finite adaptation time constant; set the "
                             "integers with --param")
        return cls(**exp_reals(params, dt), tau_ada=dt * s / params.ada_k,
                   adaptation_current=params.coupling_k / s,
                   adaptation_spike=params.jump / s)


#: ``norse``: Norse's defaults in Q16.12 (``ada_k`` 8/4096 for 1/500, jump 82/4096 for
#: 0.02), interpolated-table exponential, nearest rounding (floor's bias in the slow
#: adaptation costs 26 points of spike timing, docs/models/adex.md); ``bursting``: a
#: strong spike-triggered jump (0.5) and a fast adaptation (50 ms), 64-entry table,
#: nearest rounding.
PRESETS: dict[str, AdExParams] = {
    "norse": AdExParams(rounding="nearest"),
    "bursting": AdExParams(coupling_k=2048, ada_k=82, jump=2048, exp_method="table",
                           exp_table_bits=6, rounding="nearest"),
}

MODEL = Model(
    name="adex",
    summary="adaptive exponential integrate-and-fire (Norse LIFAdEx), fixed-point exp()",
    params_cls=AdExParams,
    state_cls=AdExState,
    presets=PRESETS,
    step=step,
    reference=reference,
    real=AdExReal,
)
