"""Helpers shared by the stochastic-computing blocks: seed checks, source-register
ports and the state type built from them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import ClassVar, NamedTuple

import numpy as np

from .. import sc
from ..fixed import QuantizedValue, check_choice, check_int, quantize
from ..model import PortSpec
from ..real import Format, RealModel, leak_of_tau, quantize_code, real_field, tau_of_leak

__all__ = ["StreamNeuronReal", "StreamReal", "check_sources", "initial_state", "period",
           "source_ports", "state_type", "two_streams"]


def period(source: str, width: int) -> int:
    """Clocks before a ``width``-bit source repeats: ``2**width - 1`` for a maximal LFSR,
    ``2**width`` for the van der Corput counter (and a decoder's window)."""
    return (1 << width) - (1 if source == "lfsr" else 0)


def _stream_width(length: float, source: str, lo: int, hi: int) -> QuantizedValue:
    """The narrowest width in ``lo..hi`` whose period holds ``length`` clocks; the error is
    in clocks (period minus length)."""
    for width in range(lo, hi + 1):
        if period(source, width) >= length:
            return QuantizedValue(width, float(length), float(period(source, width) - length))
    raise ValueError(f"stream_length={length:g} needs more than {hi} bits "
                     f"(at most {period(source, hi)} clocks)")


@dataclass(frozen=True)
class StreamReal(RealModel):
    """A stochastic-computing block in real units: its stream length in clocks.

    The resolution of a stream of length ``L`` is ``1/L``; the block's width is the
    narrowest whose source period holds ``L`` (error: the extra clocks). A subclass names
    its width field and range.
    """

    stream_length: float = real_field(255.0, "clocks", "bitstream length (resolution 1/L)",
                                      positive=True)

    width_field: ClassVar[str] = "width"
    width_range: ClassVar[tuple[int, int]] = (8, 32)

    def default_format(self, base) -> None:
        """None: a stream's resolution is its length, not a fixed-point format."""
        return None

    def _source(self, base) -> str:
        return getattr(base, "source", "vdc")

    def codes(self, fmt, base) -> dict[str, object]:
        """The width field for ``stream_length``."""
        return {self.width_field: _stream_width(self.stream_length, self._source(base),
                                                *self.width_range)}

    @classmethod
    def from_params(cls, params) -> StreamReal:
        """The stream length of ``params``: its source's period."""
        return cls(stream_length=period(getattr(params, "source", "vdc"),
                                        getattr(params, cls.width_field)))


@dataclass(frozen=True)
class StreamNeuronReal(StreamReal):
    """A LIF driven by bitstreams, in real units: the stream length, the LIF's time
    constant, potentials and refractory time, and the current one 1-bit adds.

    The LIF's gain stays 1.0 (``gain_k = 2**frac``, as the stream neurons require).
    """

    tau_mem: float = real_field(16.0, "ms", "membrane time constant", positive=True)
    dt: float = real_field(1.0, "ms", "time step (one stream clock)", positive=True)
    v_rest: float = real_field(0.0, "v", "resting potential")
    v_reset: float = real_field(0.0, "v", "potential after a spike")
    v_threshold: float = real_field(1.0, "v", "firing threshold")
    t_ref: float = real_field(2.0, "ms", "refractory time (whole steps)", minimum=0.0)
    input_scale: float = real_field(0.25, "v", "current of one 1-bit")

    width_field: ClassVar[str] = "x_width"

    def default_format(self, base) -> Format:
        """The format of the held LIF."""
        return Format(base.lif.width, base.lif.frac)

    def codes(self, fmt: Format, base) -> dict[str, object]:
        """``x_width``, ``input_scale`` and the held LIF in ``fmt``."""
        w, f = fmt.width, fmt.frac
        q = {name: quantize(name, getattr(self, name), w, f)
             for name in ("v_rest", "v_reset", "v_threshold")}
        q["leak_k"] = quantize_code("leak_k", leak_of_tau(self.tau_mem, self.dt), w + 1, f,
                                    lo=0, hi=1 << f)
        values = {k: v.value for k, v in q.items()}
        try:
            core = replace(base.lif, **fmt.settings(base.lif), **values, gain_k=1 << f,
                           refractory=int(self.t_ref / self.dt + 0.5))
        except ValueError as exc:
            raise ValueError(f"lif in {fmt}: {exc}") from None
        return {**super().codes(fmt, base), "lif": (core, q),
                "input_scale": quantize("input_scale", self.input_scale, w, f)}

    @classmethod
    def from_params(cls, params) -> StreamNeuronReal:
        """The real stream neuron ``params`` stand for (one clock = 1 ms)."""
        core = params.lif
        scale = float(1 << core.frac)
        if not 0 < core.leak_k < (1 << core.frac):
            raise ValueError(f"lif.leak_k={core.leak_k} has no finite real time constant; "
                             "set the integers with --param")
        return cls(stream_length=period(params.source, params.x_width),
                   tau_mem=tau_of_leak(core.leak_k / scale, 1.0), dt=1.0,
                   t_ref=float(core.refractory), input_scale=params.input_scale / scale,
                   **{name: getattr(core, name) / scale
                      for name in ("v_rest", "v_reset", "v_threshold")})


def check_sources(p, seeds: tuple[str, ...] = ("seed_a", "seed_b")) -> None:
    """Validate ``width``, ``source`` and the named seeds (non-zero for LFSRs; for
    ``"vdc"`` only ``seeds[0]``, the counter's reset value)."""
    check_int("width", p.width, 8, 32)
    check_choice("source", p.source, sc.SOURCES)
    if p.source == "lfsr":
        for name in seeds:
            check_int(name, getattr(p, name), 1, (1 << p.width) - 1)
    else:
        check_int(seeds[0], getattr(p, seeds[0]), 0, (1 << p.width) - 1)


def source_ports(p, *, extra_bit: bool, select: bool) -> tuple[PortSpec, ...]:
    """``ra``, ``rb`` (and ``rs``) LFSR registers, or one ``count`` for ``"vdc"``."""
    if p.source == "vdc":
        return (PortSpec("count", p.width + extra_bit, False, 0, p.seed_a),)
    ports = [PortSpec("ra", p.width, False, 0, p.seed_a),
             PortSpec("rb", p.width, False, 0, p.seed_b)]
    if select:
        ports.append(PortSpec("rs", p.width, False, 0, p.seed_s))
    return tuple(ports)


def two_streams(source: str, width: int, state, x, y):
    """Bits of two decorrelated SNG streams and their sources' next values.

    ``"lfsr"``: ``ra < x`` (table taps) and ``rb < y`` (mirrored taps); ``"vdc"``: one
    counter, compared bit-reversed with ``x`` and straight with ``y``.

    Returns
    -------
    a, b : numpy.ndarray of bool
    sources : tuple of numpy.ndarray
        Next ``(ra, rb)`` or ``(count,)``.
    """
    x = np.asarray(x, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    if source == "vdc":
        return (sc.bit_reverse(state.count, width) < x, state.count < y,
                ((state.count + 1) & ((1 << width) - 1),))
    return (state.ra < x, state.rb < y,
            (sc.lfsr_next(state.ra, width), sc.lfsr_next(state.rb, width, mirror=True)))


@cache
def state_type(names: tuple[str, ...]) -> type:
    """The state NamedTuple for these register names (one class per set)."""
    return NamedTuple("SCState_" + "_".join(names), [(n, np.ndarray) for n in names])


def initial_state(params, n: int):
    """Reset state of any SC block: every register at its port's reset value."""
    ports = params.state_ports()
    return state_type(tuple(s.name for s in ports))(
        *(np.full(n, s.reset, dtype=np.int64) for s in ports))
