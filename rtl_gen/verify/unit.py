"""Bit-exact co-simulation of one neuron unit's Verilog against the golden model.

The golden trace is computed once, vectorized, by :func:`neurocore_hw.engine.run` with the
same ``en``/``rst`` controls the bench drives (for a variant: its cycle-level model). The
unit runs inside the testbench top level of :mod:`rtl_gen.verify.bulk`; the cocotb bench
(``sim/bench_neuron.py``) drives it cycle by cycle and records every output, or (bulk
mode, ``sim/bench_bulk.py``) the stimulus plays from memory inside the simulation; either
way every output is compared on every cycle.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neurocore_hw.engine import run
from neurocore_hw.model import model_of
from neurocore_hw.stimulus import make_stimulus

from ..emit import emit_verilog, top_name
from ..hardware import hardware_for, unit_state_ports
from .bulk import BULK_DEPTH, BULK_TOP, bulk_wrapper, pack_stimulus, write_stimulus
from .toolchain import DEFAULT_BUILD_ROOT, SIM_DIR, build_model, run_bench, waveform_in

__all__ = ["BENCH_MODULE", "CosimResult", "check_unit_ports", "run_cosim"]

#: The per-cycle cocotb bench.
BENCH_MODULE = "bench_neuron"


@dataclass
class CosimResult:
    """Outcome of one co-simulation.

    Attributes
    ----------
    model, preset : str
        What was simulated (``preset`` may be ``"custom"``).
    cycles : int
        Cycles compared.
    mismatches : int
        Cycle-signal pairs that differed (0 means bit-exact).
    first_mismatch : str or None
        ``"seed S cycle C signal X: expected E, got G"`` for the first difference.
    seed : int
        Stimulus seed.
    seconds : float
        Wall time of the simulation run (excluding the build).
    build_seconds : float
        Wall time of the build (0 when the cached build was reused).
    bench_seconds : float
        Time inside the cocotb bench (loading the data, every clock, the comparison):
        ``seconds`` without the simulator's and Python's start-up.
    passed : bool
        The bench ran to completion and found no mismatch.
    waveform : pathlib.Path or None
        The waveform file of a ``waves`` run (``dump.fst`` or ``dump.vcd``).
    mutant_mismatches : dict of int to int or None
        With ``mutants``: each mutant's mismatching cycle-signal pairs (0: it survived).
    """

    model: str
    preset: str
    cycles: int
    mismatches: int
    first_mismatch: str | None
    seed: int
    seconds: float
    build_seconds: float
    passed: bool
    bench_seconds: float = 0.0
    waveform: Path | None = None
    mutant_mismatches: dict[int, int] | None = None

    @property
    def cycles_per_s(self) -> float:
        """Compared cycles per second of the bench (start-up excluded)."""
        seconds = self.bench_seconds or self.seconds
        return self.cycles / seconds if seconds else 0.0

_KEYWORDS = {"input", "output", "inout", "wire", "reg", "logic", "signed", "unsigned"}


def check_unit_ports(verilog: str, top: str, inputs: list[tuple[str, int]],
                     outputs: list[tuple[str, int]]) -> None:
    """Check that user Verilog has module ``top`` with the unit's ports and widths
    (``clk``, ``rst``, ``en``, then ``inputs``; ``outputs``), before a build whose
    errors would point at the generated testbench.

    Raises
    ------
    ValueError
        A missing module (naming those present), a missing port, a port of the wrong
        direction or width.
    """
    match = re.search(rf"\bmodule\s+{re.escape(top)}\b", verilog)
    if match is None:
        found = re.findall(r"\bmodule\s+([A-Za-z_]\w*)", verilog)
        raise ValueError(f"the Verilog has no module {top!r} (modules: "
                         f"{', '.join(found) or 'none'}); name it with --top")
    end = verilog.find("endmodule", match.end())
    body = verilog[match.end():end if end >= 0 else None]
    declared: dict[str, tuple[str, int]] = {}
    for direction, msb, lsb, names in re.findall(
            r"\b(input|output|inout)\b\s*(?:wire|reg|logic)?\s*(?:signed|unsigned)?\s*"
            r"(?:\[\s*(\d+)\s*:\s*(\d+)\s*\])?\s*([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)",
            body):
        width = abs(int(msb) - int(lsb)) + 1 if msb else 1
        for name in (n.strip() for n in names.split(",")):
            if name not in _KEYWORDS:
                declared.setdefault(name, (direction, width))
    wanted = [("input", n, w) for n, w in [("clk", 1), ("rst", 1), ("en", 1), *inputs]]
    wanted += [("output", n, w) for n, w in outputs]
    for direction, name, width in wanted:
        if name not in declared:
            raise ValueError(f"module {top} has no {direction} port {name!r} "
                             f"(expected {direction} [{width - 1}:0] {name})")
        got_dir, got_width = declared[name]
        if got_dir != direction:
            raise ValueError(f"port {name!r} of {top} is an {got_dir}, expected an "
                             f"{direction}")
        if got_width != width:
            raise ValueError(f"port {name!r} of {top} is {got_width} bits, expected {width}:"
                             " the Verilog was made with other parameters than these "
                             "(give the same --preset/--param/--format)")


def _build_error(exc: RuntimeError, user_lines: int) -> str:
    """The first Verilator error of a failed build of user Verilog, its location mapped
    back to the user's file (which opens the built source)."""
    first = next((ln for ln in str(exc).splitlines() if ln.startswith("%Error")), str(exc))
    m = re.match(r"%Error(?:-\w+)?: \S+?\.s?v:(\d+):(\d+): (.*)", first)
    if m and int(m.group(1)) <= user_lines:
        return f"Verilator: line {m.group(1)}:{m.group(2)} of the Verilog: {m.group(3)}"
    return f"Verilator cannot build the testbench around the Verilog: {first}"


