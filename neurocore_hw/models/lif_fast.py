"""The engine's fast LIF kernels: a transition table for small blocks, narrow in-place
arithmetic for large ones.

Both advance a block of neurons through a chunk of steps, bit-identical to
:func:`neurocore_hw.models.lif.step` (``tests/test_fast_path.py`` holds them equal on
random formats, inputs and states, both kernels forced). Each splits a step into the
part that does not depend on the state, the *drive* ``d = ((i_in * gain_k + half) >>
frac) + noise_in``, which :meth:`prepare` computes for a whole chunk of steps in a few
large ufunc calls, and the recurrence, which :meth:`run` walks step by step:

``v_next = ovf(L(v) + c_hi + d)`` with ``L(v) = (v * (2**frac - leak_k) + c_lo) >> frac``

-- the golden ``v + (((v_rest - v) * leak_k + half) >> frac)`` regrouped exactly, with
``v_rest * leak_k + half = c_hi * 2**frac + c_lo``.

:class:`LIFTableKernel` (blocks up to :data:`TABLE_MAX_NEURONS`): the whole step is one
table lookup. The state of a neuron is a single integer ``s`` and the step is
``s = next_state[s + e]``, two ufunc calls, where ``e`` is the drive reduced to the values that
can make a difference (modulo ``2**width`` under wrap, clipped under saturate). Small
populations are bound by the cost per ufunc call, not per element, so fewer calls win.

:class:`LIFArithmeticKernel` (larger blocks): ``int16`` state, ``int32`` only where the
leak product needs it, branch-free resets: about 14 calls per step over long arrays,
cheaper per element than a lookup (``take`` costs 0.7-1 ns per element here, an
``int16`` ufunc 0.05-0.2).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..fixed import int_range

if TYPE_CHECKING:  # annotations only: lif.py imports this module
    from .lif import LIFParams, LIFState

__all__ = [
    "LIFArithmeticKernel",
    "LIFTableKernel",
    "TABLE_MAX_ENTRIES",
    "TABLE_MAX_NEURONS",
    "TransitionTables",
    "block_kernel",
    "fits_table",
    "transition_tables",
]

#: Blocks of up to this many neurons use :class:`LIFTableKernel`. Measured
#: (``docs/scripts/lif_kernels.py``, sc_lif_q8_8, one thread): the table kernel ran 2.9x the
#: arithmetic kernel at 1,000 neurons, 1.9x at 3,000, 1.1x at 8,192, 0.93x at 16,384.
TABLE_MAX_NEURONS = 8192
#: Largest transition table built (entries of ``int64``: 8 MiB). The default 16-bit
#: format with a 2-step refractory period needs 86,015 without noise_in, 393,215 with it.
TABLE_MAX_ENTRIES = 1 << 20


def _half(p: LIFParams) -> int:
    """The rounding constant of a ``>> frac``: ``2**(frac - 1)`` under ``nearest``."""
    return (1 << (p.frac - 1)) if (p.rounding == "nearest" and p.frac) else 0


def _drive_constants(p: LIFParams) -> tuple[int, int, int]:
    """``(gain, add, shift)`` with ``(i * gain_k + half) >> frac == (i * gain + add) >>
    shift`` for every integer ``i``: the power of two shared by ``gain_k`` and
    ``2**frac`` cancelled (for the default preset, ``i * 16 >> 8`` becomes ``i >> 4``)."""
    half = _half(p)
    gain = p.gain_k
    tz = min((gain & -gain).bit_length() - 1, p.frac) if gain else p.frac
    if tz == p.frac:  # (i * g * 2**frac + half) >> frac == i * g, as half < 2**frac
        return gain >> tz, 0, 0
    return gain >> tz, half >> tz, p.frac - tz


def _split_rest(p: LIFParams) -> tuple[int, int]:
    """``(c_hi, c_lo)`` with ``v_rest * leak_k + half == c_hi * 2**frac + c_lo``."""
    c = p.v_rest * p.leak_k + _half(p)
    return c >> p.frac, c & ((1 << p.frac) - 1)


def _drive(p: LIFParams, i_in: np.ndarray, noise_in: np.ndarray, work: np.ndarray,
           out: np.ndarray) -> np.ndarray:
    """``((i_in * gain_k + half) >> frac) + noise_in`` into ``out``: exact in ``int32``
    (``|i_in * gain_k| <= 2**30`` for 16-bit operands), or modulo ``2**16`` in
    ``int16``. ``work`` is ``int32`` scratch of the same shape (may be ``out``)."""
    gain, add, shift = _drive_constants(p)
    if gain == 1 and not add:  # no product: shift the input itself
        x = i_in
    else:
        x = np.multiply(i_in, gain, out=work, dtype=np.int32)
        if add:
            x += add
    if shift:
        np.right_shift(x, shift, out=out, casting="unsafe")  # in range (or mod 2**16)
    elif x is not out:
        np.copyto(out, x, casting="unsafe")
    if noise_in.strides != (0, 0):  # an absent port is a broadcast view of zeros
        np.add(out, noise_in, out=out, casting="unsafe")
    return out


class TransitionTables(NamedTuple):
    """The step of one parameter set as tables over the index ``s + e``.

    Attributes
    ----------
    next_state : numpy.ndarray of int64
        ``next_state[s + e]``: the neuron's state value after the step.
    v, refrac : numpy.ndarray
        ``v`` and ``refrac`` after the step, per index (for the final state).
    normal : numpy.ndarray of int64
        State value of a non-refractory neuron, per ``v - lo``.
    refractory : numpy.ndarray of int64
        State value of a refractory neuron, per counter value (entry 0 unused).
    spiked : int
        State value of a neuron that fired in this step (unique: spikes are
        ``next_state[s + e] == spiked``).
    e_lo, e_hi : int
        Range of the reduced drive ``e``.
    reduce : {"mask", "clip", None}
        How the drive ``d`` becomes ``e``: modulo ``2**width`` (wrap), clipped to
        ``[e_lo, e_hi]`` (saturate), or not at all when every drive the input ports
        allow already lies within ``[e_lo, e_hi]``.
    """

    next_state: np.ndarray
    v: np.ndarray
    refrac: np.ndarray
    normal: np.ndarray
    refractory: np.ndarray
    spiked: int
    e_lo: int
    e_hi: int
    reduce: str | None


def _drive_range(p: LIFParams, noise: bool) -> tuple[int, int]:
    """Smallest and largest drive ``((i_in * gain_k + half) >> frac) + noise_in`` over
    the input ports' ranges (``noise_in = 0`` unless ``noise``)."""
    lo, hi = int_range(p.width)
    gain, add, shift = _drive_constants(p)
    ends = sorted(((x * gain + add) >> shift) for x in (lo, hi))  # monotonic in i_in
    return (ends[0] + lo, ends[1] + hi) if noise else (ends[0], ends[1])


