"""Helpers shared by the stochastic-computing blocks: seed checks, source-register
ports and the state type built from them."""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import numpy as np

from .. import sc
from ..fixed import check_choice, check_int
from .base import PortSpec

__all__ = ["check_sources", "initial_state", "source_ports", "state_type"]


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


@cache
def state_type(names: tuple[str, ...]) -> type:
    """The state NamedTuple for these register names (one class per set)."""
    return NamedTuple("SCState_" + "_".join(names), [(n, np.ndarray) for n in names])


def initial_state(params, n: int):
    """Reset state of any SC block: every register at its port's reset value."""
    ports = params.state_ports()
    return state_type(tuple(s.name for s in ports))(
        *(np.full(n, s.reset, dtype=np.int64) for s in ports))