def run_cosim(params, *, preset: str = "custom", cycles: int = 50_000, seed: int = 1,
              verilog: str | None = None, top: str | None = None,
              build_root: str | Path | None = DEFAULT_BUILD_ROOT, waves: bool = False,
              waves_dir: str | Path | None = None, quiet: bool = True,
              variant: str | None = None, golden=None, mode: str = "cycle",
              plusargs: tuple[str, ...] = (), mutants: tuple[int, ...] = (),
              dump: str | Path | None = None) -> CosimResult:
    """Co-simulate a neuron unit's Verilog against the golden model, every cycle.

    Parameters
    ----------
    params : object
        A registered model's ``Params``; drives the stimulus and the golden trace.
    preset : str
        Label for reports.
    cycles : int
        Cycles to simulate and compare.
    seed : int
        Stimulus seed.
    verilog : str, optional
        Verilog text to verify; by default the text :func:`emit_verilog` produces.
    top : str, optional
        Top module of ``verilog``; ``neurocore_<model>`` by default.
    build_root : path
        Build cache folder.
    waves : bool
        Write a waveform into ``waves_dir``: ``dump.fst``, or ``dump.vcd`` where the lz4
        headers FST needs are missing (see :func:`fst_available`).
    waves_dir : path, optional
        Where the waveform goes (required with ``waves``).
    quiet : bool
        Send the simulator's log to a file instead of the terminal.
    variant : str, optional
        A registered hardware variant; its cycle-level model gives the expected trace.
    golden : neurocore_hw.engine.RunResult, optional
        The engine's run on this very stimulus (``make_stimulus(params, cycles, seed)``
        with ``record=True``, ``en`` and ``rst``), when the caller already has it (tests
        that check coverage first); it is compared against a fresh check of its shape.
    mode : {"cycle", "bulk"}
        ``"cycle"``: cocotb drives every input and reads every output on every clock
        (``sim/bench_neuron.py``). ``"bulk"``: the stimulus plays from memory inside the
        simulation and every output is captured there (:mod:`rtl_gen.verify.bulk`,
        ``sim/bench_bulk.py``). Same timing, same every-cycle comparison. A run longer
        than :data:`~rtl_gen.verify.bulk.BULK_DEPTH` cycles (a soak) is split into
        equal segments, segment ``i`` with stimulus seed ``seed + i``, each starting from
        reset; the result adds them up and names the failing segment's seed.
    plusargs : tuple of str
        Further simulator plusargs (e.g. ``+mutant=3`` for a mutant schema).
    mutants : tuple of int
        ``verilog`` is a mutant schema (:mod:`rtl_gen.verify.mutation`): play the
        stimulus without a mutant, once per listed mutant and once more without, in one
        simulation (bulk mode; ``sim/bench_mutants.py``). ``passed`` and ``mismatches``
        speak of the passes without a mutant; ``mutant_mismatches`` of the others.
    dump : path, optional
        A folder to write ``rtl.npz`` (every output the RTL gave, per cycle: ``spike`` and
        each state register) and ``golden.npz`` (the same names from the golden model,
        plus ``en``, ``rst`` and each input port) into, for ``neurocore-hw plot``.

    Returns
    -------
    CosimResult

    Raises
    ------
    ValueError
        User ``verilog`` without the unit's module, ports or widths, or that Verilator
        cannot build (the first error, at its line in that Verilog).
    """
    model = model_of(params)
    chosen = hardware_for(params).check_variant(variant)
    if mode not in ("cycle", "bulk"):
        raise ValueError(f"mode={mode!r} is not one of cycle, bulk")
    if mutants and (mode != "bulk" or verilog is None or waves):
        raise ValueError("mutants need a schema as verilog, bulk mode and no waves")
    if dump is not None and (mutants or (mode == "bulk" and cycles > BULK_DEPTH)):
        raise ValueError(f"dump takes one run: no mutants, at most {BULK_DEPTH} cycles "
                         "in bulk mode")
    if mode == "bulk" and cycles > BULK_DEPTH:
        if waves or golden is not None:
            raise ValueError(f"a bulk run of more than {BULK_DEPTH} cycles takes no waves "
                             "and no golden trace")
        return _segmented(params, cycles=cycles, seed=seed, preset=preset, verilog=verilog,
                          top=top, build_root=build_root, quiet=quiet, variant=variant,
                          plusargs=plusargs, mutants=mutants)
    top = top or top_name(model.name, variant)
    text = emit_verilog(params, variant) if verilog is None else verilog
    in_ports = params.input_ports()
    state_ports = unit_state_ports(params, variant)
    inputs = [(p.name, p.width) for p in in_ports]
    outputs = [("spike", 1)] + [(p.name, p.width) for p in state_ports]
    if verilog is not None:
        check_unit_ports(verilog, top, inputs, outputs)
    user_lines = text.count("\n") + 1
    text += bulk_wrapper(top, inputs, outputs)
    bench = BENCH_MODULE if mode == "cycle" else "bench_mutants" if mutants else "bench_bulk"
    t0 = time.perf_counter()
    try:
        build_dir, built = build_model(text, BULK_TOP, build_root=build_root, waves=waves)
    except RuntimeError as exc:
        if verilog is None:
            raise
        raise ValueError(_build_error(exc, user_lines)) from None
    build_seconds = time.perf_counter() - t0 if built else 0.0

    stim = make_stimulus(params, cycles, seed)
    if variant is None:
        if golden is None:
            golden = run(params, {k: v[:, None] for k, v in stim.inputs.items()},
                         record=True, en=stim.en, rst=stim.rst)
        elif golden.spikes.shape != (cycles, 1):
            raise ValueError(f"golden has shape {golden.spikes.shape}, expected "
                             f"({cycles}, 1)")
        expected = {"spike": golden.spikes[:, 0].astype(np.int64),
                    **{p.name: golden.traces[p.name][:, 0] for p in state_ports}}
    else:
        expected = chosen.cycle_model(params, *(stim.inputs[p.name] for p in in_ports), en=stim.en,
                            rst=stim.rst)
    if not (SIM_DIR / f"{BENCH_MODULE}.py").exists():
        raise RuntimeError(f"cocotb bench not found at {SIM_DIR}: reinstall neurocore-hw")

    with tempfile.TemporaryDirectory(prefix="neurocore-cosim-") as tmp:
        tmp = Path(tmp)
        run_dir = Path(waves_dir).resolve() if waves else tmp
        run_dir.mkdir(parents=True, exist_ok=True)
        data = tmp / "stimulus.npz"
        report = tmp / "report.json"
        arrays = {"en": stim.en.astype(np.uint8)}
        arrays.update({f"exp_{name}": values for name, values in expected.items()})
        meta = {"seed": seed, "widths": [["spike", False, 1]] + [
            [p.name, p.signed, p.width] for p in state_ports]}
        np.savez(data, **arrays)
        write_stimulus(tmp / "stim.hex", pack_stimulus(
            stim.en, stim.rst, [(stim.inputs[p.name], p.width) for p in in_ports]))
        env = {"NEUROCORE_COSIM_DATA": str(data), "NEUROCORE_COSIM_REPORT": str(report),
               "NEUROCORE_COSIM_META": json.dumps(meta),
               "NEUROCORE_COSIM_STIM": str(tmp / "stim.hex")}
        if mutants:
            env["NEUROCORE_MUTANTS"] = json.dumps([int(i) for i in mutants])
        if dump is not None:
            dump = Path(dump).resolve()
            dump.mkdir(parents=True, exist_ok=True)
            env["NEUROCORE_COSIM_DUMP"] = str(dump / "rtl.npz")
            np.savez(dump / "golden.npz", **expected,
                     en=stim.en.astype(np.uint8), rst=stim.rst.astype(np.uint8),
                     **{p.name: stim.inputs[p.name] for p in in_ports})
        if mode == "bulk":
            env["NEUROCORE_BULK_CAPTURE"] = str(tmp / "cap.hex")
            plusargs = ["+bulk", f"+stim={tmp / 'stim.hex'}", f"+cap={tmp / 'cap.hex'}",
                        f"+cycles={cycles}", *plusargs]
        else:
            plusargs = list(plusargs)
        result, seconds = run_bench(build_dir, BULK_TOP, bench, tmp=tmp, env=env,
                                    report=report, plusargs=plusargs, run_dir=run_dir,
                                    waves=waves, quiet=quiet)
    waveform = waveform_in(run_dir) if waves else None
    if waves and waveform is None:
        raise RuntimeError(f"the traced co-simulation wrote no waveform into {run_dir}")
    return CosimResult(model=model.name, preset=preset, cycles=result["cycles"],
                       mismatches=result["mismatches"],
                       first_mismatch=result["first_mismatch"], seed=seed,
                       seconds=seconds, build_seconds=build_seconds,
                       passed=result["mismatches"] == 0 and result["cycles"] == cycles,
                       bench_seconds=result.get("bench_seconds", 0.0), waveform=waveform,
                       mutant_mismatches={int(k): v for k, v in result["mutants"].items()}
                       if mutants else None)