def _table_layout(p: LIFParams, noise: bool) -> tuple[int, int, str | None, int]:
    """``(e_lo, e_hi, reduce, entries)`` of the tables of ``p`` (see
    :func:`transition_tables`), without building them."""
    m = 1 << p.width
    c_hi, _ = _split_rest(p)
    d_lo, d_hi = _drive_range(p, noise)
    if p.overflow == "wrap":
        if d_hi - d_lo < m:
            e_lo, e_hi, reduce = d_lo, d_hi, None
        else:  # only d mod 2**width matters
            e_lo, e_hi, reduce = 0, m - 1, "mask"
    else:  # beyond these, L + c_hi + d saturates anyway (L is within [lo, hi])
        e_lo, e_hi = max(d_lo, -(m - 1) - c_hi), min(d_hi, (m - 1) - c_hi)
        reduce = None if (e_lo, e_hi) == (d_lo, d_hi) else "clip"
    span = e_hi - e_lo + 1
    # normal region (L - lo and e - e_lo), spiked, one per counter value 1..r_max
    return e_lo, e_hi, reduce, m - 1 + span * (2 + (1 << p.refrac_width) - 1)


def fits_table(p: LIFParams) -> bool:
    """Whether :func:`transition_tables` builds tables for ``p`` with or without noise
    (width <= 16 and at most :data:`TABLE_MAX_ENTRIES` entries)."""
    return p.width <= 16 and _table_layout(p, True)[3] <= TABLE_MAX_ENTRIES


