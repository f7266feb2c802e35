"""Bulk co-simulation: stimulus played from memory inside the simulation, outputs captured.

The per-cycle cocotb bench (``sim/bench_neuron.py``) writes every input and reads every
output through VPI on every clock: Python runs once per cycle. For long regressions the
wrapper here moves that loop into the Verilog: a testbench top level
``neurocore_bulk_tb`` reads the packed stimulus with ``$readmemh`` (path from the
``+stim=`` plusarg), presents word ``k`` to the unit while the clock is low, captures
every output at the following falling edge into a memory, and writes it with
``$writememh`` (``+cap=``) after ``+cycles=`` clocks. cocotb (``sim/bench_bulk.py``)
only runs the clock and then compares the whole capture with the golden trace -- the same
cycle timing and the same every-output, every-cycle comparison as the per-cycle bench.

Word layouts (bit 0 first): stimulus ``rst, en, <inputs in port order>``; capture
``spike, <state ports in order>`` (read back by ``sim/bench_bulk.py``, which does not
import this package: importing Amaranth would add 0.4 s to every run).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["BULK_DEPTH", "BULK_TOP", "bulk_wrapper", "write_stimulus"]

#: Testbench top-level module name.
BULK_TOP = "neurocore_bulk_tb"
#: Largest number of cycles one bulk run can hold (memory depth; fixed so that the
#: Verilator build does not depend on the run length).
BULK_DEPTH = 1 << 17


def bulk_wrapper(top: str, inputs: list[tuple[str, int]], outputs: list[tuple[str, int]]
                 ) -> str:
    """Verilog of the stimulus-player testbench around module ``top``.

    Parameters
    ----------
    top : str
        The unit's module name (ports ``clk``, ``rst``, ``en``, inputs, ``spike``,
        state outputs).
    inputs : list of (str, int)
        Input ports and widths, in port order.
    outputs : list of (str, int)
        Compared outputs and widths, ``spike`` first.
    """
    sw = 2 + sum(w for _, w in inputs)
    cw = sum(w for _, w in outputs)
    abits = (BULK_DEPTH - 1).bit_length()
    lines = [
        f"module {BULK_TOP} (input wire clk);",
        f"  reg [{sw - 1}:0] stim [0:{BULK_DEPTH - 1}];",
        f"  reg [{cw - 1}:0] cap [0:{BULK_DEPTH - 1}];",
        "  reg [31:0] k = 32'd0;",
        "  reg [31:0] cycles = 32'd0;",
        "  reg [8*1024-1:0] stim_path;",
        "  reg [8*1024-1:0] cap_path;",
        "  initial begin",
        '    if (!$value$plusargs("stim=%s", stim_path)) $fatal(1, "missing +stim=");',
        '    if (!$value$plusargs("cap=%s", cap_path)) $fatal(1, "missing +cap=");',
        '    if (!$value$plusargs("cycles=%d", cycles)) $fatal(1, "missing +cycles=");',
        "    $readmemh(stim_path, stim);",
        "  end",
        f"  wire [{sw - 1}:0] word = stim[k[{abits - 1}:0]];",
    ]
    ports = [".clk(clk)", ".rst(word[0])", ".en(word[1])"]
    offset = 2
    for name, width in inputs:
        ports.append(f".{name}(word[{offset + width - 1}:{offset}])")
        offset += width
    captured = []
    for name, width in outputs:
        lines.append(f"  wire [{width - 1}:0] out_{name};")
        ports.append(f".{name}(out_{name})")
        captured.append(f"out_{name}")
    lines += [
        f"  {top} dut ({', '.join(ports)});",
        "  always @(negedge clk) begin",
        "    if (k < cycles) begin",
        f"      cap[k[{abits - 1}:0]] = {{{', '.join(reversed(captured))}}};",
        "      if (k == cycles - 32'd1) $writememh(cap_path, cap, 0, cycles - 32'd1);",
        "      k <= k + 32'd1;",
        "    end",
        "  end",
        "endmodule",
    ]
    return "\n".join(lines) + "\n"


def write_stimulus(path: str | Path, en, rst, inputs: list[tuple[np.ndarray, int]]) -> None:
    """Write the packed stimulus words (``rst``, ``en``, then each input's low
    ``width`` bits) as a ``$readmemh`` file."""
    words = np.asarray(rst, dtype=object) & 1 | (np.asarray(en, dtype=object) & 1) << 1
    offset = 2
    for values, width in inputs:
        words = words | (np.asarray(values, dtype=np.int64).astype(object)
                         & ((1 << width) - 1)) << offset
        offset += width
    Path(path).write_text("\n".join(f"{w:x}" for w in words) + "\n")
