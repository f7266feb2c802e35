"""The engine's fast path for the stochastic-computing blocks.

An SC block's random sources (LFSRs or van der Corput counters) step on every clock
whatever the inputs, and from reset every neuron's source registers hold the same
values: the block's seeds. Then a source is one number per clock, shared by the whole
population, and a chunk of clocks is a few calls over the chunk's ``[T, n]`` inputs: the
stream bits are one comparison of the inputs with a column of random values per
operand; the multiplier's AND or XNOR, the adder's per-clock select and the decoder's
window are one more call each, and the stream neurons feed the bits, times
``input_scale``, to the LIF's own block kernel (:mod:`.lif_fast`). Where the loaded
state gives neurons different source registers (possible through ``engine.run(...,
state=)``), a kernel runs the block's pure ``step`` clock by clock instead: the same
result, at the step's speed.

Each model's sequence of register values is made by stepping the model's own register
update (``advance`` and the counter increments) on one value per clock.
``tests/test_sc_kernels.py`` holds every kernel equal to the pure ``step``.
"""

from __future__ import annotations

import numpy as np

from .. import sc
from . import lif_fast
from .lif import LIFState

__all__ = ["MAX_TABLE_BITS", "SCBlockKernel", "block_kernel"]

#: Source registers up to this width step through a next-value table (a list lookup per
#: clock; 2**20 entries at most), wider ones (the 32-bit LFSR) one vectorized step each.
MAX_TABLE_BITS = 20
_TABLES: dict[tuple, list[int]] = {}


def _bitrev(values: np.ndarray, width: int) -> np.ndarray:
    return sc.bit_reverse(values, width)


