"""Model-agnostic registered neuron unit around any registered model's datapath.

The unit owns the state registers (reset to each state port's ``reset`` value by the
synchronous ``rst`` of the ``sync`` domain), gates updates with ``en`` and registers the
spike. After a rising edge with ``en`` high, every state output equals the golden
model's state after one ``step``; with ``en`` low the state holds and ``spike`` is 0.
"""

from __future__ import annotations

from amaranth.hdl import Module, Shape, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from neurocore_hw.models.base import PortSpec
from neurocore_hw.registry import MODELS, check_variant, model_for_params, resolve

__all__ = ["NeuronUnit", "build_unit", "datapath_for", "pipelined_datapath_for",
           "port_shape"]


def port_shape(port: PortSpec) -> Shape:
    """Amaranth shape of a :class:`~neurocore_hw.models.base.PortSpec`."""
    return signed(port.width) if port.signed else unsigned(port.width)


def datapath_for(params) -> wiring.Component:
    """Instantiate the registered datapath component for ``params``."""
    return resolve(model_for_params(params).hardware)(params=params)


def pipelined_datapath_for(params, levels: int = 2) -> wiring.Component:
    """Instantiate the registered pipelined datapath for ``params`` (the datapath's ports,
    outputs ``latency`` clocks after their inputs).

    Raises
    ------
    ValueError
        If the model registers none.
    """
    entry = model_for_params(params)
    if entry.pipelined_datapath is None:
        with_one = [e.name for e in MODELS.values() if e.pipelined_datapath]
        raise ValueError(f"model {entry.name!r} has no pipelined datapath; models with "
                         f"one: {', '.join(with_one)}")
    return resolve(entry.pipelined_datapath)(params=params, levels=levels)


def build_unit(params, variant: str | None = None) -> wiring.Component:
    """The registered unit for ``params``: a :class:`NeuronUnit`, or a named variant."""
    entry = model_for_params(params)
    check_variant(entry, variant)
    if variant is None:
        return NeuronUnit(params=params)
    return resolve(entry.variants[variant][0])(params=params)


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
        members = {"en": In(1)}
        members.update({p.name: In(port_shape(p)) for p in self._inputs})
        members["spike"] = Out(1)
        members.update({s.name: Out(port_shape(s), init=s.reset) for s in self._states})
        super().__init__(members)

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
