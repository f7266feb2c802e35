"""Co-simulation of the population core against :func:`neurocore_hw.network.run_network`.

The testbench top level ``neurocore_core_tb`` (Verilog, generated here) plays a *program*
from memory inside the simulation: bus writes (weights, initial state, accumulators),
input events on the AER ``valid/ready`` stream (held until taken), idle gaps, timestep
starts, waits and bus reads. Output events are taken with a pseudo-random ``out_ready``
(an LFSR; ``+stall=K`` holds it low with probability ``K/256``) and captured with every
bus read; at the end both captures are written to files. cocotb only runs the clock
(``sim/bench_core.py``) and compares the captures with the golden model's output: the
AER stream (timestep and neuron, in order) and every state and accumulator word read.

Program word: ``op`` (3 bits) above ``a`` (bus address bits) above ``d`` (bus data bits).
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neurocore_hw.fixed import int_range
from neurocore_hw.network import CoreConfig, run_network, validate_bias, validate_weights

from ..core import (
    CORE_TOP,
    REGION_ACC,
    REGION_BIAS,
    REGION_STATE,
    REGION_WEIGHTS,
    XYLO_COUNT_BITS,
    core_layout,
    emit_core,
    status_index,
)
from .toolchain import DEFAULT_BUILD_ROOT, build_model, run_bench, waveform_in

__all__ = ["CORE_TB_TOP", "CoreCosimResult", "CoreProgram", "OPS", "core_testbench",
           "pack_state", "play_program", "player_testbench", "random_network", "read_regions",
           "run_core_cosim"]

#: Testbench top-level module name.
CORE_TB_TOP = "neurocore_core_tb"
#: Program operations.
#: intrude: a bus write now and a read of it the clock after, busy or not; hold: the
#: output stream stalls until the next reset; reset: a one-clock pulse of the design's
#: reset (the player's own registers keep going), which also ends a hold (the clock
#: after, when the FIFO is empty).
OPS = {"end": 0, "write": 1, "read": 2, "event": 3, "start": 4, "gap": 5, "wait": 6,
       "intrude": 7, "hold": 8, "reset": 9}
#: Memory depths of the testbench (program words, output events, read words).
PROGRAM_DEPTH, AER_DEPTH, READ_DEPTH = 1 << 22, 1 << 20, 1 << 20


def core_testbench(config: CoreConfig) -> str:
    """Verilog of the program-player testbench ``neurocore_core_tb`` around the core."""
    return player_testbench(core_layout(config), config.time_width, CORE_TOP)


def player_testbench(layout: dict, time_width: int, dut: str) -> str:
    """The program-player testbench ``neurocore_core_tb`` around ``dut``, any design with
    the core's ports at the widths of ``layout`` (``bus_addr_bits``, ``bus_data_bits``,
    ``neuron_bits``, ``source_bits``; with ``count_bits``, the output events' spike count
    is captured above the timestep)."""
    lay = layout
    aw, dw = lay["bus_addr_bits"], lay["bus_data_bits"]
    nb, tw, sb = lay["neuron_bits"], time_width, lay["source_bits"]
    cb, icb = lay.get("count_bits", 0), lay.get("in_count_bits", 0)
    count_port = " .out_count(out_count)," if cb else ""
    in_count_port = " .in_count(in_count_r)," if icb else ""
    in_count_reg = f"  reg [{icb - 1}:0] in_count_r;\n" if icb else ""
    take_count = f" in_count_r <= arg_d[{sb + icb - 1}:{sb}];" if icb else ""
    count_wire = f"  wire [{cb - 1}:0] out_count;\n" if cb else ""
    captured = "{out_count, out_time, out_neuron}" if cb else "{out_time, out_neuron}"
    pw = 4 + aw + dw
    ops = {name.upper(): code for name, code in OPS.items()}
    return f"""
