"""Izhikevich (2003) neuron: bit-true fixed-point golden model and float64 reference.

Ideal dynamics (v in mV, t in ms)::

    v' = 0.04 v^2 + 5 v + 140 - u + I        u' = a (b v - u)
    if v >= 30: spike, v = c, u = u + d

Each 1 ms step is integrated as two explicit half-steps of 0.5 ms; in each half-step v and
u are both updated from the values at the start of that half-step. The spike test and
reset follow the second half-step. Initial state ``v = c``, ``u = b c``.

Fixed-point format: ``v``, ``u`` and ``i_in`` are signed ``Q(width, frac)`` (at least 8
integer bits, so [-100, 40] mV fits); the coefficients are quantized to ``Q(coef_frac)``
with the half-step folded in. One half-step, with ``>>`` under ``rounding`` and ``sat``
saturating to ``width`` bits::

    sq   = (v * v) >> frac                                   # v^2, Q(frac)
    v'   = sat(v + ((sq * K2) >> cf) + ((v * K5) >> cf) + K140 - (u >> 1) + (i >> 1))
    u'   = sat(u + ((((v * B) >> cf) - u) * A) >> cf)

with ``K2 = q(0.02)``, ``K5 = q(2.5)``, ``A = q(a / 2)``, ``B = q(b)`` in ``Q(coef_frac)``
and ``K140 = q(70)`` in ``Q(frac)``. After two half-steps: ``spike = v >= VPEAK``
(``q(30)``), then ``v = C`` and ``u = sat(u + D)`` (``C = q(c)``, ``D = q(d)``).
Products are exact before each shift.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from ..fixed import (
    ROUNDING_MODES,
    QuantizedValue,
    check_choice,
    check_int,
    int_range,
    quantize,
    saturate,
    shift_right,
)
from ..model import Model, ModelParams, PortSpec, StepKernel
from ..real import Format, RealModel, real_field

__all__ = [
    "MODEL", "PAPER", "PRESETS", "IzhikevichBlockKernel", "IzhikevichNarrowKernel",
    "IzhikevichReal", "IzhikevichParams", "IzhikevichState", "block_kernel", "initial_state",
    "mixed", "reference", "step",
]

#: (a, b, c, d) of Izhikevich 2003, Fig. 2.
PAPER = {
    "rs": (0.02, 0.2, -65.0, 8.0),
    "ib": (0.02, 0.2, -55.0, 4.0),
    "ch": (0.02, 0.2, -50.0, 2.0),
    "fs": (0.1, 0.2, -65.0, 2.0),
    "lts": (0.02, 0.25, -65.0, 2.0),
    "tc": (0.02, 0.25, -65.0, 0.05),
    "rz": (0.1, 0.26, -65.0, 2.0),
}

V_PEAK = 30.0
V_RANGE = (-100.0, 40.0)


def _as_values(name: str, value) -> float | tuple[float, ...]:
    """A real number, or a non-empty sequence of them (one per neuron)."""
    items = value if isinstance(value, (Sequence, np.ndarray)) else [value]
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, float, np.number)):
            raise TypeError(f"{name} must be a real number or a sequence of them, "
                            f"got {item!r}")
        if not math.isfinite(float(item)):
            raise ValueError(f"{name} must be finite, got {item}")
        out.append(float(item))
    if not out:
        raise ValueError(f"{name} must not be empty")
    return out[0] if not isinstance(value, (Sequence, np.ndarray)) else tuple(out)


@dataclass(frozen=True)
class IzhikevichParams(ModelParams):
    """Izhikevich parameters and number format.

    Parameters
    ----------
    a, b, c, d : float or sequence of float
        Model parameters (Izhikevich 2003); a sequence gives one value per neuron for a
        mixed population in the engine (the RTL takes scalars). ``a > 0``.
    width : int
        Width of ``v``, ``u`` and ``i_in`` in bits, 12..32.
    frac : int
        Fractional bits of ``v``, ``u`` and ``i_in``; at most ``width - 8`` so that the
        integer part holds [-100, 40] mV.
    coef_frac : int
        Fractional bits of the coefficients 0.02, 2.5, a/2 and b, 8..32 (every product
        must stay within 62 bits; a clear error says which one does not).
    rounding : {"floor", "nearest"}
        Rounding of every right shift.
    """

    a: float | tuple[float, ...] = 0.02
    b: float | tuple[float, ...] = 0.2
    c: float | tuple[float, ...] = -65.0
    d: float | tuple[float, ...] = 8.0
    width: int = 16
    frac: int = 7
    coef_frac: int = 20
    rounding: str = "nearest"

    def __post_init__(self):
        for name in ("a", "b", "c", "d"):
            object.__setattr__(self, name, _as_values(name, getattr(self, name)))
        check_int("width", self.width, 12, 32)
        if isinstance(self.frac, bool) or not isinstance(self.frac, (int, np.integer)):
            raise TypeError(f"frac must be an integer, got {self.frac!r}")
        if not 0 <= self.frac <= self.width - 8:
            raise ValueError(
                f"frac={self.frac} with width={self.width}: Q({self.width},{self.frac}) "
                f"cannot hold v in [-100, 40] mV; frac must be in [0, {self.width - 8}]")
        check_int("coef_frac", self.coef_frac, 8, 32)
        check_choice("rounding", self.rounding, ROUNDING_MODES)
        if np.any(np.asarray(self.a) <= 0):
            raise ValueError(f"a must be > 0, got {self.a}")
        lengths = {len(v) for v in (self.a, self.b, self.c, self.d) if isinstance(v, tuple)}
        if len(lengths) > 1:
            raise ValueError(f"per-neuron a, b, c, d must have one length, got {lengths}")
        for name, lo, hi in (("c", *V_RANGE), ("d", -50.0, 50.0), ("b", -4.0, 4.0),
                             ("a", 0.0, 2.0)):
            arr = np.asarray(getattr(self, name))
            if np.any(arr < lo) or np.any(arr > hi):
                raise ValueError(f"{name}={getattr(self, name)} is out of range [{lo}, {hi}]")
        self._check_int64()

    def _check_int64(self) -> None:
        """Every intermediate of the golden model must fit int64: exact worst cases."""
        k = self.codes()
        mag = {name: int(np.max(np.abs(value))) for name, value in k.items()}
        v = 1 << (self.width - 1)  # largest |v|, |u|, |i_in|
        sq = ((v * v) >> self.frac) + 1
        worst = {
            "v * v": v * v,
            "(v*v >> frac) * K2": sq * mag["K2"],
            "v * K5": v * mag["K5"],
            "v * B": v * mag["B"],
            "(b v - u) * A": (((v * mag["B"]) >> self.coef_frac) + v + 1) * mag["A"],
        }
        name = max(worst, key=worst.get)
        if worst[name] > 1 << 62:
            raise ValueError(
                f"coef_frac={self.coef_frac} with Q({self.width},{self.frac}): {name} "
                f"reaches 2^{worst[name].bit_length() - 1}, beyond the golden model's "
                "int64 (2^62); lower coef_frac or width")

    # -- quantized constants ----------------------------------------------------------------
    def constants(self) -> dict[str, QuantizedValue | tuple[QuantizedValue, ...]]:
        """Every quantized constant: its code, the real value and the error.

        ``K2``, ``K5``, ``A``, ``B`` are ``Q(coef_frac)`` (half-step folded in);
        ``K140``, ``VPEAK``, ``C``, ``D`` are ``Q(frac)``.
        """
        w, f, cf = self.width, self.frac, self.coef_frac

        def q(name, real, frac, width=cf + 4):  # coefficients: |value| < 8
            if isinstance(real, tuple):
                return tuple(q(name, r, frac, width) for r in real)
            return quantize(name, real, width, frac)

        half_a = tuple(x / 2 for x in self.a) if isinstance(self.a, tuple) else self.a / 2
        return {
            "K2": q("0.04 * 0.5", 0.02, cf), "K5": q("5 * 0.5", 2.5, cf),
            "K140": q("140 * 0.5", 70.0, f, w), "VPEAK": q("v_peak", V_PEAK, f, w),
            "A": q("a * 0.5", half_a, cf), "B": q("b", self.b, cf),
            "C": q("c", self.c, f, w), "D": q("d", self.d, f, w),
        }

    def codes(self) -> dict[str, int | np.ndarray]:
        """The integer constants (per-neuron ones as int64 arrays); computed once."""
        return dict(self._codes)

    @cached_property
    def _codes(self) -> dict[str, int | np.ndarray]:
        out = {}
        for name, value in self.constants().items():
            out[name] = (value.value if isinstance(value, QuantizedValue)
                         else np.array([v.value for v in value], dtype=np.int64))
        return out

    @property
    def per_neuron(self) -> int | None:
        """Length of the per-neuron parameter arrays, or None if all are scalars."""
        for v in (self.a, self.b, self.c, self.d):
            if isinstance(v, tuple):
                return len(v)
        return None

    # -- ports ------------------------------------------------------------------------------
    def input_ports(self) -> tuple[PortSpec, ...]:
        """Input: ``i_in``, signed ``Q(width, frac)`` (real current = code / 2**frac)."""
        return (PortSpec("i_in", self.width, True, self.frac),)

    def state_ports(self) -> tuple[PortSpec, ...]:
        """State: ``v`` and ``u``, signed ``Q(width, frac)``, reset to ``c`` and ``b c``."""
        k = self.codes()
        if self.per_neuron:
            return (PortSpec("v", self.width, True, self.frac, 0),
                    PortSpec("u", self.width, True, self.frac, 0))
        u0 = int(saturate(shift_right(k["B"] * k["C"], self.coef_frac, self.rounding),
                          self.width))
        return (PortSpec("v", self.width, True, self.frac, int(k["C"])),
                PortSpec("u", self.width, True, self.frac, u0))

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """Input codes for realistic stimulus: i_in from -5 to 25 (mV/ms)."""
        return {"i_in": (-5 << self.frac, 25 << self.frac)}

    def real_values(self) -> dict[str, float | list[float]]:
        """The real value each quantized constant stands for."""
        out = {}
        for name, value in self.constants().items():
            scalar = isinstance(value, QuantizedValue)
            scale = self.coef_frac if name in ("K2", "K5", "A", "B") else self.frac
            reals = [v.value / (1 << scale) for v in ((value,) if scalar else value)]
            out[name] = reals[0] if scalar else reals
        return out


class IzhikevichState(NamedTuple):
    """Membrane potential ``v`` and recovery ``u``, int64 ``Q(width, frac)`` arrays."""

    v: np.ndarray
    u: np.ndarray


def initial_state(params: IzhikevichParams, n: int) -> IzhikevichState:
    """``v = c``, ``u = b c`` (quantized, saturated) for ``n`` neurons."""
    k = params.codes()
    _check_n(params, n)
    c = np.broadcast_to(k["C"], (n,)).astype(np.int64)
    u = saturate(shift_right(np.asarray(k["B"]) * c, params.coef_frac, params.rounding),
                 params.width)
    return IzhikevichState(c.copy(), np.asarray(u, dtype=np.int64).copy())


def _check_n(params: IzhikevichParams, n: int) -> None:
    if params.per_neuron not in (None, 1, n):
        raise ValueError(f"params hold {params.per_neuron} per-neuron values for {n} neurons")


def _half_step(p: IzhikevichParams, k: dict, v, u, i_in):
    f, cf, r, w = p.frac, p.coef_frac, p.rounding, p.width
    sq = shift_right(v * v, f, r)
    dv = (shift_right(sq * k["K2"], cf, r) + shift_right(v * k["K5"], cf, r) + k["K140"]
          - shift_right(u, 1, r) + shift_right(i_in, 1, r))
    du = shift_right(v * k["B"], cf, r) - u
    return saturate(v + dv, w), saturate(u + shift_right(du * k["A"], cf, r), w)


def step(params: IzhikevichParams, state: IzhikevichState, i_in=0
         ) -> tuple[IzhikevichState, np.ndarray]:
    """Advance every neuron one 1 ms step (two half-steps), bit-true to the RTL.

    Parameters
    ----------
    params : IzhikevichParams
        Parameters and format.
    state : IzhikevichState
        Current state.
    i_in : int or numpy.ndarray of int
        Input current, signed ``Q(width, frac)``.

    Returns
    -------
    state : IzhikevichState
    spike : numpy.ndarray of bool
    """
    k = params.codes()
    v = np.asarray(state.v, dtype=np.int64)
    u = np.asarray(state.u, dtype=np.int64)
    i_in = np.asarray(i_in, dtype=np.int64)
    v, u = _half_step(params, k, v, u, i_in)
    v, u = _half_step(params, k, v, u, i_in)
    spike = v >= k["VPEAK"]
    v_out = np.where(spike, k["C"], v)
    u_out = np.where(spike, saturate(u + k["D"], params.width), u)
    return IzhikevichState(v_out, u_out), spike


def kernel(params: IzhikevichParams, n: int) -> StepKernel:
    """Engine kernel: the pure step, results copied into the state arrays."""
    _check_n(params, n)
    return StepKernel(params, step)


class _KernelSteps:
    """What both Izhikevich block kernels share: writing the state back, and a step as
    two half-steps (the subclass's ``_half``), the spike test and the reset. Their
    arrays ``v``, ``u``, ``b`` and constants ``_c`` (``VPEAK``, ``C``, ``D``, ``lo``,
    ``hi``) are of the kernel's own dtype."""

    def store(self, state: IzhikevichState) -> None:
        """Write the state back into ``state``'s arrays."""
        np.copyto(state.v, self.v)
        np.copyto(state.u, self.u)

    def run(self, d: np.ndarray, spikes: np.ndarray) -> None:
        """Advance ``len(d)`` steps; write each step's spikes into the rows of ``spikes``."""
        v, u, b, k = self.v, self.u, self.b, self._c
        for t in range(len(d)):
            self._half(d[t])
            self._half(d[t])
            spike = spikes[t]
            np.greater_equal(v, k["VPEAK"], spike)
            np.copyto(v, k["C"], where=spike)
            np.add(u, k["D"], b)
            b.clip(k["lo"], k["hi"], out=b)
            np.copyto(u, b, where=spike)


class IzhikevichBlockKernel(_KernelSteps):
    """The engine's fast Izhikevich path: in-place ``int64`` ufuncs, no allocation.

    The same integer operations as :func:`step` in the same order (so bit-identical, a
    test holds them equal for every preset), with the state-independent input term
    ``(i_in >> 1) + 140`` prepared for a chunk of steps at once. Use
    :func:`block_kernel`, which returns None for per-neuron parameter arrays.

    Parameters
    ----------
    params : IzhikevichParams
        Scalar parameters.
    n : int
        Neurons in a block.
    """

    def __init__(self, params: IzhikevichParams, n: int):
        self.p, self.k = params, params.codes()
        self.v, self.u = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        self.a, self.b, self.c = (np.empty(n, dtype=np.int64) for _ in range(3))
        self.lo, self.hi = int_range(params.width)
        nearest = params.rounding == "nearest"

        def const(x: int) -> np.ndarray:  # 0-d: NumPy converts a Python int on every call
            return np.array(x, dtype=np.int64)

        k, f, cf = self.k, params.frac, params.coef_frac
        self._c = {name: const(k[name]) for name in ("K2", "K5", "A", "B", "VPEAK", "C", "D")}
        self._c.update(frac=const(f), cf=const(cf), one=const(1), lo=const(self.lo),
                       hi=const(self.hi),
                       half_f=const(1 << (f - 1)) if nearest and f else None,
                       half_cf=const(1 << (cf - 1)) if nearest else None,
                       half_1=const(1) if nearest else None)

    def load(self, state: IzhikevichState) -> None:
        """Take the state into the kernel's arrays."""
        np.copyto(self.v, state.v)
        np.copyto(self.u, state.u)

    def prepare(self, i_in: np.ndarray) -> np.ndarray:
        """``(i_in >> 1) + K140`` (rounded like the step) for a chunk, ``int64 [T, n]``."""
        d = i_in.astype(np.int64)
        if self.p.rounding == "nearest":
            d += 1
        d >>= 1
        d += self.k["K140"]
        return d

    def _scaled(self, x: np.ndarray, coef: np.ndarray, out: np.ndarray, shift: str = "cf",
                half: str = "half_cf") -> None:
        """``out = (x * coef) >> shift`` under the rounding mode (``out`` may be ``x``)."""
        k = self._c
        np.multiply(x, coef, out)
        if k[half] is not None:
            np.add(out, k[half], out)
        np.right_shift(out, k[shift], out)

    def _half(self, d: np.ndarray) -> None:
        v, u, a, b, c = self.v, self.u, self.a, self.b, self.c
        k, add, subtract = self._c, np.add, np.subtract
        # dv = (sq * K2 >> cf) + (v * K5 >> cf) + d - (u >> 1)
        self._scaled(v, v, a, "frac", "half_f")  # sq
        self._scaled(a, k["K2"], a)
        self._scaled(v, k["K5"], b)
        add(a, b, a)
        add(a, d, a)
        if k["half_1"] is not None:
            add(u, k["half_1"], b)
        else:
            np.copyto(b, u)
        np.right_shift(b, k["one"], b)
        subtract(a, b, a)
        self._scaled(v, k["B"], c)  # du = (v * B >> cf) - u, from the old v
        subtract(c, u, c)
        self._scaled(c, k["A"], c)
        add(v, a, v)  # saturate; ndarray.clip with 0-d bounds: np.clip with Python ints
        v.clip(k["lo"], k["hi"], out=v)  # measured 12.8 us per call at N = 1e3, this 1.4
        add(u, c, u)
        u.clip(k["lo"], k["hi"], out=u)


class _Product:
    """One ``(x * K + half) >> s`` of the half-step (``half`` the rounding's), exact in
    ``int32``.

    The power of two shared by ``K`` and ``2**s`` is cancelled first (``K5 = 2.5`` in
    ``Q20`` is ``5 * 2**19``, so ``(v * K5 + 2**19) >> 20`` is ``(5 v + 1) >> 1``). Where
    ``|x| <= x_max`` cannot prove ``|x K| + half < 2**31``, ``x`` is split at a bit
    ``m <= s``, ``x = h 2**m + l`` with ``0 <= l < 2**m``, and ``floor((h K 2**m + l K +
    half) / 2**s) = (h K + ((l K + half) >> m)) >> (s - m)`` (nested floors of integers),
    each product below ``2**31``. ``fits`` is False where no split does.
    """

    def __init__(self, coef: int, shift: int, nearest: bool, x_max: int):
        zeros = shift if coef == 0 else min(shift, (coef & -coef).bit_length() - 1)
        self.shift, coef = shift - zeros, coef >> zeros
        half = 1 << (self.shift - 1) if nearest and self.shift else 0
        limit, k = 1 << 31, abs(coef)
        self.split = None
        if x_max * k + half >= limit:  # the largest split bit whose low product fits
            m = next((m for m in range(self.shift, 0, -1) if (1 << m) * k + half < limit),
                     None)
            if m is not None and (-(-x_max >> m) + 1) * k + 1 < limit:
                self.split = m
        self.fits = x_max * k + half < limit or self.split is not None
        self.result_max = ((x_max * k + half) >> self.shift) + 1
        if not self.fits:
            return
        self.coef, self.half = np.array(coef, np.int32), np.array(half, np.int32)
        self.shift_by = np.array(self.shift - (self.split or 0), np.int32)
        if self.split is not None:
            self.split_by = np.array(self.split, np.int32)
            self.mask = np.array((1 << self.split) - 1, np.int32)

    def into(self, x: np.ndarray, out: np.ndarray, low: np.ndarray, high: np.ndarray
             ) -> None:
        """``out = (x K + half) >> s`` in ``int32``; ``out`` may be ``x``; ``low`` and
        ``high`` are work arrays (used by a split product)."""
        if self.split is None:
            np.multiply(x, self.coef, out)
            if self.half:
                np.add(out, self.half, out)
        else:
            np.bitwise_and(x, self.mask, low)
            np.multiply(low, self.coef, low)
            if self.half:
                np.add(low, self.half, low)
            np.right_shift(low, self.split_by, low)
            np.right_shift(x, self.split_by, high)
            np.multiply(high, self.coef, high)
            np.add(high, low, out)
        if self.shift_by:
            np.right_shift(out, self.shift_by, out)


def _narrow_products(params: IzhikevichParams) -> dict[str, _Product] | None:
    """The four coefficient products of a half-step for the ``int32`` kernel, or None
    where a bound shows some square, sum or result could leave ``int32``."""
    k, f, cf = params.codes(), params.frac, params.coef_frac
    nearest = params.rounding == "nearest"
    top = 1 << (params.width - 1)  # |v|, |u| after saturation, |i_in| on its port
    limit = 1 << 31
    if params.per_neuron is not None or top * top + (1 << f) >= limit:
        return None
    sq_max = ((top * top + (1 << f)) >> f) + 1
    products = {"K2": _Product(k["K2"], cf, nearest, sq_max),
                "K5": _Product(k["K5"], cf, nearest, top),
                "B": _Product(k["B"], cf, nearest, top)}
    c_max = products["B"].result_max + top
    products["A"] = _Product(k["A"], cf, nearest, c_max)
    drive_max = top // 2 + 1 + abs(k["K140"])
    a_max = products["K2"].result_max + products["K5"].result_max + drive_max + top // 2 + 1
    sums = (c_max, top + a_max, top + products["A"].result_max, top + abs(k["D"]))
    fits = all(product.fits for product in products.values())
    return products if fits and max(sums) < limit else None


class IzhikevichNarrowKernel(_KernelSteps):
    """The engine's Izhikevich path in ``int32``: the state, the input term, every sum
    and every product (split where it must be) in ``int32``, half the bytes of ``int64``
    per pass, and products that vectorize.

    The operations of :func:`step` in its order. :func:`block_kernel` takes it wherever
    a bound on every intermediate proves ``int32`` exact (``width <= 16``), else
    :class:`IzhikevichBlockKernel`.

    Parameters
    ----------
    params : IzhikevichParams
        Scalar parameters whose bounds fit (see :func:`block_kernel`).
    n : int
        Neurons in a block.
    """

    def __init__(self, params: IzhikevichParams, n: int):
        products = _narrow_products(params)
        if products is None:
            raise ValueError(f"izhikevich Q({params.width},{params.frac}), coef_frac "
                             f"{params.coef_frac}: int32 cannot hold every intermediate")
        self.p, self.k, self.products = params, params.codes(), products
        self.v, self.u, self.a, self.b, self.c = (np.zeros(n, dtype=np.int32)
                                                  for _ in range(5))
        self.low, self.high = np.empty(n, dtype=np.int32), np.empty(n, dtype=np.int32)
        lo, hi = int_range(params.width)
        f, nearest = params.frac, params.rounding == "nearest"
        self._c = {name: np.array(value, dtype=np.int32) for name, value in (
            ("VPEAK", self.k["VPEAK"]), ("C", self.k["C"]), ("D", self.k["D"]), ("lo", lo),
            ("hi", hi), ("one", 1), ("frac", f))}
        self._half_f = np.array(1 << (f - 1), dtype=np.int32) if nearest and f else None
        self._half_1 = np.array(1, dtype=np.int32) if nearest else None

    def load(self, state: IzhikevichState) -> None:
        """Take the state into the kernel's arrays."""
        np.copyto(self.v, state.v, casting="unsafe")  # saturated: within width bits
        np.copyto(self.u, state.u, casting="unsafe")

    def prepare(self, i_in: np.ndarray) -> np.ndarray:
        """``(i_in >> 1) + K140`` (rounded like the step) for a chunk, ``int32 [T, n]``."""
        d = i_in.astype(np.int32)
        if self._half_1 is not None:
            d += 1
        d >>= 1
        d += self.k["K140"]
        return d

    def _half(self, d: np.ndarray) -> None:
        v, u, a, b, c, work = self.v, self.u, self.a, self.b, self.c, (self.low, self.high)
        k, add, subtract, product = self._c, np.add, np.subtract, self.products
        np.multiply(v, v, a)  # sq = v * v >> frac
        if self._half_f is not None:
            add(a, self._half_f, a)
        np.right_shift(a, k["frac"], a)
        product["K2"].into(a, a, *work)  # dv = (sq K2 >> cf) + (v K5 >> cf) + d - (u >> 1)
        product["K5"].into(v, b, *work)
        add(a, b, a)
        add(a, d, a)
        if self._half_1 is not None:
            add(u, self._half_1, b)
            np.right_shift(b, k["one"], b)
        else:
            np.right_shift(u, k["one"], b)
        subtract(a, b, a)
        product["B"].into(v, c, *work)  # du = (v B >> cf) - u, from the old v
        subtract(c, u, c)
        product["A"].into(c, c, *work)
        add(v, a, v)
        v.clip(k["lo"], k["hi"], out=v)
        add(u, c, u)
        u.clip(k["lo"], k["hi"], out=u)


def block_kernel(params: IzhikevichParams, n: int
                 ) -> IzhikevichNarrowKernel | IzhikevichBlockKernel | None:
    """The engine's fast block kernel: :class:`IzhikevichNarrowKernel` where ``int32``
    holds every intermediate, else :class:`IzhikevichBlockKernel`; None for per-neuron
    parameters (the engine then uses :func:`kernel`)."""
    if params.per_neuron is not None:
        return None
    if _narrow_products(params) is not None:
        return IzhikevichNarrowKernel(params, n)
    return IzhikevichBlockKernel(params, n)



def reference(params: IzhikevichParams, i_in, *, method: str = "half", dt: float = 1.0
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Float64 ideal dynamics with the real (unquantized) a, b, c, d.

    Parameters
    ----------
    params : IzhikevichParams
        Only ``a``, ``b``, ``c``, ``d`` are used.
    i_in : array_like of float, shape (T, N)
        Input current per step.
    method : {"half", "euler"}
        ``"half"``: each 1 ms step as two 0.5 ms half-steps (the fixed-point scheme);
        ``"euler"``: one forward-Euler step of ``dt`` ms per row of ``i_in``.
    dt : float
        Step for ``"euler"`` (ms, > 0).

    Returns
    -------
    spikes : numpy.ndarray of bool, shape (T, N)
    v, u : numpy.ndarray of float64, shape (T, N)
        State after each step.
    """
    check_choice("method", method, ("half", "euler"))
    if not dt > 0:
        raise ValueError(f"dt must be > 0, got {dt}")
    i_in = np.atleast_2d(np.asarray(i_in, dtype=np.float64))
    t_steps, n = i_in.shape
    a, b, c, d = (np.broadcast_to(np.asarray(getattr(params, x), dtype=np.float64), (n,))
                  for x in "abcd")
    v, u = c.copy(), b * c
    subs, h = ((2, 0.5) if method == "half" else (1, dt))
    spikes = np.zeros((t_steps, n), dtype=bool)
    v_tr, u_tr = np.empty((t_steps, n)), np.empty((t_steps, n))
    for t in range(t_steps):
        for _ in range(subs):
            dv = 0.04 * v * v + 5.0 * v + 140.0 - u + i_in[t]
            du = a * (b * v - u)
            v, u = v + h * dv, u + h * du
        fired = v >= V_PEAK
        v = np.where(fired, c, v)
        u = np.where(fired, u + d, u)
        spikes[t], v_tr[t], u_tr[t] = fired, v, u
    return spikes, v_tr, u_tr


def mixed(names: Sequence[str], n: int, **fmt) -> IzhikevichParams:
    """Per-neuron parameters cycling through paper presets (for a mixed population).

    Parameters
    ----------
    names : sequence of str
        Keys of :data:`PAPER`.
    n : int
        Number of neurons.
    **fmt
        ``width``, ``frac``, ``coef_frac``, ``rounding``.
    """
    for name in names:
        if name not in PAPER:
            raise ValueError(f"unknown preset {name!r}; presets: {', '.join(PAPER)}")
    rows = [PAPER[names[i % len(names)]] for i in range(n)]
    return IzhikevichParams(*(tuple(col) for col in zip(*rows)), **fmt)


@dataclass(frozen=True)
class IzhikevichReal(RealModel):
    """One Izhikevich neuron in real units (Izhikevich 2003): ``dv/dt = 0.04 v^2 + 5 v + 140
    - u + I``, ``du/dt = a (b v - u)``; at ``v >= 30`` mV: ``v = c``, ``u += d``.

    The format sets ``v``, ``u`` and ``i_in`` (``Q(width, frac)``); the coefficients'
    fractional bits ``coef_frac`` come from the base parameters (``--param coef_frac``).
    The quantization errors are those of :meth:`IzhikevichParams.constants`.
    """

    a: float = real_field(0.02, "1/ms", "recovery rate", positive=True)
    b: float = real_field(0.2, "", "recovery sensitivity to v")
    c: float = real_field(-65.0, "mV", "reset potential")
    d: float = real_field(8.0, "mV", "recovery jump at a spike")

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """``a``, ``b``, ``c``, ``d`` (held as reals) and the format."""
        return {**fmt.settings(base), "a": self.a, "b": self.b, "c": self.c, "d": self.d}

    @classmethod
    def from_params(cls, params: IzhikevichParams) -> IzhikevichReal:
        """The real neuron ``params`` hold (one per population)."""
        values = {name: getattr(params, name) for name in ("a", "b", "c", "d")}
        if any(isinstance(v, tuple) for v in values.values()):
            raise ValueError("per-neuron a, b, c, d have no single real model; use the "
                             "Python API (izhikevich.mixed)")
        return cls(**values)


PRESETS: dict[str, IzhikevichParams] = {
    name: IzhikevichParams(a, b, c, d) for name, (a, b, c, d) in PAPER.items()}

MODEL = Model(
    name="izhikevich",
    summary="Izhikevich 2003, two 0.5 ms half-steps, saturating Q(width, frac)",
    params_cls=IzhikevichParams,
    state_cls=IzhikevichState,
    presets=PRESETS,
    step=step,
    reference=reference,
    kernel=kernel,
    block_kernel=block_kernel,
    initial_state=initial_state,
    real=IzhikevichReal,
)
