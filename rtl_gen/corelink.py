"""A population core -- or a chain of them, a layered network -- behind a UART link: a
network on a board.

Byte protocol (8N1; multi-byte fields little-endian; :mod:`neurocore_hw.hostlink` has the
host side, :class:`~neurocore_hw.hostlink.CoreDriver`):

* ``0x01 region index[4] data[8]`` -- bus write (region 0 weights ``row * N + i``, 1 packed
  neuron state, 2 accumulators, 3 bias registers; the core keeps the low bits its memory
  holds; in a chain, ``region`` is ``core << 2 | region``). No reply.
* ``0x02 region index[4]`` -- bus read; reply: the word, 8 bytes (zero-extended).
* ``0x03 source[2]`` -- an input event (one row add; in a chain, of core 0). No reply.
* ``0x04`` -- run a timestep; reply: ``0x01 neuron[2]`` per output event (of the last core
  in a chain), in the core's order (ascending neuron), then ``0x00`` when the timestep is
  over and every event sent.

Any other command byte is ignored. The host waits for a timestep's ``0x00`` before its
next command (the core serves the bus and takes events only between timesteps); an event
command takes three byte times, longer than the row add it starts (the constructor checks
``30 * divisor > N + 8``), so back-to-back events are never lost; a command that arrives
while a row add runs waits for it.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from neurocore_hw.hostlink import (
    CMD_EVENT,
    CMD_READ,
    CMD_STEP,
    CMD_WRITE,
    DATA_BYTES,
    ID_BYTES,
    INDEX_BYTES,
)
from neurocore_hw.network import CoreConfig

from .chain import CoreChain, chain_layout
from .core import NeuronCore, core_layout

__all__ = ["CoreLink", "corelink_verilog"]

#: Argument bytes of each command.
ARGS = {CMD_WRITE: 1 + INDEX_BYTES + DATA_BYTES, CMD_READ: 1 + INDEX_BYTES,
        CMD_EVENT: ID_BYTES, CMD_STEP: 0}


class CoreLink(wiring.Component):
    """:class:`~rtl_gen.core.NeuronCore` + UART receiver/transmitter + command decoder.

    Parameters
    ----------
    config : CoreConfig
        Keyword-only; at most 65,536 neurons and sources, a bus word of at most 64 bits.
    chain : sequence of (CoreConfig, bool), optional
        Keyword-only; instead of ``config``, a chain of cores
        (:class:`~rtl_gen.chain.CoreChain`: per layer its core and whether its bias row
        gets an event every timestep), at most 64.
    divisor : int
        Keyword-only; clocks per UART bit.
    fifo_depth : int
        Keyword-only; the core's output event FIFO.
    pipelined : bool
        Keyword-only; the core's pipelined datapath.

    Attributes
    ----------
    rx : In(1)
        UART input from the host.
    tx : Out(1)
        UART output to the host.
    spike : Out(1)
        One clock per output event sent (e.g. for an LED).
    """

    def __init__(self, *, config: CoreConfig | None = None, divisor: int,
                 fifo_depth: int = 16, pipelined: bool = False, chain=None):
        from .uart import UARTRx, UARTTx

        if (config is None) == (chain is None):
            raise ValueError("give config (one core) or chain (a layered network)")
        if chain is not None:
            chain = list(chain)
            self.core = CoreChain(layers=chain, fifo_depth=fifo_depth, pipelined=pipelined)
            first = chain[0][0]
            lay = chain_layout([c for c, _ in chain])
        else:
            if not isinstance(config, CoreConfig):
                raise TypeError(f"config must be a CoreConfig, got {type(config).__name__}")
            self.core = NeuronCore(config=config, fifo_depth=fifo_depth, pipelined=pipelined)
            first, lay = config, {**core_layout(config), "core_bits": 0}
        self.index_bits = lay["bus_addr_bits"] - 2 - lay["core_bits"]
        if lay["bus_data_bits"] > 8 * DATA_BYTES or self.index_bits > 8 * INDEX_BYTES:
            raise ValueError("the core's bus word or index is wider than the link's fields")
        if lay["core_bits"] > 6:
            raise ValueError("at most 64 cores behind one link")
        if 10 * divisor * (1 + ID_BYTES) <= first.neurons + 8:
            raise ValueError(f"divisor={divisor}: an event command ({30 * divisor} clocks) is "
                             f"shorter than a row add of {first.neurons} neurons; lower "
                             "the baud rate")
        self.config, self.layout = config, lay
        self.uart_rx = UARTRx(divisor=divisor)
        self.uart_tx = UARTTx(divisor=divisor)
        super().__init__({"rx": In(1, init=1), "tx": Out(1, init=1), "spike": Out(1)})

    def elaborate(self, platform) -> Module:
        """Decode commands into bus accesses, events and timesteps; send replies."""
        m = Module()
        m.submodules.core = core = self.core
        m.submodules.uart_rx = urx = self.uart_rx
        m.submodules.uart_tx = utx = self.uart_tx
        lay = self.layout
        m.d.comb += [urx.rx.eq(self.rx), self.tx.eq(utx.tx)]

        # -- receive: a command byte, then its argument bytes
        top = max(ARGS.values())
        cmd = Signal(8)
        args = Signal(8 * top)
        got = Signal(range(top + 1))
        need = Signal(range(top + 1))
        busy_cmd = Signal()  # collecting arguments
        run = Signal()  # one clock: `cmd` with `args` is complete
        m.d.sync += run.eq(0)
        with m.If(urx.valid):
            with m.If(~busy_cmd):
                m.d.sync += [cmd.eq(urx.data), got.eq(0)]
                with m.Switch(urx.data):
                    for code, n in ARGS.items():
                        with m.Case(code):
                            if n:
                                m.d.sync += [busy_cmd.eq(1), need.eq(n)]
                            else:
                                m.d.sync += run.eq(1)
            with m.Else():
                m.d.sync += [args.word_select(got, 8).eq(urx.data), got.eq(got + 1)]
                with m.If(got == need - 1):
                    m.d.sync += [busy_cmd.eq(0), run.eq(1)]
        # -- execute: the last complete command waits until the core can take it (the
        # bus and a timestep's start in IDLE, an event when the core is ready)
        pending = Signal()
        ecmd = Signal(8)
        eargs = Signal(8 * top)
        with m.If(run):
            m.d.sync += [pending.eq(1), ecmd.eq(cmd), eargs.eq(args)]
        region = eargs[:8]
        index = eargs[8:8 + 8 * INDEX_BYTES]
        data = eargs[8 + 8 * INDEX_BYTES:8 + 8 * (INDEX_BYTES + DATA_BYTES)]
        ib = self.index_bits
        idle = ~core.busy
        go = Signal()  # a bus access or a timestep's start happens (never an event)
        m.d.comb += go.eq(pending & (ecmd != CMD_EVENT) & idle)
        with m.If(go | (core.in_valid & core.in_ready)):
            m.d.sync += pending.eq(0)
        stepping = Signal()  # a timestep runs or its events are still being sent
        finished = Signal()  # ... and the core has finished it
        read_wait = Signal()
        m.d.comb += [
            core.bus_addr.eq(Cat(index[:ib], region[:2 + lay["core_bits"]])),
            core.bus_wdata.eq(data[:lay["bus_data_bits"]]),
            core.bus_we.eq(go & (ecmd == CMD_WRITE)),
            core.bus_re.eq(go & (ecmd == CMD_READ)),
            core.in_valid.eq(pending & (ecmd == CMD_EVENT)),
            core.in_source.eq(eargs[:lay["source_bits"]]),
            core.start.eq(go & (ecmd == CMD_STEP)),
        ]
        with m.If(go & (ecmd == CMD_READ)):
            m.d.sync += read_wait.eq(1)
        with m.If(go & (ecmd == CMD_STEP)):
            m.d.sync += [stepping.eq(1), finished.eq(0)]
        with m.If(core.done & stepping):
            m.d.sync += finished.eq(1)

        # -- transmit: a read's word, output events, the end of a timestep
        out_buf = Signal(8 * DATA_BYTES)
        out_count = Signal(range(DATA_BYTES + 1))
        word = Signal(8 * DATA_BYTES)
        word_ready = Signal()
        with m.If(core.bus_rvalid & read_wait):
            m.d.sync += [word.eq(core.bus_rdata), word_ready.eq(1), read_wait.eq(0)]
        m.d.comb += [utx.data.eq(out_buf[:8]), self.spike.eq(0)]
        with m.If(out_count != 0):
            with m.If(utx.ready):
                m.d.comb += utx.start.eq(1)
                m.d.sync += [out_buf.eq(out_buf >> 8), out_count.eq(out_count - 1)]
        with m.Elif(word_ready):
            m.d.sync += [out_buf.eq(word), out_count.eq(DATA_BYTES), word_ready.eq(0)]
        with m.Elif(core.out_valid):
            m.d.comb += [core.out_ready.eq(1), self.spike.eq(1)]
            m.d.sync += [out_buf.eq(Cat(Const(1, 8), core.out_neuron)),
                         out_count.eq(1 + ID_BYTES)]
        with m.Elif(stepping & finished):
            m.d.sync += [out_buf.eq(0), out_count.eq(1), stepping.eq(0), finished.eq(0)]
        return m


def corelink_verilog(config: CoreConfig | None, divisor: int, pipelined: bool = False,
                     chain=None) -> tuple[str, str]:
    """Verilog of a :class:`CoreLink` (ports ``clk``, ``rst``, ``rx``, ``tx``, ``spike``)
    and its top module name."""
    from amaranth.back import verilog

    top = ("neurocore_corelink_chain" if chain is not None
           else f"neurocore_corelink_{config.params.model.name}")
    link = CoreLink(config=config, divisor=divisor, pipelined=pipelined, chain=chain)
    return verilog.convert(link, name=top, emit_src=False), top