module {CORE_TB_TOP} (input wire clk, input wire rst, output reg finished);
  reg [{pw - 1}:0] prog [0:{PROGRAM_DEPTH - 1}];
  reg [{tw + nb + cb - 1}:0] aer [0:{AER_DEPTH - 1}];
  reg [{dw - 1}:0] cap [0:{READ_DEPTH - 1}];
  reg [8*1024-1:0] prog_path, aer_path, cap_path, count_path;
  reg [31:0] pc, aer_n, cap_n, gap, stall, ending;
  reg [15:0] lfsr;
  integer fd;
  reg start_r, in_valid_r, bus_we_r, bus_re_r, intrude_rd, hold_r, dut_rst_r;
  reg [{sb - 1}:0] in_source_r;
{in_count_reg}
  reg [{aw - 1}:0] bus_addr_r;
  reg [{dw - 1}:0] bus_wdata_r;
  wire busy, done, in_ready, out_valid, bus_rvalid;
  wire [{nb - 1}:0] out_neuron;
  wire [{tw - 1}:0] out_time, time_now;
  wire [{dw - 1}:0] bus_rdata;
{count_wire}  wire out_ready = !hold_r && lfsr[7:0] >= stall[7:0];
  initial begin
    if (!$value$plusargs("prog=%s", prog_path)) $fatal(1, "missing +prog=");
    if (!$value$plusargs("aer=%s", aer_path)) $fatal(1, "missing +aer=");
    if (!$value$plusargs("cap=%s", cap_path)) $fatal(1, "missing +cap=");
    if (!$value$plusargs("counts=%s", count_path)) $fatal(1, "missing +counts=");
    if (!$value$plusargs("stall=%d", stall)) stall = 32'd0;
    $readmemh(prog_path, prog);
  end
  {dut} dut (.clk(clk), .rst(rst || dut_rst_r), .start(start_r), .busy(busy), .done(done),
    .timestep(time_now), .in_valid(in_valid_r), .in_ready(in_ready),
    .in_source(in_source_r),{in_count_port} .dropped(), .out_valid(out_valid),
    .out_ready(out_ready),
    .out_neuron(out_neuron), .out_time(out_time),{count_port} .bus_addr(bus_addr_r),
    .bus_wdata(bus_wdata_r), .bus_we(bus_we_r), .bus_re(bus_re_r),
    .bus_rdata(bus_rdata), .bus_rvalid(bus_rvalid));
  wire [{pw - 1}:0] word = prog[pc[21:0]];
  wire [3:0] op = word[{pw - 1}:{pw - 4}];
  wire [{aw - 1}:0] arg_a = word[{aw + dw - 1}:{dw}];
  wire [{dw - 1}:0] arg_d = word[{dw - 1}:0];
  wire free = !busy && !start_r;
  always @(posedge clk) begin
    if (rst) begin
      pc <= 0; aer_n <= 0; cap_n <= 0; gap <= 0; ending <= 0; finished <= 0;
      lfsr <= 16'hace1; start_r <= 0; in_valid_r <= 0; bus_we_r <= 0; bus_re_r <= 0;
      intrude_rd <= 0; hold_r <= 0; dut_rst_r <= 0;
    end else begin
      dut_rst_r <= 0;
      if (dut_rst_r) hold_r <= 0;  // released once the reset has emptied the FIFO
      lfsr <= {{lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]}};
      start_r <= 0; bus_we_r <= 0; bus_re_r <= intrude_rd; intrude_rd <= 0;
      if (out_valid && out_ready) begin
        aer[aer_n[19:0]] <= {captured};
        aer_n <= aer_n + 1;
      end
      if (bus_rvalid) begin
        cap[cap_n[19:0]] <= bus_rdata;
        cap_n <= cap_n + 1;
      end
      if (in_valid_r) begin
        if (in_ready) begin in_valid_r <= 0; pc <= pc + 1; end
      end else if (gap != 0) begin
        gap <= gap - 1;
      end else if (ending != 0) begin
        ending <= ending + 1;
        if (ending == 4 && !finished) begin
          if (aer_n != 0) $writememh(aer_path, aer, 0, aer_n - 1);
          if (cap_n != 0) $writememh(cap_path, cap, 0, cap_n - 1);
          fd = $fopen(count_path, "w");
          $fwrite(fd, "%0d %0d\\n", aer_n, cap_n);
          $fclose(fd);
          finished <= 1;
        end
      end else begin
        case (op)
          4'd{ops["END"]}: if (free && !out_valid) ending <= 1;
          4'd{ops["WRITE"]}: if (free) begin
            bus_we_r <= 1; bus_addr_r <= arg_a; bus_wdata_r <= arg_d; pc <= pc + 1;
          end
          4'd{ops["READ"]}: if (free) begin
            bus_re_r <= 1; bus_addr_r <= arg_a; pc <= pc + 1;
          end
          4'd{ops["EVENT"]}: begin
            in_valid_r <= 1; in_source_r <= arg_d[{sb - 1}:0];{take_count}
          end
          4'd{ops["START"]}: if (free) begin start_r <= 1; pc <= pc + 1; end
          4'd{ops["GAP"]}: begin gap <= arg_d; pc <= pc + 1; end
          4'd{ops["WAIT"]}: if (free) pc <= pc + 1;
          4'd{ops["INTRUDE"]}: begin
            bus_we_r <= 1; bus_addr_r <= arg_a; bus_wdata_r <= arg_d; intrude_rd <= 1;
            pc <= pc + 1;
          end
          4'd{ops["HOLD"]}: begin hold_r <= 1; pc <= pc + 1; end
          4'd{ops["RESET"]}: begin dut_rst_r <= 1; pc <= pc + 1; end
          default: ;
        endcase
      end
    end
  end
