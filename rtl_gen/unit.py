"""Model-agnostic registered neuron unit around any registered model's datapath.

The unit owns the state registers (reset to each state port's ``reset`` value by the
synchronous ``rst`` of the ``sync`` domain), gates updates with ``en`` and registers the
spike. After a rising edge with ``en`` high, every state output equals the golden
model's state after one ``step``; with ``en`` low the state holds and ``spike`` is 0.
"""

from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib import wiring

from neurocore_hw.registry import MODELS

from .hardware import hardware_for, unit_signature

__all__ = ["NeuronUnit", "build_unit", "datapath_for", "pipelined_datapath_for"]


def datapath_for(params) -> wiring.Component:
    """Instantiate the model's datapath component for ``params``."""
    return hardware_for(params).datapath(params=params)


def pipelined_datapath_for(params, levels: int = 2) -> wiring.Component:
    """Instantiate the model's pipelined datapath for ``params`` (the datapath's ports,
    outputs ``latency`` clocks after their inputs).

    Raises
    ------
    ValueError
        If the model has none.
    """
    hardware = hardware_for(params)
    if hardware.pipelined_datapath is None:
        with_one = [name for name, model in MODELS.items() if hardware_for(
            model.presets[model.default_preset]).pipelined_datapath is not None]
        raise ValueError(f"model {params.model.name!r} has no pipelined datapath; models "
                         f"with one: {', '.join(with_one)}")
    return hardware.pipelined_datapath(params=params, levels=levels)


def build_unit(params, variant: str | None = None) -> wiring.Component:
    """The unit for ``params``: a :class:`NeuronUnit`, or a named variant."""
    chosen = hardware_for(params).check_variant(variant)
    if chosen is None:
        return NeuronUnit(params=params)
    return chosen.unit(params=params)


class NeuronUnit(wiring.Component):
    """One neuron: datapath plus state registers, clock enable and spike register.

    Parameters
    ----------
    params : object
        Keyword-only; a registered model's ``Params``.

    Attributes
    ----------
    en : In(1)
        Update enable; the state holds while low.
    <input ports> : In
        The model's inputs (e.g. ``i_in``, ``noise_in``), as in ``params.input_ports()``.
    spike : Out(1)
        Registered: the spike of the step taken on the last rising edge (0 if none).
    <state ports> : Out
        Registered state (e.g. ``v``, ``refrac``), as in ``params.state_ports()``.
    """

    def __init__(self, *, params):
        self.datapath = datapath_for(params)
        self.params = params
        self._inputs = params.input_ports()
        self._states = params.state_ports()
        super().__init__(unit_signature(params))

    def elaborate(self, platform) -> Module:
        """Wire the datapath between the input ports and the state registers."""
        m = Module()
        m.submodules.datapath = dp = self.datapath
        for port in self._inputs + self._states:
            m.d.comb += getattr(dp, port.name).eq(getattr(self, port.name))
        m.d.sync += self.spike.eq(0)
        with m.If(self.en):
            m.d.sync += self.spike.eq(dp.spike)
            for s in self._states:
                m.d.sync += getattr(self, s.name).eq(getattr(dp, s.name + "_next"))
        return m
