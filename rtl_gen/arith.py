"""Arithmetic building blocks for datapaths: constant multiply and rounded shifts.

Constants are baked at elaboration time. A constant multiply becomes a sum of shifted
copies of the operand, one per non-zero digit of the constant's canonical signed-digit
(CSD) form, so no runtime multiplier (and no DSP block) is inferred.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, Value

__all__ = ["carry_save_sum", "const_mul", "csd_digits", "overflow", "saturate",
           "shift_right"]


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


def carry_save_sum(m: Module, terms: list[tuple[Value, int, int]], constant: int, width: int,
                   name: str) -> Signal:
    """``sum(sign * (value << shift)) + constant`` modulo ``2**width``, with one carry chain.

    The terms are reduced by 3:2 carry-save compressors (one LUT level each: sum
    ``x ^ y ^ z``, carry ``maj(x, y, z) << 1``) to two vectors and only those two meet
    in an adder, so the delay is one carry chain plus a LUT level or two however many
    terms there are. A negative term is ``~t + 1``; all the ``+ 1`` go into ``constant``.

    Parameters
    ----------
    m : amaranth.hdl.Module
        Module to add the combinational logic to.
    terms : list of (Value, int, int)
        ``(value, shift, sign)`` with ``sign`` in {-1, +1}; values are sign-extended by
        their own signedness.
    constant : int
        Added to the sum.
    width : int
        Result width; the caller makes it wide enough for the exact sum's range, and
        reads the result with ``.as_signed()``.
    name : str
        Prefix of the generated signal names.

    Returns
    -------
    amaranth.hdl.Signal
        ``unsigned(width)`` signal holding the sum modulo ``2**width``.
    """
    mask = (1 << width) - 1
    constant += sum(1 for _, _, sign in terms if sign < 0)
    spare = None  # a positive term whose zero low bits can hold the constant
    if 0 < constant & mask:
        spare = next((n for n, (_, shift, sign) in enumerate(terms)
                      if sign > 0 and constant & mask < 1 << shift), None)
    vectors = []
    for n, (value, shift, sign) in enumerate(terms):
        term = Signal(width, name=f"{name}_t{n}")
        m.d.comb += term.eq(value << shift)
        if n == spare:
            term = term | constant & mask
        vectors.append(~term if sign < 0 else term)
    if constant & mask and spare is None:
        vectors.append(Const(constant & mask, width))
    level = 0
    while len(vectors) > 2:
        x, y, z = vectors[:3]
        total, carry = Signal(width, name=f"{name}_s{level}"), Signal(width,
                                                                      name=f"{name}_c{level}")
        m.d.comb += [total.eq(x ^ y ^ z),
                     carry.eq(Cat(Const(0, 1), ((x & y) | (x & z) | (y & z))[:width - 1]))]
        vectors = vectors[3:] + [total, carry]
        level += 1
    result = Signal(width, name=name)
    if len(vectors) == 2:
        m.d.comb += result.eq(vectors[0] + vectors[1])
    elif vectors:
        m.d.comb += result.eq(vectors[0])
    return result