endmodule
"""


def pack_state(config: CoreConfig, state) -> np.ndarray:
    """Packed state words (state ports in order, first at bit 0) as Python ints."""
    words = np.zeros(config.neurons, dtype=object)
    offset = 0
    for port, values in zip(config.params.state_ports(), state):
        codes = np.asarray(values, dtype=np.int64).astype(object) & ((1 << port.width) - 1)
        words = words | (codes << offset)
        offset += port.width
    return words


class CoreProgram:
    """Builder of a testbench program and the read words it expects.

    Parameters
    ----------
    config : CoreConfig
        The core.
    """

    def __init__(self, config: CoreConfig, layout: dict | None = None):
        self.config = config
        lay = core_layout(config) if layout is None else layout
        self._aw, self._dw = lay["bus_addr_bits"], lay["bus_data_bits"]
        self.words: list[int] = []

    def op(self, name: str, a: int = 0, d: int = 0) -> None:
        """Append one operation."""
        self.words.append(OPS[name] << (self._aw + self._dw)
                          | (a & ((1 << self._aw) - 1)) << self._dw
                          | (d & ((1 << self._dw) - 1)))

    def address(self, region: int, index: int) -> int:
        """Bus address of ``index`` in ``region``."""
        return region << (self._aw - 2) | index

    def write_weights(self, weights: np.ndarray) -> None:
        """Bus writes of every weight (row-major)."""
        for k, w in enumerate(np.asarray(weights).reshape(-1).tolist()):
            self.op("write", self.address(REGION_WEIGHTS, k), w)

    def write_state(self, state, acc) -> None:
        """Bus writes of every neuron's packed state and accumulator."""
        for i, word in enumerate(pack_state(self.config, state).tolist()):
            self.op("write", self.address(REGION_STATE, i), word)
        for i, a in enumerate(np.asarray(acc).tolist()):
            self.op("write", self.address(REGION_ACC, i), a)

    def write_bias(self, bias) -> None:
        """Bus writes of every bias register (a core with ``bias``)."""
        for i, b in enumerate(np.asarray(bias).tolist()):
            self.op("write", self.address(REGION_BIAS, i), b)

    def read_all(self) -> None:
        """Bus reads of every state word, then every accumulator (then every bias
        register)."""
        for region in read_regions(self.config):
            for i in range(self.config.neurons):
                self.op("read", self.address(region, i))

    def hex(self) -> str:
        """The program as a ``$readmemh`` file (ending in an END operation)."""
        return "\n".join(f"{w:x}" for w in [*self.words, 0]) + "\n"


def read_regions(config: CoreConfig) -> tuple[int, ...]:
    """The bus regions read back after a run: state, accumulators (and bias registers)."""
    return (REGION_STATE, REGION_ACC) + ((REGION_BIAS,) if config.bias else ())


def expected_reads(config: CoreConfig, state, acc, bias=None) -> list[int]:
    """The words :meth:`CoreProgram.read_all` reads back for ``state``, ``acc`` (and the
    bias registers ``bias``)."""
    mask = (1 << config.acc_width) - 1
    words = [*pack_state(config, state).tolist(),
             *(int(a) & mask for a in np.asarray(acc).tolist())]
    if config.bias:
        words += [int(b) & mask for b in validate_bias(config, bias).tolist()]
    return words


