"""Pieces shared by the engine's block kernels of the LIF-like families (IF, LI, ALIF,
shift-leak LIF, homeostatic LIF): narrow work arrays, exact scaled products, and
branch-free overflow and reset.

A family's block kernel (in its model file) holds every state field in one work dtype,
``int16`` where a bound on every intermediate proves it exact, else ``int32``, and runs
each step as a few in-place ufunc calls on a block of neurons (the engine's
``_run_blocked``). Measured on this project's machine, one thread, 131,072-element
blocks: an ``int16`` add 0.09 ns per element, ``int32`` 0.2, a masked ``copyto(...,
where=)`` on a 10 % random mask 5.4 ns; hence resets are bit masks (``keep`` is -1 where
a neuron did not fire and 0 where it did) and constants are 0-d arrays of the work dtype
(NumPy converts a Python scalar argument on every call).
"""

from __future__ import annotations

import numpy as np

__all__ = ["BlockBuffers", "WorkArrays", "const", "keep_mask", "overflow_inplace", "reset_where",
           "scaled_bound", "scaled_into", "subtract_where", "work_dtype"]


def work_dtype(bound: int, *, allow16: bool = True) -> type | None:
    """The narrowest of ``int16`` / ``int32`` holding every integer of magnitude up to
    ``bound`` (the largest intermediate a kernel can form), or None."""
    if allow16 and bound < 1 << 15:
        return np.int16
    if bound < 1 << 31:
        return np.int32
    return None


def const(x: int, dtype) -> np.ndarray:
    """``x`` as a 0-d array of ``dtype`` (a ufunc then does no conversion per call)."""
    return np.array(x, dtype=dtype)


def _cancel(k: int, frac: int) -> tuple[int, int]:
    """``(k >> z, frac - z)`` with ``z`` the power of two ``k`` and ``2**frac`` share."""
    if k == 0:
        return 0, frac
    zeros = min((k & -k).bit_length() - 1, frac)
    return k >> zeros, frac - zeros


def scaled_bound(x: int, k: int, frac: int) -> int:
    """The largest magnitude :func:`scaled_into` forms for ``|x| <= x``: the product after
    the cancelled power of two, plus the rounding constant."""
    k, frac = _cancel(k, frac)
    return x * abs(k) + (1 << frac)


def scaled_into(x: np.ndarray, k: int, frac: int, rounding: str, out: np.ndarray) -> None:
    """``out = (x * k [+ 2**(frac-1)]) >> frac`` (floor or nearest), exact in ``out``'s
    dtype where the caller's bound proves ``|x k| + 2**frac`` fits it.

    The power of two shared by ``k`` and ``2**frac`` is cancelled first:
    ``(x k' 2**z + 2**(f-1)) >> f`` is ``(x k' + 2**(f-1-z)) >> (f - z)`` (two floors
    of integers nest), so the default gains become one shift or a plain copy.
    """
    dtype = out.dtype
    if k == 0:
        out.fill(0)
        return
    k, frac = _cancel(k, frac)
    if k == 1:
        np.copyto(out, x, casting="unsafe")
    else:
        np.multiply(x, const(k, dtype), out=out, casting="unsafe")
    if frac:
        if rounding == "nearest":
            np.add(out, const(1 << (frac - 1), dtype), out=out)
        np.right_shift(out, const(frac, dtype), out=out)


def overflow_inplace(a: np.ndarray, width: int, mode: str, consts: dict) -> None:
    """Wrap (sign-extend the low ``width`` bits) or saturate ``a`` to ``width`` bits.

    ``consts`` caches the 0-d bounds per (width, dtype). Wrapping at the work dtype's own
    width is its native two's complement arithmetic: nothing to do.
    """
    native = width >= a.dtype.itemsize * 8
    if mode != "saturate" and native:
        return
    key = (width, a.dtype, mode)
    if key not in consts:
        lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
        consts[key] = ((const(lo, a.dtype), const(hi, a.dtype)) if mode == "saturate" else
                       (const((1 << width) - 1, a.dtype), const(1 << (width - 1), a.dtype)))
    if mode == "saturate":
        a.clip(*consts[key], out=a)
    else:
        mask, sign = consts[key]
        np.bitwise_and(a, mask, out=a)
        np.bitwise_xor(a, sign, out=a)
        np.subtract(a, sign, out=a)


def keep_mask(spike: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out`` = -1 (all ones) where ``spike`` is False, 0 where True."""
    np.copyto(out, spike, casting="unsafe")
    np.subtract(out, const(1, out.dtype), out=out)
    return out


def reset_where(v: np.ndarray, keep: np.ndarray, value: np.ndarray | None) -> None:
    """``v = value where keep == 0 else v``, for a constant ``value`` (0-d array, or None
    for 0): ``((v - value) & keep) + value``, exact in modular arithmetic."""
    if value is None:
        np.bitwise_and(v, keep, out=v)
        return
    np.subtract(v, value, out=v)
    np.bitwise_and(v, keep, out=v)
    np.add(v, value, out=v)


def subtract_where(v: np.ndarray, spike: np.ndarray, x: np.ndarray, tmp: np.ndarray) -> None:
    """``v -= x where spike`` (``x`` an array or a 0-d constant): ``tmp = spike * x``
    (the spike as 0/1, then one product), then the subtraction; ``tmp`` ends as
    ``spike * x``."""
    np.copyto(tmp, spike, casting="unsafe")
    np.multiply(tmp, x, out=tmp)
    np.subtract(v, tmp, out=v)


class BlockBuffers:
    """A ``[T, n]`` input buffer reused across chunks (fresh large arrays page-fault on
    first touch, measured up to 2.5x a run) and the chunk's input in the work dtype.

    Parameters
    ----------
    dtype : type
        Work dtype.
    n : int
        Neurons in the block.
    """

    def __init__(self, dtype, n: int):
        self.dtype = dtype
        self._buf = np.empty((0, n), dtype=dtype)

    def take(self, steps: int) -> np.ndarray:
        """A ``[steps, n]`` work-dtype array (contents undefined)."""
        if len(self._buf) < steps:
            self._buf = np.empty((steps, self._buf.shape[1]), dtype=self.dtype)
        return self._buf[:steps]

    def scaled(self, x: np.ndarray, k: int, frac: int, rounding: str) -> np.ndarray:
        """``(x * k) >> frac`` under ``rounding`` for a chunk ``x [T, n]``; ``x`` itself
        (no copy) when that is the identity and ``x`` already has the work dtype."""
        if k == 1 << frac and x.dtype == self.dtype:
            return x
        out = self.take(len(x))
        scaled_into(x, k, frac, rounding, out)
        return out


class WorkArrays:
    """Base of the families' block kernels: the state fields named in ``fields`` live in
    attributes of the same names (work-dtype arrays); ``load`` and ``store`` copy them."""

    fields: tuple[str, ...] = ()

    def load(self, state) -> None:
        """Take the state (integer arrays, in range) into the work arrays."""
        for name in self.fields:
            np.copyto(getattr(self, name), getattr(state, name), casting="unsafe")

    def store(self, state) -> None:
        """Write the work arrays back into ``state``'s arrays."""
        for name in self.fields:
            np.copyto(getattr(state, name), getattr(self, name))
