"""Conductance-based LIF (Norse's ``CobaLIF``): excitatory and inhibitory conductances
that pull the membrane toward their reversal potentials, ``g (E - v)``, a product of two
state-dependent values -- the one family here with runtime multipliers in its step.

Number format: ``v``, the potentials (``v_rest``, ``v_reset``, ``v_th``, ``e_exc``,
``e_inh``) are signed ``Q(width, frac)``; the conductances ``g_e``, ``g_i`` are unsigned
``Q(g_width, g_frac)``, saturating at their top; the input ``i_in`` is signed
``Q(g_width, g_frac)`` (positive: excitatory, negative: inhibitory, as Norse's
``relu(x)`` / ``relu(-x)``); ``gl_k`` (the leak conductance ``g_l``), ``cm_k`` (``dt /
c_m``) and ``syn_e_k``, ``syn_i_k`` (``dt / tau_syn``) are ``Q(g_frac)`` constants. One
step, Norse's forward Euler (``coba_lif_feed_forward_step``)::

    g_e = sat_u(g_e + max(i_in, 0));   g_e = g_e - ((g_e * syn_e_k) >> g_frac)
    g_i = sat_u(g_i + max(-i_in, 0));  g_i = g_i - ((g_i * syn_i_k) >> g_frac)
    c   = gl_k (v_rest - v) + g_e (e_exc - v) + g_i (e_inh - v)     Q(g_frac + frac), exact
    v1  = sat(v + ((c * cm_k) >> 2 g_frac))
    spike = v1 > v_th;  v = v_reset if spike else v1

The two products ``g (E - v)`` are ``g_width x (width + 1)``-bit runtime multipliers (a
DSP block where the target has one); ``c`` and ``c * cm_k`` are exact (their widths are
derived from the format and never overflow). Reset state: ``v = v_rest``, ``g = 0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..fixed import ROUNDING_MODES, check_choice, check_int, int_range, quantize, saturate
from ..fixed import shift_right as rshift
from ..model import Model, ModelParams, PortSpec
from ..real import Format, RealModel, quantize_code, real_field

__all__ = ["MODEL", "PRESETS", "CobaLIFParams", "CobaLIFReal", "CobaLIFState", "reference",
           "step"]


@dataclass(frozen=True)
class CobaLIFParams(ModelParams):
    """Validated integer parameters of the conductance-based LIF neuron.

    Parameters
    ----------
    width, frac : int
        ``v`` and the potentials: signed ``Q(width, frac)``, width 5..20, frac
        1..width-2.
    g_width, g_frac : int
        The conductances: unsigned ``Q(g_width, g_frac)``, g_width 3..18, g_frac
        1..g_width; the input is signed ``Q(g_width, g_frac)``.
    v_rest, v_reset, v_th, e_exc, e_inh : int
        Potentials, ``Q(width, frac)``.
    gl_k : int
        Leak conductance, ``Q(g_frac)``, 0..2**g_width - 1.
    cm_k : int
        ``dt / c_m``, ``Q(g_frac)``, 0..2**g_frac.
    syn_e_k, syn_i_k : int
        ``dt / tau_syn_exc``, ``dt / tau_syn_inh``, ``Q(g_frac)``, 0..2**g_frac.
    rounding : {"floor", "nearest"}
    """

    width: int = 16
    frac: int = 7
    g_width: int = 16
    g_frac: int = 16
    v_rest: int = -2560
    v_reset: int = -8960
    v_th: int = -1280
    e_exc: int = 7680
    e_inh: int = -12800
    gl_k: int = 16384
    cm_k: int = 32768
    syn_e_k: int = 1311
    syn_i_k: int = 1311
    rounding: str = "floor"

    def __post_init__(self):
        check_int("width", self.width, 5, 20)
        check_int("frac", self.frac, 1, self.width - 2)
        check_int("g_width", self.g_width, 3, 18)
        check_int("g_frac", self.g_frac, 1, self.g_width)
        lo, hi = int_range(self.width)
        for name in ("v_rest", "v_reset", "v_th", "e_exc", "e_inh"):
            check_int(name, getattr(self, name), lo, hi)
        check_int("gl_k", self.gl_k, 0, (1 << self.g_width) - 1)
        for name in ("cm_k", "syn_e_k", "syn_i_k"):
            check_int(name, getattr(self, name), 0, 1 << self.g_frac)
        check_choice("rounding", self.rounding, ROUNDING_MODES)

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``i_in``: signed ``Q(g_width, g_frac)`` conductance increment."""
        return (PortSpec("i_in", self.g_width, True, self.g_frac),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State: ``v`` (reset ``v_rest``), ``g_e`` and ``g_i`` (unsigned, reset 0)."""
        return (PortSpec("v", self.width, True, self.frac, self.v_rest),
                PortSpec("g_e", self.g_width, False, self.g_frac, 0),
                PortSpec("g_i", self.g_width, False, self.g_frac, 0))

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """Increments from -1 to +4 times the step that holds ``g_e`` at the rheobase
        (the excitatory conductance that brings the resting membrane to threshold)."""
        rise = max(1, self.e_exc - self.v_th)
        need = self.gl_k * max(1, self.v_th - self.v_rest) // rise  # g_e at threshold
        per_step = max(4, need * self.syn_e_k >> self.g_frac)
        lo, hi = int_range(self.g_width)
        return {"i_in": (max(lo, -per_step), min(hi, 4 * per_step))}

    def real_values(self) -> dict[str, object]:
        """Every constant in real units."""
        s, g = float(1 << self.frac), float(1 << self.g_frac)
        out = {k: getattr(self, k) / s for k in ("v_rest", "v_reset", "v_th", "e_exc",
                                                  "e_inh")}
        out.update({k: getattr(self, k) / g for k in ("gl_k", "cm_k", "syn_e_k",
                                                      "syn_i_k")})
        return out


class CobaLIFState(NamedTuple):
    """CobaLIF state: membrane ``v``, conductances ``g_e`` and ``g_i``."""

    v: np.ndarray
    g_e: np.ndarray
    g_i: np.ndarray


def _conductance(g, inc, k, p):
    g1 = np.minimum(g + inc, (1 << p.g_width) - 1)
    return g1 - rshift(g1 * k, p.g_frac, p.rounding)


def step(params: CobaLIFParams, state: CobaLIFState, i_in=0
         ) -> tuple[CobaLIFState, np.ndarray]:
    """Advance every neuron one step, bit-true to the RTL.

    Parameters
    ----------
    params : CobaLIFParams
    state : CobaLIFState
    i_in : int or numpy.ndarray of int
        Conductance increment, signed ``Q(g_width, g_frac)``.

    Returns
    -------
    state : CobaLIFState
    spike : numpy.ndarray of bool
    """
    p = params
    x = np.asarray(i_in, np.int64)
    v = np.asarray(state.v, np.int64)
    g_e = _conductance(np.asarray(state.g_e, np.int64), np.maximum(x, 0), p.syn_e_k, p)
    g_i = _conductance(np.asarray(state.g_i, np.int64), np.maximum(-x, 0), p.syn_i_k, p)
    c = p.gl_k * (p.v_rest - v) + g_e * (p.e_exc - v) + g_i * (p.e_inh - v)
    v1 = saturate(v + rshift(c * p.cm_k, 2 * p.g_frac, p.rounding), p.width)
    spike = v1 > p.v_th
    return CobaLIFState(np.where(spike, p.v_reset, v1), g_e, g_i), spike


def reference(params: CobaLIFParams | CobaLIFReal, i_in
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Float64 ideal dynamics (Norse's Euler step, nothing rounded or saturated).

    With :class:`CobaLIFReal` the constants are the real ones; with
    :class:`CobaLIFParams` the quantized constants read as reals.

    Parameters
    ----------
    params : CobaLIFParams or CobaLIFReal
    i_in : array_like of float, shape (T, N)
        Conductance increments in real units (positive excitatory, negative inhibitory).

    Returns
    -------
    spikes : numpy.ndarray of bool, shape (T, N)
    v, g_e, g_i : numpy.ndarray of float64, shape (T, N)
    """
    if isinstance(params, CobaLIFParams):
        r = params.real_values()
        c = {"v_rest": r["v_rest"], "v_reset": r["v_reset"], "v_th": r["v_th"],
             "e_exc": r["e_exc"], "e_inh": r["e_inh"], "g_l": r["gl_k"], "cm": r["cm_k"],
             "se": r["syn_e_k"], "si": r["syn_i_k"]}
    elif isinstance(params, CobaLIFReal):
        c = {"v_rest": params.v_rest, "v_reset": params.v_reset, "v_th": params.v_thresh,
             "e_exc": params.e_rev_E, "e_inh": params.e_rev_I, "g_l": params.g_l,
             "cm": params.dt / params.c_m, "se": params.dt / params.tau_syn_exc,
             "si": params.dt / params.tau_syn_inh}
    else:
        raise TypeError(f"params must be CobaLIFParams or CobaLIFReal, got "
                        f"{type(params).__name__}")
    i_in = np.atleast_2d(np.asarray(i_in, dtype=np.float64))
    n = i_in.shape[1]
    v, g_e, g_i = np.full(n, c["v_rest"]), np.zeros(n), np.zeros(n)
    spikes = np.zeros(i_in.shape, dtype=bool)
    v_tr, ge_tr, gi_tr = (np.empty(i_in.shape) for _ in range(3))
    for t in range(i_in.shape[0]):
        g_e = g_e + np.maximum(i_in[t], 0.0)
        g_i = g_i + np.maximum(-i_in[t], 0.0)
        g_e, g_i = g_e - c["se"] * g_e, g_i - c["si"] * g_i
        v = v + c["cm"] * (c["g_l"] * (c["v_rest"] - v) + g_e * (c["e_exc"] - v)
                           + g_i * (c["e_inh"] - v))
        fired = v > c["v_th"]
        v = np.where(fired, c["v_reset"], v)
        spikes[t], v_tr[t], ge_tr[t], gi_tr[t] = fired, v, g_e, g_i
    return spikes, v_tr, ge_tr, gi_tr


#: Norse's ``CobaLIFParameters`` defaults (ms, nF, uS, mV): ``tau_syn_*_inv = 1/5``,
#: ``c_m_inv = 1/0.2``, ``g_l = 0.25``, ``e_rev_E = 60``, ``e_rev_I = -100``,
#: ``v_rest = -20``, ``v_reset = -70``, ``v_thresh = -10``; ``dt`` 0.1 ms (Norse's
#: functional default 0.001 is in seconds while its constants are in ms).
@dataclass(frozen=True)
class CobaLIFReal(RealModel):
    """The conductance-based LIF in real units (Norse's ``CobaLIF``).

    ``c_m dv/dt = g_l (v_rest - v) + g_e (e_rev_E - v) + g_i (e_rev_I - v)``,
    ``tau_syn dg/dt = -g``, input spikes add to ``g_e`` (positive) or ``g_i``
    (negative); spike at ``v > v_thresh``, then ``v = v_reset``; forward Euler. Norse's
    names, its inverse time constants and capacitance as ``tau_*`` and ``c_m``.
    """

    tau_syn_exc: float = real_field(5.0, "ms", "excitatory synaptic time constant",
                                    positive=True)
    tau_syn_inh: float = real_field(5.0, "ms", "inhibitory synaptic time constant",
                                    positive=True)
    c_m: float = real_field(0.2, "nF", "membrane capacitance (1/c_m_inv)", positive=True)
    g_l: float = real_field(0.25, "uS", "leak conductance", minimum=0.0)
    dt: float = real_field(0.1, "ms", "time step", positive=True)
    e_rev_E: float = real_field(60.0, "mV", "excitatory reversal potential")
    e_rev_I: float = real_field(-100.0, "mV", "inhibitory reversal potential")
    v_rest: float = real_field(-20.0, "mV", "resting potential")
    v_reset: float = real_field(-70.0, "mV", "reset potential")
    v_thresh: float = real_field(-10.0, "mV", "threshold")

    def default_format(self, base) -> Format:
        """The membrane's format (the conductances keep the base's ``Q(g_width,
        g_frac)``)."""
        return Format(base.width, base.frac)

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """Every constant: potentials in ``fmt``, conductance constants in the base's
        conductance format."""
        w, f, gw, gf = fmt.width, fmt.frac, base.g_width, base.g_frac
        one = 1 << gf
        for name in ("tau_syn_exc", "tau_syn_inh"):
            if self.dt > getattr(self, name):
                raise ValueError(f"dt must not exceed {name} (forward Euler)")
        return {**fmt.settings(base),
                **{k: quantize(k, getattr(self, r), w, f) for k, r in (
                    ("v_rest", "v_rest"), ("v_reset", "v_reset"), ("v_th", "v_thresh"),
                    ("e_exc", "e_rev_E"), ("e_inh", "e_rev_I"))},
                "gl_k": quantize_code("gl_k", self.g_l, gw + 1, gf, lo=0, hi=(1 << gw) - 1),
                "cm_k": quantize_code("cm_k", self.dt / self.c_m, gw + 2, gf, lo=0, hi=one),
                "syn_e_k": quantize_code("syn_e_k", self.dt / self.tau_syn_exc, gw + 2, gf,
                                         lo=0, hi=one),
                "syn_i_k": quantize_code("syn_i_k", self.dt / self.tau_syn_inh, gw + 2, gf,
                                         lo=0, hi=one)}

    @classmethod
    def from_params(cls, params: CobaLIFParams, dt: float = 0.1) -> CobaLIFReal:
        """The real neuron ``params`` stand for, at step ``dt`` ms."""
        s, g = float(1 << params.frac), float(1 << params.g_frac)
        if min(params.cm_k, params.syn_e_k, params.syn_i_k) == 0:
            raise ValueError("cm_k, syn_e_k or syn_i_k of 0 has no finite real value; set "
                             "the integers with --param")
        return cls(tau_syn_exc=dt * g / params.syn_e_k, tau_syn_inh=dt * g / params.syn_i_k,
                   c_m=dt * g / params.cm_k, g_l=params.gl_k / g, dt=dt,
                   e_rev_E=params.e_exc / s, e_rev_I=params.e_inh / s,
                   v_rest=params.v_rest / s, v_reset=params.v_reset / s,
                   v_thresh=params.v_th / s)


#: ``norse``: Norse's defaults, v in Q16.7 (+-256 mV, 1/128 mV), conductances in
#: unsigned Q16.16 (0..1 uS), dt 0.1 ms, nearest rounding; ``q12_4``: v in Q12.4 (1/16
#: mV), conductances Q12.12, nearest rounding.
PRESETS: dict[str, CobaLIFParams] = {
    "norse": CobaLIFParams(rounding="nearest"),
    "q12_4": CobaLIFParams(width=12, frac=4, g_width=12, g_frac=12, v_rest=-320,
                           v_reset=-1120, v_th=-160, e_exc=960, e_inh=-1600, gl_k=1024,
                           cm_k=2048, syn_e_k=82, syn_i_k=82, rounding="nearest"),
}

MODEL = Model(
    name="coba_lif",
    summary="conductance-based LIF (Norse CobaLIF), runtime g (E - v) multipliers",
    params_cls=CobaLIFParams,
    state_cls=CobaLIFState,
    presets=PRESETS,
    step=step,
    reference=reference,
    real=CobaLIFReal,
)