def random_network(config: CoreConfig, steps: int, seed: int, *, rate: float = 4.0):
    """Random weights, initial state, accumulators and input events for a test.

    Weights are uniform over the signed range with a share of extremes; each timestep
    gets a Poisson(``rate``) number of random sources, some timesteps a burst of eight
    times as many (to drive accumulators into overflow) and some none.

    Returns
    -------
    weights, events, state, acc
    """
    rng = np.random.default_rng(seed)
    lo, hi = int_range(config.weight_width)
    n = config.neurons
    weights = rng.integers(lo, hi + 1, (config.rows, n))
    corners = rng.random(weights.shape) < 0.05
    weights[corners] = rng.choice([lo, hi], corners.sum())
    events = []
    for _ in range(steps):
        kind = rng.random()
        count = 0 if kind < 0.1 else rng.poisson(rate * (8 if kind > 0.9 else 1))
        events.append(rng.integers(0, config.inputs, count))
    model = config.params.model
    state = model.initial_state(config.params, n)
    state = type(state)(*(_random_state_field(rng, port, x, config.params)
                          for port, x in zip(config.params.state_ports(), state)))
    alo, ahi = int_range(config.acc_width)
    acc = rng.integers(alo, ahi + 1, n)
    return weights, events, state, acc


def _random_state_field(rng, port, reset, params) -> np.ndarray:
    """Random reachable-looking values of one state field: half at reset, the rest random
    within the field (a refractory counter stays within the model's period)."""
    lo, hi = params.state_limits().get(port.name, int_range(port.width, port.signed))
    values = rng.integers(lo, hi + 1, len(reset))
    return np.where(rng.random(len(reset)) < 0.5, reset, values)


def _counted(events, xylo: bool, source_bits: int) -> list[int]:
    """The event words of one timestep: each source, or with Xylo's synapses each run of
    one source (up to 31 events) as one event with its count above the source bits."""
    sources = np.asarray(events, dtype=np.int64).reshape(-1).tolist()
    if not xylo:
        return sources
    words: list[int] = []
    k = 0
    while k < len(sources):
        run = 1
        while (k + run < len(sources) and sources[k + run] == sources[k]
               and run < (1 << XYLO_COUNT_BITS) - 1):
            run += 1
        words.append(sources[k] | run << source_bits)
        k += run
    return words


@dataclass
class CoreCosimResult:
    """Outcome of one core co-simulation.

    Attributes
    ----------
    neurons, steps : int
        Size of the run.
    events_in, events_out : int
        Input events sent, output events expected.
    mismatches : int
        Differences found (output events and read words; 0 means bit-exact).
    first_mismatch : str or None
        What differed first.
    cycles : int
        Clock cycles the program took.
    seconds, build_seconds : float
        Wall time of the simulation and of the Verilator build (0 if cached).
    passed : bool
        Finished, and no mismatch.
    waveform : pathlib.Path or None
        The waveform file of a traced run (``dump.fst`` or ``dump.vcd``).
    """

    neurons: int
    steps: int
    events_in: int
    events_out: int
    mismatches: int
    first_mismatch: str | None
    cycles: int
    seconds: float
    build_seconds: float
    passed: bool
    waveform: Path | None = None


