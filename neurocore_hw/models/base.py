"""Pieces every neuron model shares: port descriptions and a stateful wrapper.

A model module (one per neuron family) provides a frozen ``Params`` dataclass, a
``State`` NamedTuple of integer arrays, ``initial_state(params, n)``, a pure bit-true
``step(params, state, **inputs) -> (state, spike)``, a float64 ``reference()`` and
named ``PRESETS``. ``Params`` describes its ports through :class:`PortSpec` so that the
engine, the RTL wrapper, the co-simulation bench and the CLI need no per-model code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np

__all__ = ["PortSpec", "StatefulModel", "StepKernel"]


class PortSpec(NamedTuple):
    """Width and number format of one input, output or state signal.

    Attributes
    ----------
    name : str
        Port name; the same in the golden model, the RTL and the Verilog.
    width : int
        Width in bits.
    signed : bool
        Two's complement if true.
    frac : int
        Fractional bits: the integer ``x`` stands for ``x / 2**frac``.
    reset : int
        Value after reset (state registers only; 0 for inputs and outputs).
    """

    name: str
    width: int
    signed: bool = True
    frac: int = 0
    reset: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the description as a JSON-ready dict (without the name)."""
        return {"width": self.width, "signed": self.signed, "frac": self.frac,
                "reset": self.reset}


class StatefulModel:
    """Thin stateful wrapper around a model's pure ``step``.

    Parameters
    ----------
    params : object
        The model's validated ``Params``.
    n : int
        Number of neurons.
    step : callable
        ``step(params, state, **inputs) -> (state, spike)``.
    initial_state : callable
        ``initial_state(params, n) -> state``.

    Attributes
    ----------
    state : NamedTuple
        Current state (one integer array of length ``n`` per field).
    """

    def __init__(self, params, n: int, *, step: Callable, initial_state: Callable):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        self.params = params
        self.n = int(n)
        self._step = step
        self._initial_state = initial_state
        self.state = initial_state(params, self.n)

    def reset(self) -> None:
        """Return every neuron to the model's reset state."""
        self.state = self._initial_state(self.params, self.n)

    def step(self, **inputs: Any) -> np.ndarray:
        """Advance one time step.

        Parameters
        ----------
        **inputs : int or numpy.ndarray
            One integer (array) per input port; missing ports are zero.

        Returns
        -------
        numpy.ndarray of bool
            Which neurons spiked.
        """
        self.state, spike = self._step(self.params, self.state, **inputs)
        return spike

    def __getattr__(self, name: str) -> np.ndarray:
        state: Mapping = object.__getattribute__(self, "state")._asdict()
        if name in state:
            return state[name]
        raise AttributeError(name)


class StepKernel:
    """Engine kernel built from a pure ``step``: the result is copied into the state.

    Correct for any model; it allocates per step, so models on the engine's hot path
    provide a dedicated in-place kernel instead.

    Parameters
    ----------
    params : object
        The model's ``Params``.
    step : callable
        ``step(params, state, **inputs) -> (state, spike)``.
    """

    def __init__(self, params, step: Callable):
        self.params = params
        self._step = step

    def __call__(self, state: tuple, spike: np.ndarray, **inputs) -> None:
        """Advance ``state`` (a NamedTuple of arrays) and ``spike`` in place."""
        new_state, new_spike = self._step(self.params, state, **inputs)
        for old, new in zip(state, new_state):
            np.copyto(old, new)
        np.copyto(spike, new_spike)