@lru_cache(maxsize=8)
def transition_tables(p: LIFParams, noise: bool = True) -> TransitionTables | None:
    """Tabulate one step of the LIF neuron, or None when the table would exceed
    :data:`TABLE_MAX_ENTRIES` (or ``width > 16``).

    The index space holds one region per kind of state, each as wide as the range of
    ``e``: *normal* (``refrac = 0``; ``s = L(v) - lo - e_lo``, the region also as wide
    as ``L``), *spiked* (``v = v_reset``, ``refrac = refractory``: what a spike leaves)
    and one per refractory counter value ``r`` (``v = v_rest``; the counter values a
    state of ``refrac_width`` bits can hold, so any valid initial state maps). A
    refractory region maps every index to the next counter value, so the input is
    ignored there, as in the golden model. Built once per parameter set and ``noise``
    (cached): without noise the drive of a 16-bit format spans far less than ``2**16``
    (the default preset's ``i_in >> 4``: 4,096 values), and so does the table.
    """
    if p.width > 16:
        return None
    e_lo, e_hi, reduce, total = _table_layout(p, noise)
    if total > TABLE_MAX_ENTRIES:
        return None
    m = 1 << p.width
    lo, hi = int_range(p.width)
    c_hi, c_lo = _split_rest(p)
    span = e_hi - e_lo + 1
    r_max = (1 << p.refrac_width) - 1
    spiked_base = m - 1 + span  # after the normal region
    ref_base = spiked_base + span * np.arange(r_max + 1, dtype=np.int64)  # [0] unused
    v_codes = np.arange(lo, hi + 1, dtype=np.int64)
    leak = (v_codes * ((1 << p.frac) - p.leak_k) + c_lo) >> p.frac  # L(v), within [lo, hi]
    normal = leak - lo - e_lo
    spiked = spiked_base - e_lo
    refractory = ref_base - e_lo
    nxt = np.empty(total, np.int64)
    v_out = np.empty(total, np.int16)
    r_out = np.empty(total, np.int32)

    def ovf(x):
        return ((x - lo) & (m - 1)) + lo if p.overflow == "wrap" else np.clip(x, lo, hi)

    def integrate(region: slice, v_next: np.ndarray) -> None:
        fire = v_next >= p.v_threshold
        v_after = np.where(fire, p.v_reset, v_next)
        nxt[region] = np.where(fire, spiked, normal[v_after - lo])
        v_out[region] = v_after
        r_out[region] = np.where(fire, p.refractory, 0)

    def count_down(region: slice, r: int) -> None:  # refractory: v = v_rest, r - 1
        nxt[region] = refractory[r - 1] if r > 1 else normal[p.v_rest - lo]
        v_out[region] = p.v_rest
        r_out[region] = r - 1

    # normal: index y = L - lo + e - e_lo, so L + c_hi + e = y + lo + e_lo + c_hi
    integrate(slice(0, spiked_base), ovf(np.arange(spiked_base) + lo + e_lo + c_hi))
    spiked_region = slice(spiked_base, spiked_base + span)
    if p.refractory:
        count_down(spiked_region, p.refractory)
    else:  # no refractory period: a neuron that fired integrates from v_reset
        e = np.arange(e_lo, e_hi + 1, dtype=np.int64)
        integrate(spiked_region, ovf(leak[p.v_reset - lo] + c_hi + e))
    for r in range(1, r_max + 1):
        count_down(slice(int(ref_base[r]), int(ref_base[r]) + span), r)
    for table in (nxt, v_out, r_out, normal, refractory):
        table.flags.writeable = False
    return TransitionTables(nxt, v_out, r_out, normal, refractory, int(spiked), e_lo, e_hi,
                            reduce)


