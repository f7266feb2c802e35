"""Arithmetic building blocks for datapaths: constant multiply and rounded shifts.

Constants are baked at elaboration time. A constant multiply becomes a sum of shifted
copies of the operand, one per non-zero digit of the constant's canonical signed-digit
(CSD) form, so no runtime multiplier (and no DSP block) is inferred.
"""

from __future__ import annotations

from amaranth.hdl import Const, Mux, Value

__all__ = ["const_mul", "csd_digits", "overflow", "saturate", "shift_right"]


def csd_digits(k: int) -> list[tuple[int, int]]:
    """Canonical signed-digit form of ``k``: ``k == sum(sign << shift)``.

    Parameters
    ----------
    k : int
        Any integer.

    Returns
    -------
    list of (int, int)
        ``(shift, sign)`` pairs with ``sign`` in {-1, +1}, no two shifts adjacent, so
        the number of terms is minimal.
    """
    digits = []
    shift = 0
    while k:
        if k & 1:
            digit = 2 - (k & 3)  # +1 if k = 1 (mod 4), -1 if k = 3 (mod 4)
            digits.append((shift, digit))
            k -= digit
        k >>= 1
        shift += 1
    return digits


def const_mul(x: Value, k: int) -> Value:
    """Exact product ``x * k`` as shift-and-add (CSD), for a signed operand ``x``.

    Parameters
    ----------
    x : amaranth.hdl.Value
        Signed operand.
    k : int
        Elaboration-time constant.

    Returns
    -------
    amaranth.hdl.Value
        A signed expression wide enough to hold every product exactly.
    """
    digits = csd_digits(k)
    if not digits:
        return Const(0, 1).as_signed()
    total = None
    for shift, sign in digits:
        term = x << shift
        if total is None:
            total = term if sign > 0 else -term
        else:
            total = total + term if sign > 0 else total - term
    return total


def shift_right(x: Value, shift: int, rounding: str) -> Value:
    """Arithmetic right shift of a signed value with ``"floor"`` or ``"nearest"`` rounding.

    ``"nearest"`` adds half an LSB before the shift (ties toward plus infinity), exactly
    like :func:`neurocore_hw.fixed.shift_right`.
    """
    if shift == 0:
        return x
    if rounding == "nearest":
        x = x + (1 << (shift - 1))
    return x >> shift


def saturate(x: Value, width: int) -> Value:
    """Clamp a signed value to the signed ``width``-bit range, as a ``width``-bit value.

    Mirrors :func:`neurocore_hw.fixed.saturate`.
    """
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    return Mux(x > hi, hi, Mux(x < lo, lo, x))[:width].as_signed()


def overflow(x: Value, width: int, mode: str) -> Value:
    """Reduce a signed value to ``width`` bits by ``"wrap"`` or ``"saturate"``.

    Mirrors :func:`neurocore_hw.fixed.overflow`.
    """
    if mode == "wrap":
        return x[:width].as_signed()
    return saturate(x, width)
