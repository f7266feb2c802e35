"""The model contract: what a neuron model declares, and the defaults that cover the rest.

A model file (one per family, under :mod:`neurocore_hw.models`) defines

- a frozen ``Params`` dataclass that validates itself and describes its ports:
  ``input_ports()`` and ``state_ports()`` return :class:`PortSpec` tuples (the reset value
  of every state register is in its PortSpec);
- a ``State`` NamedTuple with one integer array per state port, in the same order;
- a pure bit-true ``step(params, state, **inputs) -> (state, spike)``;
- named ``PRESETS`` (the first is the default), and
- ``MODEL = Model(...)``, naming the above plus what is optional: a float64
  ``reference``, an in-place engine ``kernel``, a ``block_kernel`` fast path, a
  ``float_kernel`` for the layered network, a custom ``initial_state``, and a real-unit
  form ``real``.

Creating the :class:`Model` binds it to its Params class: ``params.model`` is the model
of any ``Params`` instance. :mod:`neurocore_hw.registry` lists the model files; the
hardware side (``rtl_gen``) finds each model's hardware by the same file name and never
appears here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

__all__ = ["Model", "ModelParams", "PortSpec", "StatefulModel", "StepKernel", "model_of"]


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


class ModelParams:
    """Base of every model's frozen ``Params`` dataclass: the optional parts of the
    contract, with their defaults. A model's Params overrides what it has.

    ``input_ports()`` and ``state_ports()`` are required (no default).
    """

    #: The :class:`Model` these parameters belong to (bound when the Model is created).
    model = None

    def typical_inputs(self) -> dict[str, tuple[int, int]]:
        """Input code ranges of typical operation, per input port, for the realistic part
        of random stimulus; default: none (the full range of every port)."""
        return {}

    def state_limits(self) -> dict[str, tuple[int, int]]:
        """Reachable ranges of state fields narrower than their register (e.g. a
        refractory counter up to the period); default: none."""
        return {}

    def real_values(self) -> dict[str, object]:
        """The real value each integer parameter stands for; default: none."""
        return {}

    def constants(self) -> dict[str, object]:
        """Integer constants derived from real parameters, as ``QuantizedValue`` (or
        tuples of them), with their quantization errors; default: none."""
        return {}

    @property
    def fires(self) -> bool:
        """Whether the neuron can spike; default: yes. A readout (``li``, ``cuba_lif``
        with ``reset="none"``) never does: in a network its output is :attr:`readout`."""
        return True

    @property
    def readout(self) -> str:
        """The state register that is a non-firing neuron's output; default: the first."""
        return self.state_ports()[0].name


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