def run_core_cosim(config: CoreConfig, weights, events, steps: int, *, state=None, acc=None,
                   bias=None, stall: int = 64, gaps: bool = True, read_every_step: bool = False,
                   seed: int = 1, verilog_text: str | None = None,
                   build_root: str | Path | None = DEFAULT_BUILD_ROOT, fifo_depth: int = 16,
                   pipelined: bool = False, waves_dir: str | Path | None = None,
                   invalid: str = "raise", intrusions: str | None = None,
                   reset_at: int | None = None) -> CoreCosimResult:
    """Run a network on the core's Verilog under Verilator and compare with the golden
    model.

    Parameters
    ----------
    config : CoreConfig
        The core.
    weights, events, steps, state, acc, bias
        As for :func:`neurocore_hw.network.run_network`; state, accumulators and bias
        registers are loaded over the bus (the model's reset state and zeros if omitted).
    stall : int
        ``out_ready`` is low with probability ``stall / 256`` on each clock, 0..255.
    gaps : bool
        Put random idle gaps (0-3 clocks) before input events.
    read_every_step : bool
        Read back every state word and accumulator after every timestep (else after the
        last one only).
    seed : int
        Seed of the gaps.
    verilog_text : str, optional
        Core Verilog to verify (module ``neurocore_core``); :func:`emit_core` by default.
    build_root : path
        Verilator build cache.
    fifo_depth : int
        Output FIFO depth of the emitted core.
    pipelined : bool
        Emit the core with the model's pipelined datapath.
    waves_dir : path, optional
        Trace the run: a waveform (``dump.fst``, or ``dump.vcd`` without the lz4 headers)
        in this folder, created if missing.
    invalid : {"raise", "drop"}
        As for :func:`~neurocore_hw.network.run_network`: with ``"drop"`` the events may
        name sources past ``inputs`` (within the port), which the core drops and counts.
        The dropped-event counter is read over the bus after the last timestep and
        compared either way.
    intrusions : {None, "busy", "idle"}
        ``"busy"``: while every timestep runs, a bus write of a random word to a random
        address (any region, the status register included) and a read the clock after;
        the core ignores the bus outside IDLE, so the run must stay bit-exact with no
        extra read word. ``"idle"`` issues the same right after the timestep, in IDLE,
        where they land: the control that shows the check would see a taken intrusion
        (that run fails).
    reset_at : int, optional
        Reset the core in the middle of timestep ``reset_at``: its events delivered, its
        sweep running with the output stream held, then a reset. The host then reloads
        the state (the model's reset state), accumulators (zeros) and bias registers --
        not the weights, which a reset keeps -- and the remaining timesteps run as a new
        run (timestep numbers and the dropped count from 0), compared with the golden
        model from that state.

    Returns
    -------
    CoreCosimResult
    """
    n = config.neurons
    w = validate_weights(config, weights)
    if not 0 <= stall <= 255:
        raise ValueError(f"stall must be in 0..255, got {stall}")
    model = config.params.model
    state = model.initial_state(config.params, n) if state is None else state
    acc = np.zeros(n, np.int64) if acc is None else np.asarray(acc, np.int64)
    bias = validate_bias(config, bias)
    events = list(events) + [np.zeros(0, np.int64)] * (steps - len(events))
    rng = np.random.default_rng(seed)

    prog = CoreProgram(config)
    prog.write_weights(w)
    prog.write_state(state, acc)
    if config.bias:
        prog.write_bias(bias)
    expected_aer, reads = [], []
    if intrusions not in (None, "busy", "idle"):
        raise ValueError(f"intrusions must be None, 'busy' or 'idle', got {intrusions!r}")
    cur_state, cur_acc, dropped = state, acc, 0
    counts = np.zeros(n, np.int64) if config.xylo else None  # Xylo: rows still to add
    lay = core_layout(config)

    def intrude() -> None:
        region = int(rng.integers(0, 4))
        index = (int(rng.integers(0, lay["weight_words"])) if region == REGION_WEIGHTS
                 else status_index(config) if rng.random() < 0.2
                 else int(rng.integers(0, n)))
        prog.op("intrude", prog.address(region, index),
                int(rng.integers(0, 1 << min(62, lay["bus_data_bits"]))))

    if reset_at is not None and not 0 <= reset_at < steps - 1:
        raise ValueError(f"reset_at must be in 0..{steps - 2}, got {reset_at}")
    first = 0  # the run's first timestep (a reset starts a new run)
    for k in range(steps):
        for s in _counted(events[k], config.xylo, lay["source_bits"]):
            if gaps and rng.random() < 0.3:
                prog.op("gap", d=int(rng.integers(1, 4)))
            prog.op("event", d=s)
        if k == reset_at:  # start, let the sweep run a while, reset; reload and go on
            prog.op("hold")
            prog.op("start")
            prog.op("gap", d=int(rng.integers(2, n)))
            prog.op("reset")
            cur_state = model.initial_state(config.params, n)
            cur_acc, dropped, first = np.zeros(n, np.int64), 0, k + 1
            counts = np.zeros(n, np.int64) if config.xylo else None
            prog.write_state(cur_state, cur_acc)
            if config.bias:
                prog.write_bias(bias)
            continue
        prog.op("start")
        if intrusions == "busy":
            intrude()
        prog.op("wait")
        if intrusions == "idle":
            intrude()
        res = run_network(config, w, [events[k]], 1, state=cur_state, acc=cur_acc,
                          first_step=k - first, bias=bias if config.bias else None,
                          invalid=invalid, dropped=dropped, counts=counts)
        expected_aer.append(res.aer)
        cur_state, cur_acc, dropped, counts = res.state, res.acc, res.dropped, res.counts
        if read_every_step or k == steps - 1:
            prog.read_all()
            reads += expected_reads(config, cur_state, cur_acc, bias)
    prog.op("read", prog.address(REGION_ACC, status_index(config)))
    reads.append(dropped & ((1 << core_layout(config)["bus_data_bits"]) - 1))
    aer = np.concatenate(expected_aer)
    text = (emit_core(config, fifo_depth=fifo_depth, pipelined=pipelined)
            if verilog_text is None
            else verilog_text) + core_testbench(config)
    max_cycles = 40 * len(prog.words) + 4 * steps * n * (
        2 + sum(map(len, events)) + (n if config.recurrent else 0))
    return play_program(text, prog, aer, reads, layout=core_layout(config),
                        time_width=config.time_width, max_cycles=max_cycles, stall=stall,
                        build_root=build_root, neurons=n, steps=steps,
                        events_in=int(sum(map(len, events))), what="core co-simulation",
                        waves_dir=waves_dir)


