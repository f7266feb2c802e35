"""Stochastic-computing (SC) primitives, vectorized over many streams.

A value ``p`` in [0, 1] is a bitstream whose fraction of ones is ``p`` (unipolar) or
``(p + 1) / 2`` (bipolar, ``p`` in [-1, 1]). A stochastic number generator (SNG) emits
``bit = random < x`` each clock, with ``x`` a ``W``-bit code (``p = x / 2**W``) and
``random`` from

* an LFSR: a ``W``-bit Fibonacci shift register, shifting left, feedback bit = XOR of the
  state bits at positions ``t - 1`` for the taps ``t`` of :data:`LFSR_TAPS` (maximal-length,
  period ``2**W - 1``; the all-zero state is excluded, so seeds must be non-zero);
  ``mirror=True`` uses the reciprocal polynomial's taps, a second maximal sequence for
  decorrelating two streams that meet;
* a low-discrepancy source: the van der Corput sequence, i.e. the bit-reversed value of a
  ``W``-bit counter.

The SNG compares, then steps. Streams are packed 64 bits per ``uint64`` word along time
(bit ``t % 64`` of word ``t // 64``, little-endian) so that AND, XNOR and MUX act on 64
clocks per operation and decoding is a popcount.
"""

from __future__ import annotations

import numpy as np

from .fixed import check_choice, check_int

__all__ = [
    "LFSR_TAPS",
    "SOURCES",
    "bit_reverse",
    "check_seed",
    "count_ones",
    "lfsr_next",
    "lfsr_sequence",
    "pack",
    "random_sequence",
    "sc_and",
    "sc_mux",
    "sc_xnor",
    "taps_for",
    "unpack",
    "vdc_sequence",
]

#: Maximal-length Fibonacci LFSR taps (1-indexed bit positions, the width first), widths
#: 8..32, from the widely used Xilinx XAPP052 table. ``tests/test_sc.py`` proves every
#: entry and its mirror maximal (transition matrix order exactly ``2**W - 1`` over GF(2)).
LFSR_TAPS: dict[int, tuple[int, ...]] = {
    8: (8, 6, 5, 4), 9: (9, 5), 10: (10, 7), 11: (11, 9), 12: (12, 6, 4, 1),
    13: (13, 4, 3, 1), 14: (14, 5, 3, 1), 15: (15, 14), 16: (16, 15, 13, 4), 17: (17, 14),
    18: (18, 11), 19: (19, 6, 2, 1), 20: (20, 17), 21: (21, 19), 22: (22, 21),
    23: (23, 18), 24: (24, 23, 22, 17), 25: (25, 22), 26: (26, 6, 2, 1), 27: (27, 5, 2, 1),
    28: (28, 25), 29: (29, 27), 30: (30, 6, 4, 1), 31: (31, 28), 32: (32, 22, 2, 1),
}

SOURCES = ("lfsr", "vdc")


def taps_for(width: int, mirror: bool = False) -> tuple[int, ...]:
    """Taps of the ``width``-bit LFSR, or of its reciprocal polynomial (``mirror``)."""
    check_int("width", width, min(LFSR_TAPS), max(LFSR_TAPS))
    taps = LFSR_TAPS[width]
    if not mirror:
        return taps
    return (width, *sorted((width - t for t in taps[1:]), reverse=True))


def check_seed(width: int, seed: int) -> int:
    """A valid LFSR seed: non-zero and ``width`` bits (the zero state never leaves)."""
    return check_int("seed", seed, 1, (1 << width) - 1)


def lfsr_next(state, width: int, mirror: bool = False):
    """One LFSR step: shift left, feed back the XOR of the tap bits (vectorized)."""
    state = np.asarray(state, dtype=np.int64)
    fb = np.zeros_like(state)
    for t in taps_for(width, mirror):
        fb ^= (state >> (t - 1)) & 1
    return ((state << 1) | fb) & ((1 << width) - 1)


