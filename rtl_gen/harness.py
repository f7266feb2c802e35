"""Place-and-route harness: a neuron unit behind serial I/O, for Fmax measurement.

A unit's ports (e.g. 52 data pins for a 16-bit Izhikevich) exceed small packages such as
the UP5K's SG48. The harness shifts all inputs in through ``sin``, applies them from a
register when ``load`` is high, and captures every state bit into a shift register that
drains through ``sout``: 6 pins plus the clock, no logic optimized away, and the unit's
own register -> datapath -> register path is what sets Fmax.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .core import NeuronCore
from .hardware import unit_state_ports
from .unit import build_unit

__all__ = ["CoreHarness", "SerialHarness"]


class SerialHarness(wiring.Component):
    """Serial-I/O wrapper around :class:`NeuronUnit` (timing measurement only).

    Parameters
    ----------
    params : object
        Keyword-only; a registered model's ``Params``.
    variant : str, optional
        Keyword-only; a registered hardware variant of the unit.

    Attributes
    ----------
    sin : In(1)
        Serial input bits, shifted into the input register every cycle.
    load : In(1)
        Apply the shifted input word to the unit and capture its state for shifting out.
    en : In(1)
        The unit's update enable.
    sout : Out(1)
        Serial state bits.
    spike : Out(1)
        The unit's spike.
    """

    def __init__(self, *, params, variant: str | None = None):
        self.params = params
        self.unit = build_unit(params, variant)
        self.states = unit_state_ports(params, variant)
        super().__init__({"sin": In(1), "load": In(1), "en": In(1), "sout": Out(1),
                          "spike": Out(1)})

    def elaborate(self, platform) -> Module:
        """Shift registers around the unit."""
        m = Module()
        m.submodules.unit = unit = self.unit
        inputs = [getattr(unit, p.name) for p in self.params.input_ports()]
        states = [getattr(unit, p.name) for p in self.states]
        in_word = Cat(*inputs)
        shift_in = Signal(len(in_word))
        applied = Signal(len(in_word))
        shift_out = Signal(len(Cat(*states)))
        m.d.sync += shift_in.eq(Cat(self.sin, shift_in[:-1]))
        with m.If(self.load):
            m.d.sync += [applied.eq(shift_in), shift_out.eq(Cat(*states))]
        with m.Else():
            m.d.sync += shift_out.eq(shift_out >> 1)
        m.d.comb += [in_word.eq(applied), unit.en.eq(self.en), self.sout.eq(shift_out[0]),
                     self.spike.eq(unit.spike)]
        return m


class CoreHarness(wiring.Component):
    """Serial-I/O wrapper around :class:`~rtl_gen.core.NeuronCore` (timing measurement).

    The core's wide inputs (bus address and data, input source) shift in through ``sin``
    and are applied on ``load``; its wide outputs (output event, read data, timestep)
    are captured on ``load`` and shift out through ``sout``. The one-bit controls and
    flags are registered pins. 14 pins plus the clock.

    Parameters
    ----------
    config : neurocore_hw.network.CoreConfig, optional
        Keyword-only; the core.
    core : wiring.Component, optional
        Keyword-only; instead of ``config``, any design with the core's ports (a
        :class:`~rtl_gen.chain.CoreChain`).
    pipelined : bool
        Keyword-only; the core with the model's pipelined datapath.
    levels : int
        Keyword-only; adder levels per stage of that datapath.
    """

    _CONTROLS = ("start", "in_valid", "out_ready", "bus_we", "bus_re")
    _FLAGS = ("busy", "done", "in_ready", "out_valid", "bus_rvalid")

    def __init__(self, *, config=None, core=None, pipelined: bool = False, levels: int = 2):
        if (config is None) == (core is None):
            raise TypeError("CoreHarness takes config= or core=, exactly one")
        self.core = (NeuronCore(config=config, pipelined=pipelined, levels=levels)
                     if core is None else core)
        members = {"sin": In(1), "load": In(1), "sout": Out(1)}
        members.update({name: In(1) for name in self._CONTROLS})
        members.update({f"{name}_o": Out(1) for name in self._FLAGS})
        super().__init__(members)

    def elaborate(self, platform) -> Module:
        """Registered controls and flags, shift registers for the wide ports."""
        m = Module()
        m.submodules.core = core = self.core
        for name in self._CONTROLS:
            m.d.sync += getattr(core, name).eq(getattr(self, name))
        for name in self._FLAGS:
            m.d.sync += getattr(self, f"{name}_o").eq(getattr(core, name))
        in_word = Cat(core.bus_addr, core.bus_wdata, core.in_source)
        out_word = Cat(core.out_neuron, core.out_time, core.bus_rdata, core.timestep)
        shift_in = Signal(len(in_word))
        applied = Signal(len(in_word))
        shift_out = Signal(len(out_word))
        m.d.sync += shift_in.eq(Cat(self.sin, shift_in[:-1]))
        with m.If(self.load):
            m.d.sync += [applied.eq(shift_in), shift_out.eq(out_word)]
        with m.Else():
            m.d.sync += shift_out.eq(shift_out >> 1)
        m.d.comb += [in_word.eq(applied), self.sout.eq(shift_out[0])]
        return m
