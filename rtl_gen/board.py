"""Board top levels: a neuron (or a population core) behind the UART host link, with the
board's clock, reset button and an LED, for the boards in ``constraints/``.

The top module ``neurocore_board_<board>`` has the ports ``clk``, ``rst_n`` (active-low
button; asynchronous assertion, synchronous release through a reset synchronizer), ``rx``,
``tx`` and ``led`` (toggles on every spike; polarity per board). The UART runs at
``baud`` (default 115,200) from the board clock.
"""

from __future__ import annotations

from amaranth.hdl import ClockDomain, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.cdc import FFSynchronizer, ResetSynchronizer
from amaranth.lib.wiring import In, Out

from neurocore_hw.fixed import check_choice

from .devices import BOARDS, CONSTRAINTS, Board
from .hostlink import HostLink

__all__ = ["BOARDS", "Board", "BoardTop", "board_verilog", "place_and_route_board"]

class BoardTop(wiring.Component):
    """The host link around a neuron with the board's clock, reset and LED.

    Parameters
    ----------
    params : object
        Keyword-only; a registered model's ``Params``.
    board : str
        Keyword-only; a key of :data:`BOARDS`.
    baud : int
        Keyword-only; UART bit rate.
    variant : str, optional
        Keyword-only; a registered hardware variant of the unit.
    core : CoreConfig or list of (CoreConfig, bool), optional
        Keyword-only; a population core -- or a chain of them, a layered network --
        behind the link instead of one neuron (:class:`~rtl_gen.corelink.CoreLink`;
        ``params`` is then unused). The LED toggles on every output event.
    """

    def __init__(self, *, params, board: str, baud: int = 115_200,
                 variant: str | None = None, core=None):
        self.board = BOARDS[check_choice("board", board, tuple(BOARDS))]
        fastest = int(self.board.clock_hz) // 4  # the UART needs >= 4 clocks per bit
        if isinstance(baud, bool) or not isinstance(baud, int) or not 0 < baud <= fastest:
            raise ValueError(f"baud must be an integer in [1, {fastest}] at "
                             f"{self.board.clock_hz / 1e6:g} MHz, got {baud!r}")
        self.divisor = round(self.board.clock_hz / baud)
        error = abs(self.board.clock_hz / self.divisor - baud) / baud
        if error > 0.02:
            raise ValueError(f"baud {baud} is {100 * error:.1f}% off at "
                             f"{self.board.clock_hz / 1e6:g} MHz (limit 2%)")
        if core is None:
            self.link = HostLink(params=params, divisor=self.divisor, variant=variant)
        else:
            from .corelink import CoreLink

            if variant is not None:
                raise ValueError("a core takes no unit variant")
            if isinstance(core, (list, tuple)):
                self.link = CoreLink(chain=core, divisor=self.divisor)
            else:
                self.link = CoreLink(config=core, divisor=self.divisor)
        super().__init__({"clk": In(1), "rst_n": In(1), "rx": In(1, init=1), "tx": Out(1),
                          "led": Out(1)})

    def elaborate(self, platform) -> Module:
        """Clock domain from ``clk``, synchronized button reset, the link, the LED."""
        m = Module()
        m.domains.sync = cd = ClockDomain("sync")
        m.d.comb += cd.clk.eq(self.clk)
        m.submodules.reset_sync = ResetSynchronizer(~self.rst_n, domain="sync")
        m.submodules.link = link = self.link
        rx = Signal(init=1)
        m.submodules.rx_sync = FFSynchronizer(self.rx, rx, init=1)
        toggle = Signal()
        with m.If(link.spike):
            m.d.sync += toggle.eq(~toggle)
        m.d.comb += [link.rx.eq(rx), self.tx.eq(link.tx),
                     self.led.eq(~toggle if self.board.led_active_low else toggle)]
        return m


def board_verilog(params, board: str, baud: int = 115_200, variant: str | None = None,
                  core=None) -> tuple[str, str]:
    """Verilog text and top-module name of :class:`BoardTop`."""
    from amaranth.back import verilog

    top = f"neurocore_board_{board}"
    top_level = BoardTop(params=params, board=board, baud=baud, variant=variant, core=core)
    return verilog.convert(top_level, name=top, emit_src=False), top


def place_and_route_board(params, board: str, *, seed: int = 1, baud: int = 115_200,
                          variant: str | None = None, core=None):
    """Place and route the board top with its constraints at the board clock.

    Returns
    -------
    rtl_gen.synth.PnrReport
        ``fmax_mhz`` against the board clock (timing is met when it is higher).

    Raises
    ------
    ValueError
        For a board without an open place-and-route flow (Arty A7).
    """
    from .synth import place_and_route

    spec = BOARDS[check_choice("board", board, tuple(BOARDS))]
    if spec.device is None:
        raise ValueError(f"{board}: no open place-and-route for this FPGA; synthesis only")
    text, top = board_verilog(params, board, baud, variant, core)
    return place_and_route(text, top, spec.device, seed=seed,
                           target_mhz=spec.clock_hz / 1e6,
                           constraints=CONSTRAINTS / spec.constraints)