def lfsr_sequence(width: int, seeds, length: int, mirror: bool = False) -> np.ndarray:
    """States of one LFSR per seed over ``length`` clocks: shape ``(length, n_seeds)``.

    Row ``t`` is the state *before* step ``t`` (row 0 is the seed).
    """
    seeds = np.atleast_1d(np.asarray(seeds, dtype=np.int64))
    for s in seeds:
        check_seed(width, int(s))
    out = np.empty((length, seeds.size), dtype=np.int64)
    state = seeds.copy()
    for t in range(length):
        out[t] = state
        state = lfsr_next(state, width, mirror)
    return out


def bit_reverse(values, width: int) -> np.ndarray:
    """Reverse the low ``width`` bits of each value."""
    values = np.asarray(values, dtype=np.int64)
    out = np.zeros_like(values)
    for b in range(width):
        out |= ((values >> b) & 1) << (width - 1 - b)
    return out


def vdc_sequence(width: int, length: int, start: int = 0) -> np.ndarray:
    """Van der Corput values ``bit_reverse(t mod 2**width)`` for ``t`` from ``start``."""
    check_int("width", width, 1, 32)
    return bit_reverse((np.arange(length, dtype=np.int64) + start) % (1 << width), width)


def random_sequence(source: str, width: int, length: int, seeds=1, mirror=False,
                    ) -> np.ndarray:
    """Random values for SNGs: ``(length, n)`` from ``"lfsr"`` (one column per seed) or
    ``"vdc"`` (one column, offset by each seed so that streams differ)."""
    check_choice("source", source, SOURCES)
    if source == "lfsr":
        return lfsr_sequence(width, seeds, length, mirror)
    seeds = np.atleast_1d(np.asarray(seeds, dtype=np.int64))
    return np.stack([vdc_sequence(width, length, int(s) - 1) for s in seeds], axis=1)


def pack(bits: np.ndarray) -> np.ndarray:
    """Pack a boolean ``(L, n)`` stream array into ``(ceil(L / 64), n)`` uint64 words."""
    bits = np.asarray(bits, dtype=bool)
    length, n = bits.shape
    words = -(-length // 64)
    padded = np.zeros((words * 64, n), dtype=bool)
    padded[:length] = bits
    as_bytes = np.packbits(padded.reshape(words, 64, n), axis=1, bitorder="little")
    return np.ascontiguousarray(as_bytes.transpose(0, 2, 1)).view(np.uint64)[..., 0]


def unpack(words: np.ndarray, length: int) -> np.ndarray:
    """Inverse of :func:`pack`: ``(length, n)`` booleans."""
    words = np.ascontiguousarray(words, dtype=np.uint64)
    n = words.shape[1]
    as_bytes = words[..., None].view(np.uint8).reshape(words.shape[0], n, 8)
    bits = np.unpackbits(as_bytes.transpose(0, 2, 1), axis=1, bitorder="little")
    return bits.reshape(-1, n)[:length].astype(bool)


def sc_and(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Unipolar multiply of packed streams: bitwise AND."""
    return np.bitwise_and(a, b, out=out)


def sc_xnor(a: np.ndarray, b: np.ndarray, length: int, out: np.ndarray | None = None
            ) -> np.ndarray:
    """Bipolar multiply of packed streams: bitwise XNOR (padding bits past ``length`` 0)."""
    out = np.bitwise_xor(a, b, out=out)
    np.invert(out, out=out)
    tail = length % 64
    if tail:
        out[-1] &= np.uint64((1 << tail) - 1)
    return out


def sc_mux(select: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Scaled add of packed streams: ``a`` where ``select`` is 1, else ``b``."""
    return (select & a) | (~select & b)


def count_ones(words: np.ndarray) -> np.ndarray:
    """Counter decoder: ones per stream (popcount over the words), int64."""
    return np.bitwise_count(words).sum(axis=0, dtype=np.int64)
