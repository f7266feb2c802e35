"""Seeded stimulus for co-simulation: realistic, full-range and extreme inputs, with
reset pulses and clock-enable gaps.

The sequence is built from segments of random length; each segment takes one mode:

* ``realistic`` -- the model's ``typical_inputs()`` range where it declares one, else
  small signed values, about +-2.0 in the port's ``Q`` format and mostly positive, so
  that neurons integrate, fire and go refractory;
* ``full`` -- uniform over each port's whole range;
* ``extreme`` -- values drawn from {min, min+1, -1, 0, 1, max-1, max};
* ``pinned`` -- every input held at its minimum or its maximum (drives overflow and
  saturation paths).

``en`` is low in short gaps (about 10% of cycles); ``rst`` is high on cycle 0 and in rare
single-cycle pulses.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .fixed import int_range

__all__ = ["Stimulus", "make_stimulus"]

_MODES = ("realistic", "full", "extreme", "pinned")


class Stimulus(NamedTuple):
    """One cycle-by-cycle stimulus for a single neuron.

    Attributes
    ----------
    inputs : dict of str to numpy.ndarray of int64, shape (C,)
        One array per input port.
    en : numpy.ndarray of bool, shape (C,)
        Update enable.
    rst : numpy.ndarray of bool, shape (C,)
        Synchronous reset.
    seed : int
        Seed the stimulus was drawn with.
    """

    inputs: dict[str, np.ndarray]
    en: np.ndarray
    rst: np.ndarray
    seed: int


def make_stimulus(params, cycles: int, seed: int) -> Stimulus:
    """Draw a mixed stimulus for ``params``' input ports.

    Parameters
    ----------
    params : object
        A registered model's ``Params`` (its ``input_ports()`` give widths and formats).
    cycles : int
        Number of cycles, >= 1.
    seed : int
        Seed for :func:`numpy.random.default_rng`; same seed, same stimulus.

    Returns
    -------
    Stimulus
    """
    if isinstance(cycles, bool) or not isinstance(cycles, (int, np.integer)) or cycles < 1:
        raise ValueError(f"cycles must be a positive integer, got {cycles!r}")
    rng = np.random.default_rng(seed)
    ports = params.input_ports()
    typical = params.typical_inputs()
    inputs = {p.name: np.zeros(cycles, dtype=np.int64) for p in ports}
    start = 0
    while start < cycles:
        length = min(int(rng.integers(16, 1024)), cycles - start)
        mode = _MODES[rng.choice(4, p=(0.55, 0.2, 0.15, 0.1))]
        seg = slice(start, start + length)
        for i, p in enumerate(ports):
            lo, hi = int_range(p.width, p.signed)
            if mode == "realistic" and p.name in typical:
                values = rng.integers(*typical[p.name], length, endpoint=True)
            elif mode == "realistic":
                scale = 1 << min(p.frac + 1, p.width - 1 - p.signed)
                lo_r = -scale // 4 if (p.signed and i == 0) else -scale // 16
                values = rng.integers(lo_r, scale, length, endpoint=True)
                if i > 0:  # secondary inputs (noise) stay small
                    values //= 8
            elif mode == "full":
                values = rng.integers(lo, hi, length, endpoint=True)
            elif mode == "extreme":
                corners = np.array(sorted({lo, lo + 1, -1 if p.signed else 0, 0, 1,
                                           hi - 1, hi}))
                values = rng.choice(corners, length)
            else:
                values = np.full(length, hi if rng.random() < 0.5 else lo)
            inputs[p.name][seg] = np.clip(values, lo, hi)
        start += length
    en = np.ones(cycles, dtype=bool)
    for _ in range(max(1, cycles // 200)):
        at = int(rng.integers(0, cycles))
        en[at:at + int(rng.integers(1, 40))] = False
    rst = rng.random(cycles) < 1.0 / 2000
    rst[0] = True
    return Stimulus(inputs, en, rst, int(seed))
