"""Fractional-order LIF (as in SpikingSSM / LoongSpike): the membrane follows a fractional
derivative of order ``alpha`` in (0, 1], so it remembers its history.

Real dynamics: ``tau^alpha D^alpha v = -v + R I`` (rest at 0), spike at ``v >= v_th``,
then ``v = v_reset``. Grunwald-Letnikov, explicit, with step ``h``::

    v_n = (h/tau)^alpha (R I_n - v_{n-1}) + sum_{k=1..K} c_k v_{n-k}
    c_k = -w_k,  w_0 = 1,  w_k = w_{k-1} (1 - (alpha + 1) / k)

``c_k > 0`` and ``sum c_k -> 1`` as ``K -> inf`` (``alpha = 1``: ``c_1 = 1``, the rest 0 --
forward Euler). A finite window of ``K`` past values (``history``) is the short-memory
principle: the truncated weights sum to less than 1, an extra leak toward rest, which
``docs/models/frac_lif.md`` measures against the full history.

Number format: ``v``, the history ``h2..hK`` (``h_k`` holds ``v_{n-k}``), ``i_in``,
``v_th``, ``v_reset`` are signed ``Q(width, frac)``; the weights ``c_k``, ``leak_k =
(h/tau)^alpha`` and ``gain_k = R (h/tau)^alpha`` are ``Q(coef_frac)``. One step, one
rounding (``>>`` by ``rounding``), ``sat`` to ``width`` bits::

    acc = sum_{k=1..K} c_k h_k + gain_k i_in - leak_k v        (h_1 = v; exact)
    v1  = sat(acc >> coef_frac)
    spike = v1 >= v_th;  v = v_reset if spike else v1;  h_{k+1} = h_k (the old values)

The weights are derived from ``alpha_k`` (``alpha`` in ``Q(coef_frac)``) by
:func:`weights`: the recurrence in float64, rounded to nearest.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..fixed import ROUNDING_MODES, check_choice, check_int, int_range, quantize, saturate
from ..fixed import shift_right as rshift
from ..model import Model, ModelParams, PortSpec
from ..real import Format, RealModel, quantize_code, real_field

__all__ = ["MODEL", "PRESETS", "WINDOWS", "FracLIFParams", "FracLIFReal", "gl_weights",
           "reference", "step", "weights"]

#: The largest history window (the datapath has one constant multiply per entry).
MAX_HISTORY = 64


#: What the window does with the memory beyond it: ``truncate`` drops it (the weights
#: sum to less than 1: an extra leak); ``tail`` gives its weight, ``1 - sum c_k``, to the
#: oldest value in the window (the older past approximated by it; the sum is then 1).
WINDOWS = ("truncate", "tail")


def gl_weights(alpha: float, count: int, window: str = "truncate") -> np.ndarray:
    """The memory weights ``c_1..c_count`` of order ``alpha`` in float64 (with
    ``window="tail"`` the last one carries the rest of the infinite sum)."""
    out, w, total = np.empty(count), 1.0, 0.0
    for k in range(1, count + 1):
        w = w * (1.0 - (alpha + 1.0) / k)
        out[k - 1] = -w
        total += -w
    if window == "tail":
        out[-1] += 1.0 - total
    return out


@functools.lru_cache(maxsize=64)
def weights(params: FracLIFParams) -> tuple[int, ...]:
    """``c_1..c_K`` in ``Q(coef_frac)``: :func:`gl_weights` of ``alpha_k / 2**coef_frac``,
    rounded to nearest."""
    one = 1 << params.coef_frac
    return tuple(int(round(c * one)) for c in gl_weights(params.alpha_k / one,
                                                         params.history, params.window))


@dataclass(frozen=True)
class FracLIFParams(ModelParams):
    """Validated integer parameters of the fractional-order LIF neuron.

    Parameters
    ----------
    width : int
        Width of ``v``, the history and ``i_in``, 4..24.
    frac : int
        Fractional bits, 0..width-2.
    coef_frac : int
        Fractional bits of the weights, leak and gain, 4..20.
    alpha_k : int
        The order ``alpha`` in ``Q(coef_frac)``, 1..2**coef_frac.
    history : int
        ``K``, past membrane values weighted, 1..64.
    leak_k, gain_k : int
        ``(h/tau)^alpha`` and ``R (h/tau)^alpha``, ``Q(coef_frac)``: leak
        0..2**coef_frac, gain -16..16 (times ``2**coef_frac``).
    v_th, v_reset : int
        Threshold (> 0) and reset, ``Q(width, frac)``.
    window : {"truncate", "tail"}
        The memory beyond the window: dropped, or weighed on the oldest value
        (:data:`WINDOWS`).
    rounding : {"floor", "nearest"}
    """

    width: int = 16
    frac: int = 8
    coef_frac: int = 16
    alpha_k: int = 45875
    history: int = 16
    leak_k: int = 8049
    gain_k: int = 8049
    v_th: int = 256
    v_reset: int = 0
    window: str = "truncate"
    rounding: str = "nearest"

    def __post_init__(self):
        check_int("width", self.width, 4, 24)
        check_int("frac", self.frac, 0, self.width - 2)
        check_int("coef_frac", self.coef_frac, 4, 20)
        one = 1 << self.coef_frac
        check_int("alpha_k", self.alpha_k, 1, one)
        check_int("history", self.history, 1, MAX_HISTORY)
        check_int("leak_k", self.leak_k, 0, one)
        check_int("gain_k", self.gain_k, -16 * one, 16 * one)
        lo, hi = int_range(self.width)
        check_int("v_th", self.v_th, 1, hi)
        check_int("v_reset", self.v_reset, lo, hi)
        check_choice("window", self.window, WINDOWS)
        check_choice("rounding", self.rounding, ROUNDING_MODES)

    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input ``i_in``: signed ``Q(width, frac)``."""
        return (PortSpec("i_in", self.width, True, self.frac),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State: ``v`` and the history ``h2..hK`` (``h_k`` = ``v`` k-1 steps ago), reset 0."""
        return (PortSpec("v", self.width, True, self.frac, 0),
                *(PortSpec(f"h{k}", self.width, True, self.frac, 0)
                  for k in range(2, self.history + 1)))

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """``R i_in`` from -0.5 to +4 thresholds: quiet to fast firing (a truncated
        window leaks, so the steady membrane is below ``R i_in``)."""
        lo, hi = int_range(self.width)
        scale = max(1, abs(self.gain_k)) / (1 << self.coef_frac)
        top = min(hi, int(4 * self.v_th * self.leak_k / (1 << self.coef_frac) / scale) + 1)
        return {"i_in": (max(lo, -top // 8), max(top, 2))}

    def real_values(self) -> dict[str, object]:
        """Every constant in real units."""
        c, s = float(1 << self.coef_frac), float(1 << self.frac)
        return {"alpha": self.alpha_k / c, "leak": self.leak_k / c, "gain": self.gain_k / c,
                "v_th": self.v_th / s, "v_reset": self.v_reset / s,
                "weights": [w / c for w in weights(self)]}


def _state_cls(params: FracLIFParams) -> type:
    return _STATE_CLASSES[params.history]


def _make_state_cls(k: int) -> type:
    fields = ["v"] + [f"h{j}" for j in range(2, k + 1)]
    cls = NamedTuple(f"FracLIFState{k}", [(f, np.ndarray) for f in fields])
    cls.__doc__ = f"Fractional LIF state with a history of {k}: v, h2..h{k}."
    return cls


_STATE_CLASSES = {k: _make_state_cls(k) for k in range(1, MAX_HISTORY + 1)}
#: The state of the default history (16); other histories have their own NamedTuple,
#: built by :meth:`Model.initial_state` (``MODEL.initial_state(params, n)``).
FracLIFState = _STATE_CLASSES[16]


def initial_state(params: FracLIFParams, n: int):
    """Every register at 0 (int64), in the NamedTuple of ``params.history``."""
    return _state_cls(params)(*(np.zeros(n, dtype=np.int64) for _ in params.state_ports()))


def step(params: FracLIFParams, state, i_in=0):
    """Advance every neuron one step, bit-true to the RTL.

    Parameters
    ----------
    params : FracLIFParams
    state : NamedTuple
        ``v`` then ``h2..hK`` (int arrays), as :func:`initial_state`.
    i_in : int or numpy.ndarray of int
        Input, signed ``Q(width, frac)``.

    Returns
    -------
    state : NamedTuple
    spike : numpy.ndarray of bool
    """
    p = params
    past = [np.asarray(x, np.int64) for x in state]
    if len(past) != p.history:
        raise ValueError(f"state has {len(past)} registers, history={p.history} needs "
                         f"{p.history}")
    acc = p.gain_k * np.asarray(i_in, np.int64) - p.leak_k * past[0]
    for c, h in zip(weights(p), past):
        acc = acc + c * h
    v1 = saturate(rshift(acc, p.coef_frac, p.rounding), p.width)
    spike = v1 >= p.v_th
    v = np.where(spike, p.v_reset, v1)
    return _state_cls(p)(v, *(h.copy() for h in past[:-1])), spike


def reference(params: FracLIFParams | FracLIFReal, i_in, history: int | None = None,
              window: str = "truncate") -> tuple[np.ndarray, np.ndarray]:
    """Float64 ideal dynamics with the full history (or a window of ``history`` values).

    With :class:`FracLIFReal` the constants are the real ones; with
    :class:`FracLIFParams` the quantized constants read as reals (the window is then the
    params' unless ``history`` says otherwise).

    Parameters
    ----------
    params : FracLIFParams or FracLIFReal
    i_in : array_like of float, shape (T, N)
        Input current in real units.
    history : int, optional
        Past values weighted; default: every past step (the Grunwald-Letnikov sum over
        the whole run) for a real model, ``params.history`` for integer params.
    window : {"truncate", "tail"}
        For a real model with ``history``: what the window does with the older past (for
        integer params, theirs).

    Returns
    -------
    spikes : numpy.ndarray of bool, shape (T, N)
    v : numpy.ndarray of float64, shape (T, N)
    """
    i_in = np.atleast_2d(np.asarray(i_in, dtype=np.float64))
    steps, n = i_in.shape
    if isinstance(params, FracLIFParams):
        r = params.real_values()
        alpha, leak, gain = r["alpha"], r["leak"], r["gain"]
        v_th, v_reset = r["v_th"], r["v_reset"]
        history = params.history if history is None else history
        c = (np.array(r["weights"]) if history == params.history
             else gl_weights(alpha, history, params.window))
    elif isinstance(params, FracLIFReal):
        alpha, leak = params.alpha, (params.dt / params.tau_mem) ** params.alpha
        gain, v_th, v_reset = params.resistance * leak, params.v_threshold, params.v_reset
        c = gl_weights(alpha, steps) if history is None else gl_weights(alpha, history,
                                                                          window)
    else:
        raise TypeError(f"params must be FracLIFParams or FracLIFReal, got "
                        f"{type(params).__name__}")
    check_choice("window", window, WINDOWS)
    past = np.zeros((len(c), n))  # past[k] = v_{n-1-k}
    spikes = np.zeros((steps, n), dtype=bool)
    v_tr = np.empty((steps, n))
    for t in range(steps):
        v = gain * i_in[t] - leak * past[0] + c @ past
        fired = v >= v_th
        v = np.where(fired, v_reset, v)
        past = np.roll(past, 1, axis=0)
        past[0] = v
        spikes[t], v_tr[t] = fired, v
    return spikes, v_tr


@dataclass(frozen=True)
class FracLIFReal(RealModel):
    """The fractional-order LIF in real units.

    ``tau^alpha D^alpha v = -v + R I``; spike at ``v >= v_threshold``, then ``v =
    v_reset``; Grunwald-Letnikov with step ``dt`` (the history window is the base's).
    """

    tau_mem: float = real_field(20.0, "ms", "membrane time constant", positive=True)
    dt: float = real_field(1.0, "ms", "time step", positive=True)
    alpha: float = real_field(0.7, "", "order of the derivative, (0, 1]", positive=True)
    resistance: float = real_field(1.0, "", "membrane resistance (R I is a voltage)")
    v_threshold: float = real_field(1.0, "v", "threshold")
    v_reset: float = real_field(0.0, "v", "reset potential")

    def __post_init__(self):
        super().__post_init__()
        if self.alpha > 1.0:
            raise ValueError(f"alpha must be in (0, 1], got {self.alpha}")

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """Every constant; the weights follow from ``alpha_k``."""
        cf, one = base.coef_frac, 1 << base.coef_frac
        leak = (self.dt / self.tau_mem) ** self.alpha
        if leak > 1.0:
            raise ValueError("(dt / tau_mem)^alpha must not exceed 1")
        w, f = fmt.width, fmt.frac
        return {**fmt.settings(base),
                "alpha_k": quantize_code("alpha_k", self.alpha, cf + 2, cf, lo=1, hi=one),
                "leak_k": quantize_code("leak_k", leak, cf + 2, cf, lo=0, hi=one),
                "gain_k": quantize_code("gain_k", self.resistance * leak, cf + 6, cf,
                                        lo=-16 * one, hi=16 * one),
                "v_th": quantize("v_th", self.v_threshold, w, f),
                "v_reset": quantize("v_reset", self.v_reset, w, f)}

    @classmethod
    def from_params(cls, params: FracLIFParams, dt: float = 1.0) -> FracLIFReal:
        """The real neuron ``params`` stand for, at step ``dt`` ms."""
        one, s = float(1 << params.coef_frac), float(1 << params.frac)
        alpha, leak = params.alpha_k / one, params.leak_k / one
        if leak <= 0.0:
            raise ValueError("leak_k=0 has no finite time constant; set the integers with "
                             "--param")
        return cls(tau_mem=dt / leak ** (1.0 / alpha), dt=dt, alpha=alpha,
                   resistance=params.gain_k / params.leak_k,
                   v_threshold=params.v_th / s, v_reset=params.v_reset / s)


#: ``a07_k16`` (the default): alpha 0.7, tau 20 ms, dt 1 ms (leak and gain
#: ``(1/20)^0.7``), R 1, threshold 1.0, 16 past values, Q16.8, weights Q.16, nearest;
#: ``a05_k8_tail``: alpha 0.5 (``(1/20)^0.5``), 8 values, the older past on the oldest;
#: ``a09_k4_q12``: alpha 0.9, 4
#: values, Q12.6, weights Q.12, floor.
PRESETS: dict[str, FracLIFParams] = {
    "a07_k16": FracLIFParams(),
    "a05_k8_tail": FracLIFParams(alpha_k=32768, history=8, leak_k=14654, gain_k=14654,
                                 window="tail"),
    "a09_k4_q12": FracLIFParams(width=12, frac=6, coef_frac=12, alpha_k=3686, history=4,
                                leak_k=276, gain_k=276, v_th=64, rounding="floor"),
}

MODEL = Model(
    name="frac_lif",
    summary="fractional-order LIF (Grunwald-Letnikov, K-value history window)",
    params_cls=FracLIFParams,
    state_cls=FracLIFState,
    presets=PRESETS,
    step=step,
    reference=reference,
    initial_state=initial_state,
    real=FracLIFReal,
)
