"""The co-simulation testbench top level: packed stimulus in, packed outputs out.

``neurocore_tb`` wraps a unit for both cocotb benches. Its stimulus word (bit 0 first:
``rst, en, <inputs in port order>``) drives the unit; its capture word (``spike, <state
ports in order>``) is every compared output, concatenated.

* Per-cycle (``sim/bench_neuron.py``): cocotb writes ``stim_in`` while the clock is low
  (only when it changes) and reads ``cap_out`` at the falling edge: one VPI write and one
  read per clock instead of one per port.
* Bulk (``+bulk``, ``sim/bench_bulk.py``): the wrapper reads the stimulus with
  ``$readmemh`` (``+stim=``), presents word ``k`` itself, captures every output at the
  following falling edge into a memory and writes it with ``$writememh`` (``+cap=``)
  after ``+cycles=`` clocks; cocotb only runs the clock and then compares. The capture is
  read back by ``sim/bench_bulk.py``, which does not import this package (importing
  Amaranth would add 0.4 s to every run).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["BULK_DEPTH", "BULK_TOP", "bulk_wrapper", "pack_stimulus", "write_stimulus"]

#: Testbench top-level module name.
BULK_TOP = "neurocore_tb"
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
        f"module {BULK_TOP} (input wire clk, input wire [{sw - 1}:0] stim_in,",
        f"                   output wire [{cw - 1}:0] cap_out);",
        f"  reg [{sw - 1}:0] stim [0:{BULK_DEPTH - 1}];",
        f"  reg [{cw - 1}:0] cap [0:{BULK_DEPTH - 1}];",
        "  reg bulk = 1'b0;",
        "  reg [31:0] k = 32'd0;",
        "  reg [31:0] cycles = 32'd0;",
        "  reg [8*1024-1:0] stim_path;",
        "  reg [8*1024-1:0] cap_path;",
        "  initial begin",
        '    if ($test$plusargs("bulk")) begin',
        "      bulk = 1'b1;",
        '      if (!$value$plusargs("stim=%s", stim_path)) $fatal(1, "missing +stim=");',
        '      if (!$value$plusargs("cap=%s", cap_path)) $fatal(1, "missing +cap=");',
        '      if (!$value$plusargs("cycles=%d", cycles)) $fatal(1, "missing +cycles=");',
        "      $readmemh(stim_path, stim);",
        "    end",
        "  end",
        f"  wire [{sw - 1}:0] word = bulk ? stim[k[{abits - 1}:0]] : stim_in;",
    ]
    ports = [".clk(clk)", ".rst(word[0])", ".en(word[1])"]
    offset = 2
    for name, width in inputs:  # escaped names: a port may be a keyword (e.g. rand)
        ports.append(f".\\{name} (word[{offset + width - 1}:{offset}])")
        offset += width
    captured = []
    for name, width in outputs:
        lines.append(f"  wire [{width - 1}:0] out_{name};")
        ports.append(f".\\{name} (out_{name})")
        captured.append(f"out_{name}")
    lines += [
        "  /* verilator lint_off PINMISSING */  // variants have more outputs (busy)",
        f"  {top} dut ({', '.join(ports)});",
        "  /* verilator lint_on PINMISSING */",
        f"  assign cap_out = {{{', '.join(reversed(captured))}}};",
        "  always @(negedge clk) begin",
        "    if (bulk && k < cycles) begin",
        f"      cap[k[{abits - 1}:0]] = cap_out;",
        "      if (k == cycles - 32'd1) $writememh(cap_path, cap, 0, cycles - 32'd1);",
        "      k <= k + 32'd1;",
        "    end",
        "  end",
        "endmodule",
    ]
    return "\n".join(lines) + "\n"


def pack_stimulus(en, rst, inputs: list[tuple[np.ndarray, int]]) -> list[int]:
    """The packed stimulus words: ``rst``, ``en``, then each input's low ``width`` bits."""
    words = np.asarray(rst, dtype=object) & 1 | (np.asarray(en, dtype=object) & 1) << 1
    offset = 2
    for values, width in inputs:
        words = words | (np.asarray(values, dtype=np.int64).astype(object)
                         & ((1 << width) - 1)) << offset
        offset += width
    return [int(w) for w in words]


def write_stimulus(path: str | Path, words: list[int]) -> None:
    """Write packed stimulus words as a ``$readmemh`` file."""
    Path(path).write_text("\n".join(f"{w:x}" for w in words) + "\n")