def _below(r: np.ndarray, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``r < x`` for a column ``r [T, 1]`` of source values and inputs ``x [T, n]``: the
    column in the inputs' dtype where it fits (a comparison of mixed dtypes casts every
    element, measured 2-3x slower)."""
    info = np.iinfo(x.dtype) if x.dtype.kind in "iu" else None
    if info is not None and r.size and info.min <= int(r.min()) and int(r.max()) <= info.max:
        r = r.astype(x.dtype)
    return np.less(r, x, out=out)


class SCBlockKernel:
    """Fast path of one SC block for a block of ``n`` neurons.

    Parameters
    ----------
    model : str
        ``sc_sng``, ``sc_mul``, ``sc_add``, ``sc_decoder``, ``sc_lif`` or
        ``sc_xor_neuron``.
    params : object
        The block's ``Params``.
    n : int
        Neurons in the block.
    step : callable
        The block's pure ``step`` (the fallback for non-uniform source registers).
    """

    def __init__(self, model: str, params, n: int, step):
        self.model, self.p, self.n, self._step = model, params, n, step
        self.sources = ("phase",) if model == "sc_decoder" else tuple(
            s.name for s in params.state_ports() if s.name in ("rng", "ra", "rb", "rs", "count"))
        self._state = None
        self._regs: dict[str, int] = {}
        self._uniform = False
        self._lif = None
        if model in ("sc_lif", "sc_xor_neuron"):
            self._lif = lif_fast.block_kernel(params.lif, n)

    # -- state -------------------------------------------------------------------------
    def load(self, state) -> None:
        """Keep the state; note whether every source register is the same for all."""
        self._state = type(state)(*(np.array(x, dtype=np.int64) for x in state))
        regs = {name: getattr(self._state, name) for name in self.sources}
        self._uniform = all(r.size and (r == r[0]).all() for r in regs.values())
        if self._lif is None and self.model in ("sc_lif", "sc_xor_neuron"):
            self._uniform = False  # a LIF format without a block kernel: step by step
        if self._uniform:
            self._regs = {name: int(r[0]) for name, r in regs.items()}
            if self._lif is not None:
                self._lif.load(LIFState(self._state.v, self._state.refrac))

    def store(self, state) -> None:
        """Write the state back into ``state``'s arrays."""
        if self._uniform:
            for name, value in self._regs.items():
                getattr(self._state, name).fill(value)
            if self._lif is not None:
                self._lif.store(LIFState(self._state.v, self._state.refrac))
        for mine, given in zip(self._state, state):
            np.copyto(given, mine)

    # -- the sources -------------------------------------------------------------------
    def _advance(self, name: str, value: np.ndarray) -> np.ndarray:
        """A source register's next value (the step's own update)."""
        p, m = self.p, self.model
        if name == "phase":
            return (value + 1) & ((1 << p.log2_length) - 1)
        width = p.x_width if m in ("sc_lif", "sc_xor_neuron") else p.width
        if name == "count" or p.source == "vdc":  # a counter (sc_add's: one bit more)
            bits = width + 1 if m == "sc_add" else width
            return (value + 1) & ((1 << bits) - 1)
        mirror = (name == "rb") or (name == "rng" and getattr(p, "taps", "") == "mirror")
        return sc.lfsr_next(value, width, mirror)

    def _register_bits(self, name: str) -> int:
        p, m = self.p, self.model
        if name == "phase":
            return p.log2_length
        width = p.x_width if m in ("sc_lif", "sc_xor_neuron") else p.width
        return width + 1 if (m == "sc_add" and name == "count") else width

    def _next_table(self, name: str) -> list[int] | None:
        """``nxt[s]``: the register's next value for every ``s`` (one vectorized call of
        :meth:`_advance` over all values), for registers of up to 20 bits; else None."""
        bits = self._register_bits(name)
        if bits > MAX_TABLE_BITS:
            return None
        key = (self.model, name, bits, getattr(self.p, "source", ""),
               getattr(self.p, "taps", ""))
        if key not in _TABLES:
            _TABLES[key] = self._advance(name, np.arange(1 << bits, dtype=np.int64)).tolist()
        return _TABLES[key]

    def _sequences(self, steps: int) -> dict[str, np.ndarray]:
        """Each source register's value before each of the next ``steps`` clocks (one
        column ``[steps, 1]``); the registers advance past them."""
        out = {}
        for name, value in self._regs.items():
            seq = [0] * (steps + 1)
            seq[0] = value
            table = self._next_table(name)
            if table is not None:  # a list lookup per clock
                for t in range(steps):
                    seq[t + 1] = value = table[value]
            else:  # wide registers: one vectorized step per clock
                cur = np.array([value], dtype=np.int64)
                for t in range(steps):
                    cur = self._advance(name, cur)
                    seq[t + 1] = int(cur[0])
            self._regs[name] = int(seq[-1])
            out[name] = np.array(seq[:-1], dtype=np.int64)[:, None]
        return out

    # -- the engine's interface ----------------------------------------------------------
    def prepare(self, **inputs) -> dict[str, np.ndarray]:
        """The chunk's inputs (the work happens in :meth:`run`)."""
        return inputs

    def run(self, inputs: dict[str, np.ndarray], spikes: np.ndarray) -> None:
        """Advance ``len`` steps of the chunk; spikes into the rows of ``spikes``."""
        steps = len(next(iter(inputs.values())))
        if not self._uniform:
            state = self._state
            for t in range(steps):
                state, spike = self._step(self.p, state,
                                          **{k: v[t] for k, v in inputs.items()})
                spikes[t] = spike
            self._state = type(self._state)(*(np.array(x, dtype=np.int64) for x in state))
            return
        seq = self._sequences(steps)
        getattr(self, "_" + self.model)(seq, inputs, spikes)

    def _operands(self, seq, x, y):
        """The two operand streams of ``sc_mul`` and ``sc_xor_neuron`` (``two_streams``)."""
        p = self.p
        width = p.x_width if self.model == "sc_xor_neuron" else p.width
        if p.source == "vdc":
            c = seq["count"]
            return _below(_bitrev(c, width), x), _below(c, y)
        return _below(seq["ra"], x), _below(seq["rb"], y)

    def _sc_sng(self, seq, inputs, spikes) -> None:
        p = self.p
        r = seq["rng"] if p.source == "lfsr" else _bitrev(seq["rng"], p.width)
        _below(r, inputs["x"], out=spikes)

    def _sc_mul(self, seq, inputs, spikes) -> None:
        a, b = self._operands(seq, inputs["x"], inputs["y"])
        if self.p.op == "and":
            np.logical_and(a, b, out=spikes)
        else:
            np.equal(a, b, out=spikes)

    def _sc_add(self, seq, inputs, spikes) -> None:
        p, x, y = self.p, inputs["x"], inputs["y"]
        if p.source == "vdc":
            half = seq["count"] >> 1
            ra, rb, sel = _bitrev(half, p.width), half, (seq["count"] & 1) == 1
        else:
            ra, rb, sel = seq["ra"], seq["rb"], seq["rs"] < (1 << (p.width - 1))
        sel = sel[:, 0]
        spikes[sel] = _below(ra[sel], x[sel])
        spikes[~sel] = _below(rb[~sel], y[~sel])

    def _sc_decoder(self, seq, inputs, spikes) -> None:
        p = self.p
        last = (1 << p.log2_length) - 1
        count, value = self._state.count, self._state.value
        stream = inputs["stream"]
        mask = 2 * last + 1
        for t, phase in enumerate(seq["phase"][:, 0].tolist()):
            np.add(count, stream[t], out=count, casting="unsafe")
            np.bitwise_and(count, mask, out=count)
            if phase == last:  # the window closes: its total is the value
                np.copyto(value, count)
                count.fill(0)
            spikes[t] = phase == last

    def _drive_lif(self, bits: np.ndarray, spikes: np.ndarray) -> None:
        drive = bits.astype(np.int16) if self.p.input_scale == 1 else (
            bits * np.int32(self.p.input_scale))
        no_noise = np.broadcast_to(np.zeros(1, dtype=np.int8), drive.shape)  # absent port
        d = self._lif.prepare(drive, no_noise)
        self._lif.run(d, spikes)

    def _sc_lif(self, seq, inputs, spikes) -> None:
        p = self.p
        r = seq["rng"] if p.source == "lfsr" else _bitrev(seq["rng"], p.x_width)
        self._drive_lif(_below(r, inputs["x"]), spikes)

    def _sc_xor_neuron(self, seq, inputs, spikes) -> None:
        a, b = self._operands(seq, inputs["x1"], inputs["x2"])
        self._drive_lif(np.not_equal(a, b), spikes)


def block_kernel(model: str):
    """The ``block_kernel(params, n)`` of the SC block named ``model``."""
    def make(params, n: int) -> SCBlockKernel:
        return SCBlockKernel(model, params, n, params.model.step)
    make.__doc__ = f"The fast path of ``{model}`` (:class:`SCBlockKernel`)."
    return make
