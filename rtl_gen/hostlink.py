"""A neuron behind a UART host link: input currents in, spikes and state out.

Byte protocol (8N1, one frame per neuron step, all multi-byte values little-endian):

* host -> FPGA, one *input frame*: every input port in ``params.input_ports()`` order,
  each as ``ceil(width / 8)`` bytes of its two's-complement (or unsigned) code; the FPGA
  uses the low ``width`` bits.
* FPGA -> host, after the last byte of an input frame, one *output frame*: a byte whose
  bit 0 is the step's spike, then every state port in ``params.state_ports()`` order as
  ``ceil(width / 8)`` bytes, sign-extended (signed ports) or zero-extended.

The frame lengths are fixed by the parameters (``HostLink.frame_sizes``); reset (the
board's button) restarts the receiver at the first byte of a frame and the neuron at its
reset state. The host must read a whole output frame before it sends the next input frame.
Multi-clock hardware variants (e.g. Izhikevich ``pipelined``) work the same way: the output
frame is captured when the unit's ``busy`` falls, so the host sees no difference but time.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from neurocore_hw.hostlink import field_bytes, frame_sizes

from .hardware import unit_state_ports
from .uart import UARTRx, UARTTx
from .unit import build_unit

__all__ = ["HostLink", "hostlink_verilog"]


class HostLink(wiring.Component):
    """Neuron unit + UART receiver/transmitter + frame sequencing.

    Parameters
    ----------
    params : object
        Keyword-only; a registered model's ``Params``.
    divisor : int
        Keyword-only; clocks per UART bit.
    variant : str, optional
        Keyword-only; a registered hardware variant of the unit.

    Attributes
    ----------
    rx : In(1)
        UART input from the host.
    tx : Out(1)
        UART output to the host.
    spike : Out(1)
        The unit's spike (one clock per firing step), e.g. for an LED.
    """

    def __init__(self, *, params, divisor: int, variant: str | None = None):
        if unit_state_ports(params, variant) != params.state_ports():
            raise ValueError(f"the host link sends every state register after a step; the "
                             f"{params.model.name} {variant} unit keeps part of its state in "
                             "memory (co-simulate it with `neurocore-hw cosim`)")
        self.params = params
        self.unit = build_unit(params, variant)
        self.uart_rx = UARTRx(divisor=divisor)
        self.uart_tx = UARTTx(divisor=divisor)
        super().__init__({"rx": In(1, init=1), "tx": Out(1, init=1), "spike": Out(1)})

    def elaborate(self, platform) -> Module:
        """Collect an input frame, step the unit once, send the output frame."""
        m = Module()
        m.submodules.unit = unit = self.unit
        m.submodules.uart_rx = urx = self.uart_rx
        m.submodules.uart_tx = utx = self.uart_tx
        n_in, n_out = frame_sizes(self.params)
        in_buf = Signal(8 * n_in)
        out_buf = Signal(8 * n_out)
        rx_count = Signal(range(n_in + 1))
        tx_count = Signal(range(n_out + 1))
        step = Signal()
        pending = Signal()  # a step was started and its output frame not yet captured
        capture = Signal()
        # multi-clock variants have busy
        busy = unit.busy if "busy" in unit.signature.members else Const(0, 1)
        m.d.comb += [urx.rx.eq(self.rx), self.tx.eq(utx.tx), self.spike.eq(unit.spike),
                     unit.en.eq(step)]
        offset = 0
        for port in self.params.input_ports():
            m.d.comb += getattr(unit, port.name).eq(in_buf[offset:offset + port.width])
            offset += 8 * field_bytes(port.width)
        parts = [Cat(unit.spike, Const(0, 7))]
        for port in self.params.state_ports():
            wide = Signal(8 * field_bytes(port.width), name=f"resp_{port.name}")
            m.d.comb += wide.eq(getattr(unit, port.name))  # extends by the port's sign
            parts.append(wide)
        m.d.comb += capture.eq(pending & ~busy)
        m.d.sync += step.eq(0)
        with m.If(step):
            m.d.sync += pending.eq(1)
        with m.Elif(capture):
            m.d.sync += pending.eq(0)
        with m.If(urx.valid):
            m.d.sync += in_buf.word_select(rx_count, 8).eq(urx.data)
            with m.If(rx_count == n_in - 1):
                m.d.sync += [rx_count.eq(0), step.eq(1)]
            with m.Else():
                m.d.sync += rx_count.eq(rx_count + 1)
        with m.If(capture):
            m.d.sync += [out_buf.eq(Cat(*parts)), tx_count.eq(n_out)]
        with m.Elif((tx_count != 0) & utx.ready):
            m.d.comb += utx.start.eq(1)
            m.d.sync += [out_buf.eq(out_buf >> 8), tx_count.eq(tx_count - 1)]
        m.d.comb += utx.data.eq(out_buf[:8])
        return m


def hostlink_verilog(params, divisor: int, variant: str | None = None) -> tuple[str, str]:
    """Verilog of a :class:`HostLink` (ports ``clk``, ``rst``, ``rx``, ``tx``, ``spike``)
    and its top module name."""
    from amaranth.back import verilog

    name = params.model.name + (f"_{variant}" if variant else "")
    top = f"neurocore_hostlink_{name}"
    link = HostLink(params=params, divisor=divisor, variant=variant)
    return verilog.convert(link, name=top, emit_src=False), top