class LIFTableKernel:
    """The engine's LIF path for small blocks: one table lookup per step.

    State ``s`` (``int64``, one per neuron) indexes :func:`transition_tables`; a step is
    ``np.add(s, e[k], out=e[k])`` and ``next_state.take(e[k], out=s_k)``: two ufunc calls
    whatever the parameters, against about 14 for :class:`LIFArithmeticKernel`. The
    states of a chunk are kept and the spikes found in one comparison per chunk. The
    tables are picked at the first :meth:`prepare`, by whether ``noise_in`` is given.

    Parameters
    ----------
    params : LIFParams
        Integer parameters; :func:`fits_table` must hold.
    n : int
        Neurons in a block.
    """

    #: Elements per chunk asked of the engine: 512 KiB of ``int64`` drive, which stays in
    #: the 1 MiB L2 (measured at 1,000 neurons: 4.9 us per step against 6.6 us with the
    #: engine's 262,144).
    chunk_elements = 65_536

    def __init__(self, params: LIFParams, n: int):
        if not fits_table(params):
            raise ValueError("these LIF parameters need more than TABLE_MAX_ENTRIES entries "
                             "(or more than 16 bits): use LIFArithmeticKernel")
        self.p, self.n = params, n
        self.t: TransitionTables | None = None
        self._noise = False
        self.s = np.empty(n, np.int64)
        self._loaded: tuple[np.ndarray, np.ndarray] | None = None
        self._e = self._states = self._work = np.empty((0, n), np.int64)
        self._e_rows: list[np.ndarray] = []
        self._state_rows: list[np.ndarray] = []
        self._last: np.ndarray | None = None
        self._spiked = np.array(0, np.int64)

    def load(self, state: LIFState) -> None:
        """Take the state (integer arrays, in range); mapped at the next :meth:`prepare`."""
        self._loaded = (np.array(state.v, dtype=np.int64), np.array(state.refrac,
                                                                     dtype=np.int64))
        self._last = None

    def store(self, state: LIFState) -> None:
        """Write the state after the last step into ``state``'s arrays."""
        if self._last is None:
            raise RuntimeError("store() needs at least one step after load()")
        np.copyto(state.v, self.t.v.take(self._last))
        np.copyto(state.refrac, self.t.refrac.take(self._last))

    def _start(self, noise: bool) -> None:
        """Pick the tables at the first chunk; map a loaded state into state values."""
        if self.t is None:
            self.t, self._noise = transition_tables(self.p, noise), noise
            self._spiked = np.array(self.t.spiked, np.int64)
        elif noise and not self._noise:
            raise RuntimeError("noise_in after noise-free chunks: the tables do not cover it")
        if self._loaded is not None:
            v, r = self._loaded
            s = self.t.normal[v - int_range(self.p.width)[0]]
            np.copyto(self.s, np.where(r > 0, self.t.refractory[r], s))
            self._loaded = None

    def prepare(self, i_in: np.ndarray, noise_in: np.ndarray) -> np.ndarray:
        """The reduced drive ``e`` for a chunk of steps, ``int64 [T, n]``."""
        self._start(noise_in.strides != (0, 0))  # an absent port: broadcast zeros
        steps = len(i_in)
        if len(self._e) < steps:  # reused across chunks: fresh large arrays page-fault
            self._e = np.empty(i_in.shape, np.int64)
            self._states = np.empty(i_in.shape, np.int64)
            self._work = np.empty(i_in.shape, np.int32)
            self._e_rows, self._state_rows = list(self._e), list(self._states)
        e = self._e[:steps]
        if self.t.reduce is None:  # every drive is a valid e: straight into int64
            return _drive(self.p, i_in, noise_in, self._work[:steps], e)
        d = _drive(self.p, i_in, noise_in, self._work[:steps], self._work[:steps])
        if self.t.reduce == "mask":
            np.bitwise_and(d, (1 << self.p.width) - 1, out=e)
        else:
            np.clip(d, self.t.e_lo, self.t.e_hi, out=e)
        return e

    def run(self, e: np.ndarray, spikes: np.ndarray) -> None:
        """Advance ``len(e)`` steps (``e`` from :meth:`prepare`, overwritten); write each
        step's spikes into the rows of ``spikes``."""
        take, add = self.t.next_state.take, np.add
        steps = len(e)
        s = self.s
        for e_k, s_k in zip(self._e_rows[:steps], self._state_rows[:steps]):
            add(s, e_k, e_k)
            take(e_k, None, s_k, "wrap")  # indices are in range by construction
            s = s_k
        np.copyto(self.s, s)
        np.equal(self._states[:steps], self._spiked, out=spikes)
        self._last = self._e_rows[steps - 1]