@dataclass(frozen=True)
class Model:
    """Everything the engine, the generators, the benches and the CLI need of a model.

    Parameters
    ----------
    name : str
        Registered (CLI) name.
    summary : str
        One line for ``neurocore-hw list``.
    params_cls : type
        Frozen ``Params`` dataclass; after construction ``params_cls.model`` is this model.
    state_cls : type
        ``State`` NamedTuple, one field per state port in the same order.
    presets : Mapping[str, object]
        Named ``Params`` instances; the first is the default.
    step : callable
        Pure bit-true ``step(params, state, **inputs) -> (state, spike)``.
    reference : callable, optional
        Float64 ideal dynamics ``reference(params, *inputs)``.
    kernel : callable, optional
        ``kernel(params, n)`` returning an in-place updater ``(state, spike, **inputs)``;
        default: :class:`StepKernel` around ``step``.
    block_kernel : callable, optional
        ``block_kernel(params, n)`` returning the engine's fast path for a block of ``n``
        neurons, or None where the parameters need the general kernel. The object has
        ``load(state)``, ``store(state)``, ``prepare(**inputs)`` (the state-independent
        input side of a chunk of steps, inputs ``[T, n]``) and ``run(prepared, spikes)``.
    float_kernel : callable, optional
        ``float_kernel(params, n)`` returning a step on float64 arrays that hold the
        integer codes exactly, or None where the parameters need the integer kernel. The
        object has ``load(state)`` (int state -> float64 arrays), ``store(fstate)`` (->
        int64 state) and ``__call__(fstate, spike, drive)``, where ``drive`` is the
        (first) input times ``input_scale``, the object's attribute (a float array of
        exact integers). The layered network folds ``input_scale`` into its weights.
    initial_state : callable, optional
        ``initial_state(params, n) -> state``; default: every state port at its PortSpec
        reset value, int64.
    real : type, optional
        Real-unit form of the parameters: a :class:`neurocore_hw.real.RealModel` subclass
        (``quantize(format, base) -> (params, errors)``, ``from_params(params)``).
    parallel : callable, optional
        Parallel-in-time golden path for models whose state trajectory does not depend on
        the spikes: ``parallel(params, **inputs[T, N], exact=True) -> (spikes, traces)``
        (``traces``: state field -> ``[T, N]``), a scan over time instead of a loop.
    parallel_exact : callable, optional
        ``parallel_exact(params) -> bool``: whether ``parallel`` equals the step loop bit
        for bit for these parameters (with ``exact=True`` it raises where it does not).
    """

    name: str
    summary: str
    params_cls: type
    state_cls: type
    presets: Mapping[str, object]
    step: Callable
    reference: Callable | None = None
    kernel: Callable | None = None
    block_kernel: Callable | None = None
    float_kernel: Callable | None = None
    initial_state: Callable | None = None
    real: type | None = None
    parallel: Callable | None = None
    parallel_exact: Callable | None = None

    def __post_init__(self):
        if not self.presets:
            raise ValueError(f"model {self.name!r} needs at least one preset")
        for key, preset in self.presets.items():
            if not isinstance(preset, self.params_cls):
                raise TypeError(f"preset {key!r} of model {self.name!r} is not a "
                                f"{self.params_cls.__name__}")
        if not issubclass(self.params_cls, ModelParams):
            raise TypeError(f"{self.params_cls.__name__} must derive from ModelParams")
        bound = self.params_cls.__dict__.get("model")
        if bound is not None and bound.name != self.name:
            raise ValueError(f"{self.params_cls.__name__} already belongs to model "
                             f"{bound.name!r}")
        object.__setattr__(self, "presets", MappingProxyType(dict(self.presets)))
        if self.kernel is None:
            object.__setattr__(self, "kernel", self._step_kernel)
        if self.initial_state is None:
            object.__setattr__(self, "initial_state", self._reset_state)
        self.params_cls.model = self
        if self.real is not None:
            self.real.params_cls = self.params_cls

    @property
    def default_preset(self) -> str:
        """Name of the default preset (the first one)."""
        return next(iter(self.presets))

    @property
    def module(self) -> str:
        """File name of the model (``lif``, ``if_neuron``, ...): the hardware side's too."""
        return self.params_cls.__module__.rsplit(".", 1)[-1]

    def _step_kernel(self, params, n: int) -> StepKernel:
        return StepKernel(params, self.step)

    def _reset_state(self, params, n: int):
        return self.state_cls(*(np.full(n, port.reset, dtype=np.int64)
                                for port in params.state_ports()))


def model_of(params) -> Model:
    """The :class:`Model` of a ``Params`` instance.

    Raises
    ------
    TypeError
        If ``params`` is not the Params of a model.
    """
    model = type(params).model if isinstance(params, ModelParams) else None
    if not isinstance(model, Model):
        raise TypeError(f"{type(params).__name__} is not the Params of a registered model")
    return model


class StatefulModel:
    """Stateful population of any model: ``StatefulModel(params, n).step(i_in=...)``.

    Parameters
    ----------
    params : object
        A model's validated ``Params``.
    n : int
        Number of neurons.

    Attributes
    ----------
    state : NamedTuple
        Current state (one integer array of length ``n`` per field); its fields are also
        attributes (``population.v``).
    """

    def __init__(self, params, n: int = 1):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        self.model = model_of(params)
        self.params = params
        self.n = int(n)
        self.state = self.model.initial_state(params, self.n)

    def reset(self) -> None:
        """Return every neuron to the model's reset state."""
        self.state = self.model.initial_state(self.params, self.n)

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
        self.state, spike = self.model.step(self.params, self.state, **inputs)
        return spike

    def __getattr__(self, name: str) -> np.ndarray:
        state: Mapping = object.__getattribute__(self, "state")._asdict()
        if name in state:
            return state[name]
        raise AttributeError(name)
