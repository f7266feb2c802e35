"""The hardware side of the model contract.

A model's hardware file, ``rtl_gen/<model file>.py`` (the same file name as its golden
model under :mod:`neurocore_hw.models`), declares ``HARDWARE = Hardware(...)``: which
``Params`` class it implements, its combinational datapath, optionally a pipelined
datapath for the population core, and its variants (alternative units) with their
cycle-level models. :func:`hardware_for` finds it from a ``Params`` object.

Every datapath has the ports :func:`datapath_signature` derives from the model's
PortSpecs: each state ``s`` and input in, ``s_next`` and ``spike`` out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from types import MappingProxyType

from amaranth.hdl import Shape, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from neurocore_hw.model import PortSpec, model_of

__all__ = ["Hardware", "Variant", "check_params", "datapath_signature", "hardware_for",
           "multicycle_clocks", "port_shape", "unit_signature", "unit_state_ports"]


@dataclass(frozen=True)
class Variant:
    """An alternative neuron unit of a model.

    Parameters
    ----------
    unit : type
        Component class, constructor ``(params=)``, with the ports of
        :class:`~rtl_gen.unit.NeuronUnit` (plus ``busy`` where ``busy`` is true).
    cycle_model : callable
        ``cycle_model(params, *inputs, en=, rst=) -> {"spike": [C], <state>: [C]}``: the
        unit's outputs after every clock, built from the golden step.
    busy : bool
        Whether the unit has a ``busy`` output (a step in flight).
    summary : str
        One line for help texts.
    outputs : callable, optional
        ``outputs(params) -> tuple of PortSpec``: the unit's state outputs, compared on
        every clock, where they are not ``params.state_ports()`` (a unit holding part of
        its state in memory shows it through other ports; see :func:`unit_state_ports`).
    """

    unit: type
    cycle_model: Callable
    busy: bool
    summary: str = ""
    outputs: Callable | None = None


@dataclass(frozen=True)
class Hardware:
    """What a model's hardware file declares.

    Parameters
    ----------
    params_cls : type
        The ``Params`` class this hardware implements.
    datapath : type
        Combinational datapath component, constructor ``(params=)``, ports from
        :func:`datapath_signature`.
    pipelined_datapath : type, optional
        The datapath's ports, free-running registers, outputs ``latency`` clocks after
        their inputs; constructor ``(params=, levels=)``.
    variants : Mapping[str, Variant]
        Alternative units by name.
    """

    params_cls: type
    datapath: type
    pipelined_datapath: type | None = None
    variants: Mapping[str, Variant] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "variants", MappingProxyType(dict(self.variants)))

    def check_variant(self, variant: str | None) -> Variant | None:
        """The named variant (None for the one-step-per-clock unit).

        Raises
        ------
        ValueError
            Unknown variant (the message lists the model's).
        """
        if variant is None:
            return None
        if variant not in self.variants:
            known = ", ".join(self.variants) or "none"
            raise ValueError(f"unknown variant {variant!r} for model "
                             f"{self.params_cls.model.name!r}; variants: {known}")
        return self.variants[variant]


def hardware_for(params) -> Hardware:
    """The :class:`Hardware` of the model ``params`` belongs to.

    Raises
    ------
    TypeError
        If ``params`` is not a model's, or its hardware file implements another class.
    """
    model = model_of(params)
    hardware = import_module(f"{__package__}.{model.module}").HARDWARE
    if hardware.params_cls is not type(params):
        raise TypeError(f"rtl_gen.{model.module} implements "
                        f"{hardware.params_cls.__name__}, not {type(params).__name__}")
    return hardware


def check_params(component: str, params, cls: type) -> None:
    """TypeError unless ``params`` is a ``cls`` (the keyword-only ``params=`` check)."""
    if not isinstance(params, cls):
        raise TypeError(f"{component}: params must be {cls.__name__}, got "
                        f"{type(params).__name__}")


def port_shape(port: PortSpec) -> Shape:
    """Amaranth shape of a :class:`~neurocore_hw.model.PortSpec`."""
    return signed(port.width) if port.signed else unsigned(port.width)


def datapath_signature(params) -> wiring.Signature:
    """Ports of a datapath: states and inputs in; ``<state>_next`` and ``spike`` out."""
    members = {s.name: In(port_shape(s)) for s in params.state_ports()}
    members.update({p.name: In(port_shape(p)) for p in params.input_ports()})
    members.update({s.name + "_next": Out(port_shape(s)) for s in params.state_ports()})
    members["spike"] = Out(1)
    return wiring.Signature(members)


def unit_state_ports(params, variant: str | None = None) -> tuple[PortSpec, ...]:
    """The state outputs of the unit ``variant`` (None: the single-cycle unit): the
    model's ``state_ports()`` unless the variant declares its own ``outputs``."""
    chosen = hardware_for(params).check_variant(variant)
    if chosen is None or chosen.outputs is None:
        return params.state_ports()
    return tuple(chosen.outputs(params))


def unit_signature(params, *, busy: bool = False,
                   states: tuple[PortSpec, ...] | None = None) -> wiring.Signature:
    """Ports of a neuron unit: ``en`` and the inputs in; ``spike``, the state registers
    (initial value = the PortSpec reset; ``states``, default ``params.state_ports()``)
    and, for multi-clock units, ``busy`` out."""
    members = {"en": In(1)}
    members.update({p.name: In(port_shape(p)) for p in params.input_ports()})
    members["spike"] = Out(1)
    states = params.state_ports() if states is None else states
    members.update({s.name: Out(port_shape(s), init=s.reset) for s in states})
    if busy:
        members["busy"] = Out(1)
    return wiring.Signature(members)


def multicycle_clocks(step: Callable, init, i_in, en, rst, cycles: int):
    """The clocks of a unit that takes ``cycles`` clocks per step, for cycle models.

    A step starts on a clock with ``phase`` 0 and ``en`` high (``i_in`` is latched
    then); ``cycles - 1`` clocks later it completes: ``step(state, i_lat) -> (state,
    fired)`` and ``spike`` (a one-clock pulse) are updated. ``en`` is ignored while a
    step is in flight; ``rst`` returns everything to reset at once.

    Yields
    ------
    state, phase, spike
        After each clock: the state (``init`` type), the clock within the step (0: idle
        or just finished) and the spike as an int.
    """
    state, phase, spike, i_lat = init, 0, 0, i_in[:1]
    for c in range(len(i_in)):
        if rst[c]:
            state, phase, spike = init, 0, 0
        elif phase == 0:
            spike = 0
            if en[c]:
                i_lat, phase = i_in[c:c + 1], 1
        elif phase == cycles - 1:
            state, fired = step(state, i_lat)
            spike, phase = int(fired[0]), 0
        else:
            phase += 1
        yield state, phase, spike
