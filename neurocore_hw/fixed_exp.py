"""exp() in fixed point: the nonlinearity of the exponential families (AdEx, ExpIF).

``y = exp(x)`` for a signed input ``x`` in ``Q(in_width, in_frac)`` and an unsigned output
``y`` in ``Q(out_width, out_frac)``, in integer arithmetic only, three ways. All share
the base change ``exp(x) = 2**(x log2 e)``::

    t = (x * L) >> LOG2E_FRAC            L = round(log2(e) 2**LOG2E_FRAC), t in Q(in_frac)
    k = t >> in_frac                     the integer part (floor), r = t - (k << in_frac)
    m ~ 2**(r / 2**in_frac)              the mantissa, Q(1, mant_frac), in [1, 2)
    y = m << (k + out_frac - mant_frac)  (a right shift, floor, for a negative amount),
                                         saturated to 2**out_width - 1

and differ in the mantissa (``method``):

* ``"table"``: ``m = T[r >> (in_frac - table_bits)]``, a table of ``2**table_bits``
  mantissas ``round(2**(i / 2**table_bits) 2**mant_frac)`` (block RAM or LUTs);
* ``"pwl"``: the same table with one more entry and linear interpolation between
  neighbours on the remaining ``in_frac - table_bits`` bits of ``r`` (a small table and
  one multiplier);
* ``"shift"``: Mitchell's ``2**r ~ 1 + r`` (no table, no multiplier: a shift and an add;
  at most 6.1 % high: the chord lies above the convex ``2**r``).

The hardware (:mod:`rtl_gen.fixed_exp`) is an independent implementation of the same
integers; ``tests/test_fixed_exp.py`` holds the two equal on every input code.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .fixed import check_choice, check_int, check_range

__all__ = ["LOG2E_FRAC", "METHODS", "ExpParams", "exp_error", "fixed_exp", "mantissa_table"]

#: Fractional bits of the ``log2(e)`` constant.
LOG2E_FRAC = 16
#: The mantissa's implementations.
METHODS = ("table", "pwl", "shift")


@dataclass(frozen=True)
class ExpParams:
    """Validated parameters of a fixed-point exp().

    Parameters
    ----------
    in_width, in_frac : int
        Signed input ``Q(in_width, in_frac)``: 4..24 bits, 0..in_width - 1 fractional.
    out_width, out_frac : int
        Unsigned output ``Q(out_width, out_frac)``: 2..32 bits, 0..out_width fractional.
    method : {"table", "pwl", "shift"}
        How the mantissa ``2**r`` is made (see the module).
    table_bits : int
        Index bits of the table (``"table"``, ``"pwl"``), 1..min(12, in_frac).
    mant_frac : int
        Fractional bits of the mantissa, 4..24.
    """

    in_width: int = 12
    in_frac: int = 8
    out_width: int = 16
    out_frac: int = 8
    method: str = "pwl"
    table_bits: int = 4
    mant_frac: int = 16

    def __post_init__(self):
        check_int("in_width", self.in_width, 4, 24)
        check_int("in_frac", self.in_frac, 1, self.in_width - 1)
        check_int("out_width", self.out_width, 2, 32)
        check_int("out_frac", self.out_frac, 0, self.out_width)
        check_choice("method", self.method, METHODS)
        check_int("table_bits", self.table_bits, 1, min(12, self.in_frac))
        check_int("mant_frac", self.mant_frac, 4, 24)

    @property
    def log2e(self) -> int:
        """``L = round(log2(e) 2**LOG2E_FRAC)``."""
        return round(math.log2(math.e) * (1 << LOG2E_FRAC))

    @property
    def table_entries(self) -> int:
        """Mantissas stored: ``2**table_bits`` (+1 for ``"pwl"``), 0 for ``"shift"``."""
        if self.method == "shift":
            return 0
        return (1 << self.table_bits) + (self.method == "pwl")


@functools.lru_cache(maxsize=64)
def _table(params: ExpParams) -> np.ndarray:
    table = mantissa_table(params)
    table.flags.writeable = False
    return table


def mantissa_table(params: ExpParams) -> np.ndarray:
    """``round(2**(i / 2**table_bits) 2**mant_frac)`` for ``i = 0..entries-1``, int64."""
    p = params
    i = np.arange(p.table_entries, dtype=np.float64)
    return np.round(np.exp2(i / (1 << p.table_bits)) * (1 << p.mant_frac)).astype(np.int64)


def _mantissa(p: ExpParams, r: np.ndarray) -> np.ndarray:
    rest = p.in_frac - p.table_bits  # bits of r below the table index
    if p.method == "shift":
        one = 1 << p.mant_frac
        shift = p.mant_frac - p.in_frac
        return one + (r << shift if shift >= 0 else r >> -shift)
    table = _table(p)
    idx = r >> rest
    if p.method == "table":
        return table[idx]
    low = r & ((1 << rest) - 1)
    return table[idx] + (((table[idx + 1] - table[idx]) * low) >> rest)


def fixed_exp(params: ExpParams, x) -> np.ndarray:
    """``exp(x)`` in fixed point, bit-exact with the hardware.

    Parameters
    ----------
    params : ExpParams
    x : array_like of int
        Signed ``in_width``-bit input codes (``x / 2**in_frac``).

    Returns
    -------
    numpy.ndarray of int64
        Output codes (``y / 2**out_frac``), saturated at ``2**out_width - 1``.
    """
    p = params
    x = check_range("x", x, p.in_width).astype(np.int64)
    t = (x * p.log2e) >> LOG2E_FRAC
    k = t >> p.in_frac
    r = t - (k << p.in_frac)
    m = _mantissa(p, r)  # < 2**(mant_frac + 1)
    e = k + (p.out_frac - p.mant_frac)
    top = (1 << p.out_width) - 1
    # m << e is at least 2**(mant_frac + e): past the output once mant_frac + e >= out_width
    left = np.clip(e, 0, p.out_width)
    right = np.clip(-e, 0, p.mant_frac + 1)
    y = np.where(e >= 0, m << left, m >> right)
    return np.minimum(y, top)


def exp_error(params: ExpParams, lo: float | None = None, hi: float | None = None) -> dict:
    """The error of :func:`fixed_exp` against float64 ``exp`` on every input code in
    ``[lo, hi]`` (real units; the whole input range by default) whose exact result lies
    inside the output range.

    Returns
    -------
    dict
        ``max_rel`` and ``mean_rel``: relative error where the exact result is at least
        1.0 (``2**out_frac`` LSBs, so that the output's own rounding stays below
        ``2**-out_frac``); ``max_lsb``: the largest absolute error in output LSBs where the
        exact result is below 1.0; ``codes`` (codes compared), ``saturated`` (codes whose
        exact result is above the output range).
    """
    p = params
    codes = np.arange(-(1 << (p.in_width - 1)), 1 << (p.in_width - 1), dtype=np.int64)
    x = codes / (1 << p.in_frac)
    keep = np.ones(len(codes), dtype=bool)
    if lo is not None:
        keep &= x >= lo
    if hi is not None:
        keep &= x <= hi
    exact = np.exp(x[keep]) * (1 << p.out_frac)
    got = fixed_exp(p, codes[keep]).astype(np.float64)
    top = (1 << p.out_width) - 1
    large = (exact >= 1 << p.out_frac) & (exact <= top)
    small = exact < 1 << p.out_frac
    rel = np.abs(got[large] - exact[large]) / exact[large]
    return {"max_rel": float(rel.max()) if rel.size else 0.0,
            "mean_rel": float(rel.mean()) if rel.size else 0.0,
            "max_lsb": float(np.abs(got[small] - exact[small]).max()) if small.any() else 0.0,
            "codes": int((exact <= top).sum()), "saturated": int((exact > top).sum())}