def _segmented(params, *, cycles: int, seed: int, **kwargs) -> CosimResult:
    """A bulk run of ``cycles`` as equal segments of at most ``BULK_DEPTH`` cycles, segment
    ``i`` with seed ``seed + i``; the results added up."""
    count = -(-cycles // BULK_DEPTH)
    sizes = [cycles // count + (i < cycles % count) for i in range(count)]
    parts = [run_cosim(params, cycles=size, seed=seed + i, mode="bulk", **kwargs)
             for i, size in enumerate(sizes)]
    first = next((p.first_mismatch for p in parts if p.first_mismatch), None)
    per_mutant = None
    if parts[0].mutant_mismatches is not None:
        per_mutant = {k: sum(p.mutant_mismatches[k] for p in parts)
                      for k in parts[0].mutant_mismatches}
    return CosimResult(model=parts[0].model, preset=parts[0].preset,
                       cycles=sum(p.cycles for p in parts),
                       mismatches=sum(p.mismatches for p in parts), first_mismatch=first,
                       seed=seed, seconds=sum(p.seconds for p in parts),
                       build_seconds=sum(p.build_seconds for p in parts),
                       passed=all(p.passed for p in parts),
                       bench_seconds=sum(p.bench_seconds for p in parts),
                       mutant_mismatches=per_mutant)
