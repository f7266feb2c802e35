"""Fixed-point primitives shared by every golden model.

All functions are vectorized over NumPy integer arrays and compute in ``int64``;
callers keep every intermediate within 63 bits (each model's ``Params`` validates
that its widths allow it). Python ``int`` scalars are accepted too.

Conventions
-----------
* A signed ``width``-bit value lies in ``[-2**(width-1), 2**(width-1) - 1]`` (two's
  complement); an unsigned one in ``[0, 2**width - 1]``.
* ``Q(width, frac)`` is a signed ``width``-bit integer ``x`` standing for the real
  value ``x / 2**frac``.
* Overflow is ``"wrap"`` (two's complement, drop the high bits) or ``"saturate"``
  (clamp to the range). Rounding of a right shift is ``"floor"`` (arithmetic shift,
  toward minus infinity) or ``"nearest"`` (add half an LSB, then floor: ties round
  toward plus infinity, exactly what ``(x + (1 << (s-1))) >>> s`` does in hardware).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "OVERFLOW_MODES",
    "ROUNDING_MODES",
    "QuantizedValue",
    "check_choice",
    "check_int",
    "check_range",
    "int_range",
    "overflow",
    "quantize",
    "saturate",
    "shift_right",
    "wrap",
]

OVERFLOW_MODES = ("wrap", "saturate")
ROUNDING_MODES = ("floor", "nearest")

_MAX_WIDTH = 62  # int64 intermediates: a 62-bit value plus a carry still fits


def _check_width(width: int) -> None:
    if isinstance(width, bool) or not isinstance(width, (int, np.integer)):
        raise TypeError(f"width must be an int, got {type(width).__name__}")
    if not 1 <= width <= _MAX_WIDTH:
        raise ValueError(f"width must be in [1, {_MAX_WIDTH}], got {width}")


def int_range(width: int, signed: bool = True) -> tuple[int, int]:
    """Return the inclusive ``(lo, hi)`` range of a ``width``-bit integer.

    Parameters
    ----------
    width : int
        Number of bits, 1..62.
    signed : bool
        Two's complement if true, unsigned otherwise.

    Returns
    -------
    tuple of int
        ``(-2**(width-1), 2**(width-1)-1)`` if signed, else ``(0, 2**width-1)``.
    """
    _check_width(width)
    if signed:
        return -(1 << (width - 1)), (1 << (width - 1)) - 1
    return 0, (1 << width) - 1


def wrap(x, width: int, signed: bool = True):
    """Wrap integers to ``width`` bits (two's complement if ``signed``).

    Parameters
    ----------
    x : int or numpy.ndarray of int
        Values to wrap.
    width : int
        Target width in bits.
    signed : bool
        Interpret the kept bits as two's complement.

    Returns
    -------
    int or numpy.ndarray of int64
        ``x`` reduced modulo ``2**width`` into the target range.
    """
    _check_width(width)
    mask = (1 << width) - 1
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        x = int(x) & mask
        if signed and x >> (width - 1):
            x -= 1 << width
        return x
    x = np.asarray(x, dtype=np.int64) & mask
    if signed:
        half = 1 << (width - 1)
        x = (x ^ half) - half
    return x


def saturate(x, width: int, signed: bool = True):
    """Clamp integers to the range of a ``width``-bit integer.

    Parameters
    ----------
    x : int or numpy.ndarray of int
        Values to clamp.
    width : int
        Target width in bits.
    signed : bool
        Signed (two's complement) or unsigned target range.

    Returns
    -------
    int or numpy.ndarray of int64
        ``min(max(x, lo), hi)``.
    """
    lo, hi = int_range(width, signed)
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return min(max(int(x), lo), hi)
    x = np.asarray(x, dtype=np.int64)
    if x.size <= 64:  # np.clip costs ~7 us a call; two ufuncs ~3 (one neuron, per cycle)
        return np.minimum(np.maximum(x, lo), hi)
    return np.clip(x, lo, hi)


def overflow(x, width: int, mode: str, signed: bool = True):
    """Reduce ``x`` to ``width`` bits by ``mode`` (``"wrap"`` or ``"saturate"``).

    Parameters
    ----------
    x : int or numpy.ndarray of int
        Values to reduce.
    width : int
        Target width in bits.
    mode : {"wrap", "saturate"}
        Overflow behaviour.
    signed : bool
        Signed or unsigned target.

    Returns
    -------
    int or numpy.ndarray of int64
        The reduced values.
    """
    check_choice("overflow", mode, OVERFLOW_MODES)
    return wrap(x, width, signed) if mode == "wrap" else saturate(x, width, signed)


def shift_right(x, shift: int, rounding: str = "floor"):
    """Arithmetic right shift by ``shift`` bits with a named rounding mode.

    Parameters
    ----------
    x : int or numpy.ndarray of int
        Signed values.
    shift : int
        Shift amount, >= 0.
    rounding : {"floor", "nearest"}
        ``"floor"`` rounds toward minus infinity; ``"nearest"`` adds
        ``2**(shift-1)`` first (ties toward plus infinity).

    Returns
    -------
    int or numpy.ndarray of int64
        ``floor(x / 2**shift)`` or ``floor(x / 2**shift + 1/2)``.
    """
    check_choice("rounding", rounding, ROUNDING_MODES)
    check_int("shift", shift, 0, _MAX_WIDTH)
    scalar = isinstance(x, (int, np.integer)) and not isinstance(x, bool)
    if not scalar:
        x = np.asarray(x, dtype=np.int64)
    if shift == 0:
        return int(x) if scalar else x
    if rounding == "nearest":
        x = x + (1 << (shift - 1))
    return int(x) >> shift if scalar else x >> shift


class QuantizedValue(NamedTuple):
    """A real value quantized to ``Q(width, frac)``.

    Attributes
    ----------
    value : int
        The integer code.
    real : float
        The real value requested.
    error : float
        ``value / 2**frac - real``: what quantization costs, in real units.
    """

    value: int
    real: float
    error: float


def quantize(
    name: str,
    real: float,
    width: int,
    frac: int,
    signed: bool = True,
    rounding: str = "nearest",
) -> QuantizedValue:
    """Convert a real number to ``Q(width, frac)`` and report the quantization error.

    Parameters
    ----------
    name : str
        Parameter name, used in error messages.
    real : float
        Value to convert; must be finite.
    width, frac : int
        Target format: ``width`` bits of which ``frac`` are fractional (``frac >= 0``).
    signed : bool
        Signed (two's complement) target range.
    rounding : {"nearest", "floor"}
        How the scaled value is rounded to an integer.

    Returns
    -------
    QuantizedValue
        Integer code, the requested real value and the error.

    Raises
    ------
    ValueError
        If ``real`` is not finite or does not fit the format (no silent wrap).
    """
    check_choice("rounding", rounding, ROUNDING_MODES)
    real = float(real)
    if not np.isfinite(real):
        raise ValueError(f"{name} must be finite, got {real}")
    lo, hi = int_range(width, signed)
    scaled = real * (1 << frac)
    code = int(np.floor(scaled + 0.5)) if rounding == "nearest" else int(np.floor(scaled))
    if not lo <= code <= hi:
        raise ValueError(
            f"{name}={real} does not fit Q({width},{frac}): representable range is "
            f"[{lo / (1 << frac)}, {hi / (1 << frac)}]"
        )
    return QuantizedValue(code, real, code / (1 << frac) - real)


def check_int(name: str, value, lo: int, hi: int) -> int:
    """Validate that ``value`` is an integer in ``[lo, hi]`` and return it as ``int``.

    Parameters
    ----------
    name : str
        Parameter name for the error message.
    value : object
        Value to check; ``bool`` and floats are rejected.
    lo, hi : int
        Inclusive bounds.

    Returns
    -------
    int
        ``value`` as a Python int.

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If ``value`` is out of range.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if not lo <= value <= hi:
        raise ValueError(f"{name}={value} is out of range [{lo}, {hi}]")
    return value


def check_choice(name: str, value, choices: tuple[str, ...]) -> str:
    """Validate that ``value`` is one of ``choices``.

    Parameters
    ----------
    name : str
        Parameter name for the error message.
    value : object
        Value to check.
    choices : tuple of str
        Allowed values.

    Returns
    -------
    str
        ``value``.

    Raises
    ------
    ValueError
        If ``value`` is not one of ``choices``.
    """
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not one of {', '.join(map(repr, choices))}")
    return value


def check_range(name: str, values, width: int, signed: bool = True) -> np.ndarray:
    """Validate an integer array against the range of a ``width``-bit port.

    Parameters
    ----------
    name : str
        Array name for the error message.
    values : array_like
        Integer data; floats and booleans are rejected.
    width : int
        Port width in bits.
    signed : bool
        Signed (two's complement) or unsigned range.

    Returns
    -------
    numpy.ndarray
        The data in its own integer dtype (``uint64`` becomes ``int64``), no copy.

    Raises
    ------
    TypeError
        If the data is not of an integer dtype, or is a masked array (a port has no
        notion of a missing value; its mask would be ignored).
    ValueError
        If any value lies outside the range (the first offender is named).
    """
    if isinstance(values, np.ma.MaskedArray):
        raise TypeError(f"{name} is a masked array: its mask would be ignored; fill the "
                        "masked entries first, e.g. numpy.ma.filled(x, 0)")
    arr = np.asarray(values)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    lo, hi = int_range(width, signed)
    info = np.iinfo(arr.dtype)
    # where the dtype alone does not prove the range: two reductions (about 0.1 ns per
    # element each; the element-wise mask, 1 ns, only to name the first offender)
    if (arr.size and (info.min < lo or info.max > hi)
            and (int(arr.min()) < lo or int(arr.max()) > hi)):
        idx = tuple(int(i) for i in np.argwhere((arr < lo) | (arr > hi))[0])
        raise ValueError(
            f"{name}{list(idx)} = {int(arr[idx])} is outside the "
            f"{'signed' if signed else 'unsigned'} {width}-bit range [{lo}, {hi}]"
        )
    if arr.dtype == np.uint64:  # every value fits int64 now; avoid float promotion later
        arr = arr.astype(np.int64)
    return arr
