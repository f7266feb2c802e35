"""8N1 UART receiver and transmitter (LSB first, one start and one stop bit).

``divisor`` is the number of clocks per bit (``round(f_clk / baud)``, >= 4). The receiver
synchronizes ``rx`` through two flip-flops, confirms the start bit at its middle and
samples every data bit at its middle; a byte whose stop bit is 0 is dropped (framing
error). The transmitter sends ``data`` when ``start`` is high and ``ready`` is high.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from neurocore_hw.fixed import check_int

__all__ = ["UARTRx", "UARTTx"]


class UARTRx(wiring.Component):
    """UART receiver.

    Parameters
    ----------
    divisor : int
        Keyword-only; clocks per bit, 4..2**20.

    Attributes
    ----------
    rx : In(1)
        Serial input (idle high).
    data : Out(8)
        Last byte received.
    valid : Out(1)
        High for one clock when ``data`` holds a new byte.
    """

    def __init__(self, *, divisor: int):
        self.divisor = check_int("divisor", divisor, 4, 1 << 20)
        super().__init__({"rx": In(1, init=1), "data": Out(8), "valid": Out(1)})

    def elaborate(self, platform) -> Module:
        """Synchronizer, then an idle / start / data / stop state machine."""
        m = Module()
        sync = Signal(2, init=0b11)
        rx = sync[1]
        count = Signal(range(self.divisor))
        bit = Signal(range(8))
        shift = Signal(8)
        m.d.sync += [sync.eq(Cat(self.rx, sync[0])), self.valid.eq(0)]
        with m.FSM():
            with m.State("idle"):
                with m.If(~rx):
                    m.d.sync += count.eq(self.divisor // 2 - 1)
                    m.next = "start"
            with m.State("start"):
                with m.If(count == 0):
                    with m.If(rx):
                        m.next = "idle"  # glitch, not a start bit
                    with m.Else():
                        m.d.sync += [count.eq(self.divisor - 1), bit.eq(0)]
                        m.next = "data"
                with m.Else():
                    m.d.sync += count.eq(count - 1)
            with m.State("data"):
                with m.If(count == 0):
                    m.d.sync += [shift.eq(Cat(shift[1:], rx)), count.eq(self.divisor - 1),
                                 bit.eq(bit + 1)]
                    with m.If(bit == 7):
                        m.next = "stop"
                with m.Else():
                    m.d.sync += count.eq(count - 1)
            with m.State("stop"):
                with m.If(count == 0):
                    with m.If(rx):
                        m.d.sync += [self.data.eq(shift), self.valid.eq(1)]
                    m.next = "idle"
                with m.Else():
                    m.d.sync += count.eq(count - 1)
        return m


class UARTTx(wiring.Component):
    """UART transmitter.

    Parameters
    ----------
    divisor : int
        Keyword-only; clocks per bit, 4..2**20.

    Attributes
    ----------
    data : In(8)
        Byte to send, taken when ``start`` and ``ready`` are high.
    start : In(1)
    ready : Out(1)
        Idle: a byte may start.
    tx : Out(1)
        Serial output (idle high).
    """

    def __init__(self, *, divisor: int):
        self.divisor = check_int("divisor", divisor, 4, 1 << 20)
        super().__init__({"data": In(8), "start": In(1), "ready": Out(1),
                          "tx": Out(1, init=1)})

    def elaborate(self, platform) -> Module:
        """A 10-bit frame shifted out LSB first, one bit per ``divisor`` clocks."""
        m = Module()
        frame = Signal(10, init=0x3FF)
        bits = Signal(range(11))
        count = Signal(range(self.divisor))
        m.d.comb += [self.ready.eq(bits == 0), self.tx.eq(frame[0])]
        with m.If(bits == 0):
            with m.If(self.start):
                m.d.sync += [frame.eq(Cat(Const(0, 1), self.data, Const(1, 1))),
                             bits.eq(10), count.eq(self.divisor - 1)]
        with m.Elif(count == 0):
            m.d.sync += [frame.eq(Cat(frame[1:], Const(1, 1))), bits.eq(bits - 1),
                         count.eq(self.divisor - 1)]
        with m.Else():
            m.d.sync += count.eq(count - 1)
        return m