def play_program(text: str, prog: CoreProgram, aer: np.ndarray, reads: list[int], *,
                 layout: dict, time_width: int, max_cycles: int, stall: int,
                 build_root: str | Path, neurons: int, steps: int, events_in: int,
                 what: str, waves_dir: str | Path | None = None) -> CoreCosimResult:
    """Build ``text`` (a design and its program-player testbench), play ``prog`` with the
    output stream stalled ``stall``/256 of the time, and compare the captured output
    events with ``aer`` (``[K, 2]``: timestep, neuron; ``[K, 3]`` with the spike count
    where ``layout`` has ``count_bits``) and the read words with
    ``reads``; with ``waves_dir``, trace the run into a waveform there."""
    t0 = time.perf_counter()
    waves = waves_dir is not None
    build_dir, built = build_model(text, CORE_TB_TOP, build_root=build_root, waves=waves,
                                   extra_waivers=("CASEINCOMPLETE",))
    build_seconds = time.perf_counter() - t0 if built else 0.0
    with tempfile.TemporaryDirectory(prefix="neurocore-core-") as tmp:
        tmp = Path(tmp)
        (tmp / "prog.hex").write_text(prog.hex())
        columns = 3 if layout.get("count_bits") else 2
        np.savez(tmp / "expected.npz", aer=np.asarray(aer).reshape(-1, columns),
                 reads=np.array(reads, dtype=object if layout["bus_data_bits"] > 62
                                else np.int64))
        report = tmp / "report.json"
        env = {"NEUROCORE_CORE_EXPECTED": str(tmp / "expected.npz"),
               "NEUROCORE_CORE_REPORT": str(report),
               "NEUROCORE_CORE_FILES": json.dumps({
                   "aer": str(tmp / "aer.hex"), "cap": str(tmp / "cap.hex"),
                   "counts": str(tmp / "counts.txt")}),
               "NEUROCORE_CORE_META": json.dumps({
                   "neuron_bits": layout["neuron_bits"], "time_width": time_width,
                   "count_bits": layout.get("count_bits", 0), "max_cycles": max_cycles})}
        result, seconds = run_bench(
            build_dir, CORE_TB_TOP, "bench_core", tmp=tmp, env=env, report=report,
            plusargs=[f"+prog={tmp / 'prog.hex'}", f"+aer={tmp / 'aer.hex'}",
                      f"+cap={tmp / 'cap.hex'}", f"+counts={tmp / 'counts.txt'}",
                      f"+stall={stall}"], what=what, waves=waves,
            run_dir=Path(waves_dir).resolve() if waves else None)
    waveform = waveform_in(Path(waves_dir)) if waves else None
    if waves and waveform is None:
        raise RuntimeError(f"the traced co-simulation wrote no waveform into {waves_dir}")
    return CoreCosimResult(
        neurons=neurons, steps=steps, events_in=events_in, events_out=len(aer),
        mismatches=result["mismatches"], first_mismatch=result["first_mismatch"],
        cycles=result["cycles"], seconds=seconds, build_seconds=build_seconds,
        passed=result["finished"] and result["mismatches"] == 0, waveform=waveform)
