"""Helpers shared by the stochastic-computing blocks: seed checks, source-register
ports and the state type built from them."""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import numpy as np

from .. import sc
from ..fixed import check_choice, check_int
from ..model import PortSpec

__all__ = ["check_sources", "initial_state", "source_ports", "state_type", "two_streams"]


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