class LIFArithmeticKernel:
    """The engine's LIF path for large blocks: narrow dtypes, no allocation per step.

    State lives in ``int16`` (``v``) and the narrowest signed ``refrac`` arrays; the
    leak product in ``int32``. For the 16-bit wrapping format the drive is kept modulo
    ``2**16`` in ``int16`` and added after the leak in ``int16`` (two's complement
    wrap-around is the format's own overflow); other formats add it in ``int32`` and
    wrap or clip there. Threshold, reset and refractory logic are branch-free: NumPy's
    masked copies (``copyto(..., where=)``) walk the mask in runs and cost up to 8x a
    plain ufunc on the random masks spikes make (measured: 18 us at 10% set vs 2.2 us for
    an ``int16`` AND, 8,192 elements), so resets are ``v & keep + v_rest * refr +
    v_reset * spike`` on ``int16`` masks and the counter is ``refrac - refr + refractory
    * spike``.

    Parameters
    ----------
    params : LIFParams
        Integer parameters, ``width <= 16``.
    n : int
        Neurons in a block.
    """

    def __init__(self, params: LIFParams, n: int):
        p = self.p = params
        self.c_hi, self.c_lo = _split_rest(p)
        self.wrap16 = p.width == 16 and p.overflow == "wrap"
        self.v = np.zeros(n, dtype=np.int16)
        self.refrac = np.zeros(n, dtype=np.min_scalar_type(-p.refractory - 1))
        self.work = np.empty(n, dtype=np.int32)
        self.refr = np.zeros(n, dtype=bool)
        self.with_refractory = p.refractory > 0
        self._d = self._dw = np.empty((0, n), dtype=np.int32)
        self._hit = np.empty(n, dtype=bool)
        self._keep16, self._t16 = np.empty(n, dtype=np.int16), np.empty(n, dtype=np.int16)
        self._t_r = np.empty(n, dtype=self.refrac.dtype)
        # constants as 0-d arrays, made once: NumPy converts a scalar argument on every call
        self._consts = (
            *(np.array(x, np.int32) for x in ((1 << p.frac) - p.leak_k, p.frac, self.c_lo)),
            *(np.array(x, np.int16) for x in (p.v_threshold, p.v_rest, p.v_reset, 1)),
            *(np.array(x, self.refrac.dtype) for x in (p.refractory, 0)),
            np.array((1 << p.width) - 1, np.int32), np.array(1 << (p.width - 1), np.int32))

    def load(self, state: LIFState) -> None:
        """Take the state (integer arrays, in range) into the narrow arrays."""
        np.copyto(self.v, state.v, casting="unsafe")
        np.copyto(self.refrac, state.refrac, casting="unsafe")
        np.greater(self.refrac, 0, out=self.refr)
        # without a refractory period only a loaded counter can be non-zero
        self.with_refractory = self.p.refractory > 0 or bool(self.refr.any())

    def store(self, state: LIFState) -> None:
        """Write the state back into ``state``'s arrays."""
        np.copyto(state.v, self.v)
        np.copyto(state.refrac, self.refrac)

    def prepare(self, i_in: np.ndarray, noise_in: np.ndarray) -> np.ndarray:
        """The drive plus ``c_hi`` for a chunk of steps: ``int16 [T, n]`` modulo ``2**16``
        for the 16-bit wrapping format, else ``int32``."""
        steps = len(i_in)
        if len(self._d) < steps:  # reused across chunks: fresh large arrays page-fault
            self._dw = np.empty(i_in.shape, dtype=np.int32)
            self._d = np.empty(i_in.shape, np.int16) if self.wrap16 else self._dw
        d = _drive(self.p, i_in, noise_in, self._dw[:steps], self._d[:steps])
        if self.c_hi:  # int16: c_hi modulo 2**16
            d += ((self.c_hi + (1 << 15)) & 0xFFFF) - (1 << 15) if self.wrap16 else self.c_hi
        return d

    def run(self, d: np.ndarray, spikes: np.ndarray) -> None:
        """Advance ``len(d)`` steps; write each step's spikes into the rows of ``spikes``."""
        p = self.p
        v, a, refrac, refr, hit = self.v, self.work, self.refrac, self.refr, self._hit
        keep16, t16, t_r = self._keep16, self._t16, self._t_r
        (keep, shift, c_lo, thr, v_rest, v_reset, one16, refractory, zero_r, mask,
         sign) = self._consts
        narrow = refrac.dtype == np.int8  # bool arrays viewed as int8: no conversion
        refr_r = refr.view(np.int8) if narrow else t_r
        wrap16, wrap, width = self.wrap16, p.overflow == "wrap", p.width
        lo, hi = (np.array(x, np.int32) for x in int_range(width))
        multiply, right_shift, add, copyto = np.multiply, np.right_shift, np.add, np.copyto
        greater, greater_equal, subtract = np.greater, np.greater_equal, np.subtract
        with_refractory = self.with_refractory
        for k in range(len(d)):
            spike = spikes[k]
            multiply(v, keep, a, dtype=np.int32)
            if self.c_lo:
                add(a, c_lo, a)
            right_shift(a, shift, a)
            if wrap16:
                copyto(v, a, casting="unsafe")  # L(v) is within the 16-bit range
                add(v, d[k], v)  # wraps modulo 2**16: the format's overflow
            else:
                add(a, d[k], a)
                if not wrap:
                    a.clip(lo, hi, out=a)  # 0-d bounds: np.clip(a, int, int) is slow
                else:  # sign-extend the low width bits
                    a &= mask
                    a ^= sign
                    a -= sign
                copyto(v, a, casting="unsafe")  # in range now
            greater_equal(v, thr, spike)
            if with_refractory:
                np.logical_or(spike, refr, hit)  # v is replaced where hit
                greater(spike, refr, spike)  # spike and not refractory
            else:
                hit = spike
            copyto(keep16, hit, casting="unsafe")
            subtract(keep16, one16, keep16)  # -1 (all ones) keeps v, 0 clears it
            np.bitwise_and(v, keep16, v)
            if with_refractory and p.v_rest:
                copyto(t16, refr, casting="unsafe")
                multiply(t16, v_rest, t16)
                add(v, t16, v)
            if p.v_reset:
                copyto(t16, spike, casting="unsafe")
                multiply(t16, v_reset, t16)
                add(v, t16, v)
            if with_refractory:
                if not narrow:
                    copyto(t_r, refr, casting="unsafe")
                subtract(refrac, refr_r, refrac)
                if narrow:
                    multiply(spike.view(np.int8), refractory, t_r)
                else:
                    copyto(t_r, spike, casting="unsafe")
                    multiply(t_r, refractory, t_r)
                add(refrac, t_r, refrac)
                greater(refrac, zero_r, refr)


def block_kernel(params: LIFParams, n: int) -> LIFTableKernel | LIFArithmeticKernel | None:
    """The engine's fast kernel for a block of ``n`` neurons: :class:`LIFTableKernel` up
    to :data:`TABLE_MAX_NEURONS` when the table fits, else :class:`LIFArithmeticKernel`;
    None where ``width > 16`` (the engine then uses :class:`~.lif.LIFKernel`)."""
    if params.width > 16:
        return None
    if n <= TABLE_MAX_NEURONS and fits_table(params):
        return LIFTableKernel(params, n)
    return LIFArithmeticKernel(params, n)
