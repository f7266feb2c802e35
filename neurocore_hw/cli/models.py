"""The model commands: list, describe, generate, simulate, cosim, synth, board, bench."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from ..engine import run
from ..fixed import QuantizedValue
from ..registry import MODELS, parameter_names
from .common import (
    CliError,
    add_command,
    atomic_write,
    format_table,
    load_inputs,
    model_args,
    natural,
    params_from_args,
    progress,
)

__all__ = ["add_commands", "describe_dict"]


def _field(params, dotted: str):
    for key in dotted.split("."):
        params = getattr(params, key)
    return params


def _hardware(params):
    from rtl_gen.hardware import hardware_for
    return hardware_for(params)


def _variants(params) -> list[str]:
    return list(_hardware(params).variants)


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


def _real_model(model: str, params) -> tuple[dict, str]:
    """The real model ``params`` stand for, ``{name: {value, unit, doc}}``, or why none."""
    real_cls = MODELS[model].real
    if real_cls is None:
        return {}, "no real-unit form"
    try:
        real = real_cls.from_params(params)
    except ValueError as exc:
        return {}, str(exc)
    units, docs = real_cls.units(), real_cls.docs()
    return {name: {"value": value, "unit": units[name], "doc": docs[name]}
            for name, value in real.as_dict().items()}, ""


def describe_dict(model: str, preset: str, params, quantization=None) -> dict:
    """JSON-ready description: parameters (integer and real; a held model's dotted), the
    real-unit model and its quantization errors, variants, ports, state."""
    from dataclasses import asdict

    def row(q: QuantizedValue) -> dict:
        return {"code": q.value, "real": q.real, "error": q.error}

    constants = {name: row(value) if isinstance(value, QuantizedValue)
                 else [row(q) for q in value] for name, value in params.constants().items()}
    return {
        "model": model,
        "preset": preset,
        "top": f"neurocore_{model}",
        "params": asdict(params),
        "real": params.real_values(),
        "real_model": _real_model(model, params)[0],
        **({"quantization": {k: row(q) for k, q in quantization.items()}}
           if quantization else {}),
        "variants": {name: v.summary for name, v in _hardware(params).variants.items()},
        **({"constants": constants} if constants else {}),
        "inputs": {p.name: p.as_dict() for p in params.input_ports()},
        "state": {p.name: p.as_dict() for p in params.state_ports()},
        "outputs": {"spike": {"width": 1, "signed": False, "frac": 0, "reset": 0},
                    **{p.name: p.as_dict() for p in params.state_ports()}},
    }


def cmd_describe(args) -> int:
    params = params_from_args(args)
    info = describe_dict(args.model, args.preset, params, args.quantization)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"{info['model']} (preset {info['preset']}, top module {info['top']})")
    print(format_table(("parameter", "value", "real"),
                       [(k, _field(params, k), info["real"].get(k, ""))
                        for k in parameter_names(params)]))
    real = info["real_model"]
    if real:
        print("real-unit model these integers hold (--real K=V sets it, --format keeps it):")
        print(format_table(("real", "value", "unit", "meaning"),
                           [(k, f"{d['value']:.6g}", d["unit"] or "-", d["doc"])
                            for k, d in real.items()]))
    else:
        print(f"real-unit model: none ({_real_model(args.model, params)[1]})")
    if args.quantization:
        print(format_table(("constant", "code", "wanted", "error"),
                           [(k, q.value, f"{q.real:.6g}", f"{q.error:+.3g}")
                            for k, q in args.quantization.items()]))
    if info["variants"]:
        print(format_table(("variant", "what"), list(info["variants"].items())))
    rows = [(kind, name, "signed" if d["signed"] else "unsigned", d["width"], d["frac"])
            for kind in ("inputs", "state") for name, d in info[kind].items()]
    print(format_table(("kind", "port", "type", "width", "frac"), rows))
    return 0


def cmd_generate(args) -> int:
    from rtl_gen.emit import emit_verilog, top_name  # hardware side, imported on demand
    if args.all:
        if (args.model or args.output or args.preset or args.param or args.variant
                or args.fusesoc or args.fusesoc_generator):
            raise CliError("generate --all takes only --outdir")
        outdir = Path(args.outdir)
        outdir.mkdir(parents=True, exist_ok=True)
        for name, entry in MODELS.items():
            params = entry.presets[entry.default_preset]
            for variant in (None, *_variants(params)):
                text = emit_verilog(params, variant)
                path = outdir / f"{top_name(name, variant)}.v"
                atomic_write(path, lambda fh, t=text: fh.write(t.encode()))
                print(f"wrote {path} ({name}, preset {entry.default_preset})")
        return 0
    if args.fusesoc_generator:
        from rtl_gen.fusesoc import write_generator
        if args.model or args.output or args.fusesoc:
            raise CliError("--fusesoc-generator DIR takes no MODEL, -o or --fusesoc")
        folder = _existing_folder(args.fusesoc_generator, "--fusesoc-generator")
        print(f"wrote {write_generator(folder)} (generator {'neurocore'})")
        return 0
    if not args.model:
        raise CliError("generate needs MODEL (or --all)")
    if args.fusesoc:
        from rtl_gen.fusesoc import write_unit_core
        if args.output:
            raise CliError("give -o FILE.v or --fusesoc DIR, not both")
        folder = _existing_folder(args.fusesoc, "--fusesoc")
        params = params_from_args(args)
        verilog, core = write_unit_core(
            folder, params, variant=args.variant, label=args.preset,
            write=lambda path, text: atomic_write(path, lambda fh: fh.write(text.encode())))
        print(f"wrote {verilog} and {core} (top module {top_name(args.model, args.variant)})")
        return 0
    if not args.output:
        raise CliError("generate needs -o FILE.v")
    text = emit_verilog(params_from_args(args), args.variant)
    atomic_write(args.output, lambda fh: fh.write(text.encode()))
    print(f"wrote {args.output} (top module {top_name(args.model, args.variant)})")
    return 0


def _existing_folder(path: str, option: str) -> Path:
    folder = Path(path)
    if not folder.is_dir():
        raise CliError(f"{option} {path!r} is not an existing folder")
    return folder


def _register_dtype(port, values: np.ndarray) -> np.ndarray:
    """``values`` in the narrowest integer dtype that holds ``port``'s register (int16 for a
    16-bit signed state), kept as they are if any value lies outside it."""
    bits = next(b for b in (8, 16, 32, 64) if port.width <= b)
    dtype = np.dtype(f"{'' if port.signed else 'u'}int{bits}")
    info = np.iinfo(dtype)
    if values.size and (values.min() < info.min or values.max() > info.max):
        return values
    return values.astype(dtype)


def dense_from_events(data: dict[str, np.ndarray], ports, steps: int | None,
                      neurons: int | None) -> dict[str, np.ndarray]:
    """Input arrays with every ``<port>_events`` (AER: rows of step, neuron[, value];
    value 1 when absent; events at one step and neuron add up) made a dense ``[T, N]``
    ``<port>``; dense arrays pass through.

    Raises
    ------
    CliError
        Events without ``--steps``/``--neurons``, a malformed event array, an event outside
        them, a port given both ways.
    """
    out = {k: v for k, v in data.items() if not k.endswith("_events")}
    for name, value in (("steps", steps), ("neurons", neurons)):
        if value is not None and not 1 <= value <= 1 << 30:
            raise CliError(f"--{name} must be in [1, 2**30], got {value}")
    if steps is not None and neurons is not None and steps * neurons > 1 << 30:
        raise CliError(f"--steps {steps} x --neurons {neurons} is more than 2**30 entries "
                       "per input")
    for key in sorted(k for k in data if k.endswith("_events")):
        port = key[:-len("_events")]
        if port not in ports:
            raise CliError(f"{key!r} names no input port (inputs: {', '.join(ports)})")
        if port in out:
            raise CliError(f"input {port!r} is given both dense and as {key!r}")
        if steps is None or neurons is None:
            raise CliError(f"{key!r} is AER events: give --steps T and --neurons N")
        ev = np.asarray(data[key])
        if ev.dtype.kind not in "iu" or ev.ndim != 2 or ev.shape[1] not in (2, 3):
            raise CliError(f"{key!r} must be integer rows (step, neuron) or (step, neuron, "
                           f"value), got dtype {ev.dtype} shape {ev.shape}")
        step, neuron = ev[:, 0].astype(np.int64), ev[:, 1].astype(np.int64)
        bad = (step < 0) | (step >= steps) | (neuron < 0) | (neuron >= neurons)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise CliError(f"{key!r} row {k}: event ({step[k]}, {neuron[k]}) is outside "
                           f"--steps {steps} x --neurons {neurons}")
        dense = np.zeros((steps, neurons), dtype=np.int64)
        np.add.at(dense, (step, neuron), ev[:, 2].astype(np.int64) if ev.shape[1] == 3 else 1)
        out[port] = dense
    return out


def cmd_simulate(args) -> int:
    params = params_from_args(args)
    ports = [p.name for p in params.input_ports()]
    inputs = dense_from_events(load_inputs(args.input), ports, args.steps, args.neurons)
    result = run(params, inputs, record=True)
    ports = {port.name: port for port in params.state_ports()}
    traces = {name: _register_dtype(ports[name], x) if name in ports else x
              for name, x in result.traces.items()}
    if args.out_events:
        step, neuron = np.nonzero(result.spikes)
        arrays = {"spike_events": np.stack([step, neuron], axis=1).astype(np.int64),
                  **traces}
    else:
        arrays = {"spike": result.spikes.astype(np.uint8), **traces}
    atomic_write(args.out, lambda fh: np.savez(fh, **arrays))
    t_steps, n = result.spikes.shape
    print(f"simulated {args.model}: {t_steps} steps x {n} neurons, "
          f"{int(result.spikes.sum())} spikes -> {args.out}")
    return 0


def cmd_cosim(args) -> int:
    from rtl_gen.verify.unit import run_cosim
    if args.cycles < 1:
        raise CliError(f"--cycles must be >= 1, got {args.cycles}")
    jobs = []
    if args.all:
        if args.model or args.verilog or args.param or args.preset or args.variant:
            raise CliError("cosim --all takes only --cycles, --seed, --mode")
        jobs = [(name, preset, params, None) for name, e in MODELS.items()
                for preset, params in e.presets.items()]
        jobs += [(name, e.default_preset, e.presets[e.default_preset], variant)
                 for name, e in MODELS.items()
                 for variant in _variants(e.presets[e.default_preset])]
    elif args.model:
        params = params_from_args(args)
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
        dump = Path(args.dump) / f"{name}-{preset}" if args.dump else None
        try:
            res = run_cosim(params, preset=preset, cycles=args.cycles, seed=args.seed,
                            verilog=verilog, top=args.top, waves=args.waves,
                            waves_dir=waves_dir, variant=variant, mode=args.mode, dump=dump)
        except ValueError as exc:
            if dump is None or "dump" not in str(exc):
                raise
            raise CliError(f"--dump: {exc}") from None
        failed += not res.passed
        label = res.model + (f" ({variant})" if variant else "")
        progress("cosim", len(rows) + 1, len(jobs),
                 f"{label} {res.preset} {'PASS' if res.passed else 'FAIL'}")
        rows.append((label, res.preset, res.cycles, res.mismatches,
                     f"{res.seconds:.2f}", f"{res.cycles_per_s:,.0f}",
                     "PASS" if res.passed else "FAIL"))
        if res.first_mismatch:
            print(f"MISMATCH {name}/{preset}: {res.first_mismatch}", file=sys.stderr)
        if res.waveform:
            print(f"waveform: {res.waveform}")
        if dump is not None:
            print(f"outputs: {dump / 'rtl.npz'} (RTL), {dump / 'golden.npz'} (golden model)")
    print(format_table(("model", "preset", "cycles", "mismatches", "seconds", "cycles/s",
                        "result"), rows))
    return 1 if failed else 0


def cmd_mutants(args) -> int:
    from rtl_gen.verify.mutation import markdown, run_mutation
    if args.cycles < 1 or args.long_cycles < 0:
        raise CliError("--cycles must be >= 1 and --long-cycles >= 0")
    if args.jobs < 1:
        raise CliError(f"--jobs must be >= 1, got {args.jobs}")
    if not 0.0 <= args.min_kill_rate <= 1.0:
        raise CliError(f"--min-kill-rate must be in [0, 1], got {args.min_kill_rate}")
    if args.sample is not None and args.sample < 1:
        raise CliError(f"--sample must be >= 1, got {args.sample}")
    if args.all:
        if args.model or args.param or args.preset or args.variant:
            raise CliError("mutants --all takes no MODEL, --preset, --param or --variant")
        only = set(args.only.split(",")) if args.only else set(MODELS)
        unknown = sorted(only - set(MODELS))
        if unknown:
            raise CliError(f"--only: unknown model {unknown[0]!r}")
        jobs = [(name, e.default_preset, e.presets[e.default_preset], variant)
                for name, e in MODELS.items() if name in only
                for variant in [None, *_variants(e.presets[e.default_preset])]]
    elif args.model:
        if args.only:
            raise CliError("--only goes with --all")
        params = params_from_args(args)
        jobs = [(args.model, args.preset, params, args.variant)]
    else:
        raise CliError("mutants needs MODEL (or --all)")
    reports, rows = [], []
    for name, preset, params, variant in jobs:
        label = name + (f" ({variant})" if variant else "")
        report = run_mutation(
            params, preset=preset, variant=variant, cycles=args.cycles, seed=args.seed,
            long_cycles=args.long_cycles, jobs=args.jobs,
            equivalence=not args.no_equivalence, state_check=not args.no_state_check,
            sample=args.sample, on_progress=lambda done, total, label=label: progress(
                "mutants", done, total, f"{label}: mutants simulated"))
        reports.append(report)
        progress("mutants", len(reports), len(jobs), f"{label} {100 * report.kill_rate:.1f} %")
        count = (f"{len(report.mutants)} of {report.population}" if report.sampled
                 else len(report.mutants))
        rows.append((label, preset, count, report.killed,
                     report.equivalents, report.count("undecided"),
                     report.count("survived"), f"{100 * report.kill_rate:.1f} %",
                     f"{report.seconds:.0f}"))
        for m in report.survivors():
            print(f"SURVIVED {label}: {m.describe()}", file=sys.stderr)
        # after every unit, so a long run that is stopped keeps what it measured
        if args.markdown:
            command = "neurocore-hw mutants " + " ".join(sys.argv[2:])
            text = markdown(reports, command.strip())
            atomic_write(Path(args.markdown), lambda fh, t=text: fh.write(t.encode()))
        if args.json:
            data = json.dumps([r.to_dict() for r in reports], indent=1)
            atomic_write(Path(args.json), lambda fh, d=data: fh.write(d.encode()))
    print(format_table(("model", "preset", "mutants", "killed", "equivalent", "undecided",
                        "survived", "kill rate", "seconds"), rows))
    low = [r for r in reports if r.kill_rate < args.min_kill_rate]
    for r in low:
        print(f"kill rate of {r.model}{f' ({r.variant})' if r.variant else ''} "
              f"{100 * r.kill_rate:.1f} % is below {100 * args.min_kill_rate:.0f} %",
              file=sys.stderr)
    return 1 if low else 0


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
    params = params_from_args(args)
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
    from rtl_gen.report import all_designs, measure_all, render_page
    from rtl_gen.synth import tool_versions
    if args.model or args.preset or args.param or args.variant or args.pnr:
        raise CliError("synth --all takes only --page, --seeds, --jobs and --json")
    if args.seeds < 1 or args.jobs < 1:
        raise CliError("--seeds and --jobs must be >= 1")
    from neurocore_hw.sweep import ResultCache
    try:
        reports = measure_all(all_designs(), seeds=args.seeds, jobs=args.jobs,
                              cache=None if args.no_cache else ResultCache(args.cache))
    except RuntimeError as exc:
        raise CliError(str(exc)) from None
    if args.page:
        command = f"neurocore-hw synth --all --seeds {args.seeds} --page {args.page}"
        text = render_page(reports, command=command, seeds=args.seeds,
                           versions=tool_versions())
        atomic_write(args.page, lambda fh: fh.write(text.encode()))
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
    params = params_from_args(args)
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
    from ..bench import bench_model
    result = bench_model(params_from_args(args), args.neurons, args.steps, repeats=args.repeats,
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
    from rtl_gen.devices import CONSTRAINTS
    if args.board not in BOARDS:
        raise CliError(f"board {args.board!r} is not one of {', '.join(BOARDS)}")
    if args.network is not None:
        if args.model or args.preset or args.param or args.real or args.format:
            raise CliError("--network takes its models from the file: no MODEL, --preset, "
                           "--param, --real or --format")
        params = None
    elif not args.model:
        raise CliError("board needs MODEL (or --network FILE)")
    else:
        params = params_from_args(args)
    core = _board_core(args, params)
    try:
        text, top = board_verilog(params, args.board, args.baud, args.variant, core)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.output:
        atomic_write(args.output, lambda fh: fh.write(text.encode()))
        print(f"wrote {args.output} (top module {top}, pins in "
              f"{CONSTRAINTS / BOARDS[args.board].constraints})")
    if args.pnr:
        if BOARDS[args.board].device is None:
            raise CliError(f"{args.board}: no open place-and-route for this FPGA")
        clock = BOARDS[args.board].clock_hz / 1e6
        for seed in range(1, args.seeds + 1):
            r = place_and_route_board(params, args.board, seed=seed, baud=args.baud,
                                      variant=args.variant, core=core)
            slack = 1e3 / clock - 1e3 / r.fmax_mhz
            used = ", ".join(f"{k} {u}/{a}" for k, (u, a) in r.utilization.items())
            print(f"{top} seed {seed}: Fmax {r.fmax_mhz:.1f} MHz at a {clock:g} MHz board "
                  f"clock, slack {slack:.1f} ns ({'met' if slack >= 0 else 'FAILED'}); "
                  f"{used}")
    if args.bitstream:
        _board_bitstream(args, params, core)
    if not (args.output or args.pnr or args.bitstream):
        raise CliError("board needs -o FILE.v, --pnr and/or --bitstream FILE")
    return 0


def _board_core(args, params):
    """The population core of `board --neurons N --inputs M`, the chain of cores of
    `board --network FILE`, or None (one neuron)."""
    from ..network import CoreConfig
    if args.network is not None:
        from ..layered import core_layers, load_network
        if args.neurons is not None or args.inputs is not None or args.recurrent:
            raise CliError("--network takes no --neurons, --inputs or --recurrent")
        try:
            net = load_network(args.network)
            return [(c.config, c.has_bias) for c in core_layers(net)]
        except (OSError, ValueError) as exc:
            raise CliError(f"{args.network}: {exc}") from None
    if args.neurons is None and args.inputs is None:
        if args.recurrent:
            raise CliError("--recurrent needs --neurons and --inputs")
        return None
    if args.neurons is None or args.inputs is None:
        raise CliError("a core on the board needs both --neurons and --inputs")
    try:
        return CoreConfig(params=params, neurons=args.neurons, inputs=args.inputs,
                          recurrent=args.recurrent)
    except (TypeError, ValueError) as exc:
        raise CliError(str(exc)) from None


def _board_bitstream(args, params, core=None) -> None:
    from rtl_gen.devices import BOARDS
    from rtl_gen.platforms import PLATFORMS, build_bitstream
    suffix = PLATFORMS[args.board].bitstream
    if suffix is None:
        raise CliError(f"{args.board}: no open bitstream flow from PyPI for this FPGA "
                       "(synthesis only)")
    progress("bitstream", 0, 1, f"{args.board}: Amaranth build with the YoWASP tools")
    try:
        result = build_bitstream(params, args.board, baud=args.baud, variant=args.variant,
                                 core=core)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    atomic_write(args.bitstream, lambda fh: fh.write(result.data))
    used = ", ".join(f"{k} {u}/{a}" for k, (u, a) in result.utilization.items())
    clock = BOARDS[args.board].clock_hz / 1e6
    print(f"wrote {args.bitstream} ({len(result.data):,} bytes, {args.board} .{suffix}); "
          f"Fmax {result.fmax_mhz:.1f} MHz at a {clock:g} MHz board clock; {used}")




def add_commands(sub) -> None:
    """Add the model commands to the subparsers ``sub``."""
    p = add_command(sub, "list", "models and presets", "  neurocore-hw list --json")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    p = add_command(sub, "describe", "parameters, number formats and ports",
                "  neurocore-hw describe lif --preset q4_4_saturate --json")
    model_args(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_describe)

    p = add_command(sub, "generate", "emit a neuron unit's Verilog",
                "  neurocore-hw generate lif --param width=12 --param frac=6 -o lif12.v\n"
                "  neurocore-hw generate izhikevich --variant two_cycle -o izh.v\n"
                "  neurocore-hw generate --all --outdir build/verilog\n"
                "  neurocore-hw generate lif --preset q4_4_saturate --fusesoc cores/   # + .core\n"
                "  neurocore-hw generate --fusesoc-generator cores/   # FuseSoC generator")
    model_args(p, optional=True)
    p.add_argument("--variant", help="hardware variant of the model (default: the "
                   "one-step-per-clock unit; `describe MODEL` lists them)")
    p.add_argument("-o", "--output", help="Verilog file to write")
    p.add_argument("--fusesoc", metavar="DIR",
                   help="write the Verilog and a FuseSoC CAPI2 .core (targets default and "
                        "lint; VLNV neurocore-hw:neurons:TOP_PRESET:VERSION) into DIR "
                        "(default: none)")
    p.add_argument("--fusesoc-generator", metavar="DIR",
                   help="write the FuseSoC generator core 'neurocore' into DIR (a project "
                        "then asks for a neuron by model, preset, param, variant) "
                        "(default: none)")
    p.add_argument("--all", action="store_true",
                   help="every model's default preset and variants into --outdir")
    p.add_argument("--outdir", default="build/verilog",
                   help="folder for --all (default: build/verilog)")
    p.set_defaults(func=cmd_generate)

    p = add_command(sub, "simulate", "run the bit-true golden model on .npz inputs",
                "  neurocore-hw simulate lif --input currents.npz --out trace.npz\n"
                "  neurocore-hw simulate lif --input events.npz --steps 1000 --neurons 64 "
                "--out trace.npz --out-events   # AER in and out")
    model_args(p)
    p.add_argument("--input", required=True,
                   help=".npz: per input port a dense integer array PORT [T, N], or AER "
                        "events PORT_events with rows (step, neuron[, value]) (then --steps "
                        "and --neurons)")
    p.add_argument("--out", required=True,
                   help=".npz to write: spike (uint8) and state traces [T, N], each in its "
                        "register's narrowest dtype (int16 for a 16-bit v)")
    p.add_argument("--steps", type=int, help="T, with event inputs (default: none)")
    p.add_argument("--neurons", type=int, help="N, with event inputs (default: none)")
    p.add_argument("--out-events", action="store_true",
                   help="write the spikes as AER events spike_events, rows (step, neuron) "
                        "in time order, instead of the dense spike array (default: dense)")
    p.set_defaults(func=cmd_simulate)

    p = add_command(sub, "cosim", "bit-exact co-simulation of a unit under Verilator",
                "  neurocore-hw cosim lif --cycles 20000\n"
                "  neurocore-hw cosim lif --verilog my_lif.v     # your RTL, same ports\n"
                "  neurocore-hw cosim cuba_lif --mode bulk --cycles 100000\n"
                "  neurocore-hw cosim --all\n"
                "  neurocore-hw cosim --all --mode bulk --cycles 1000000   # make soak")
    model_args(p, optional=True)
    p.add_argument("--variant", help="hardware variant of the model")
    p.add_argument("--all", action="store_true", help="every preset of every model")
    p.add_argument("--cycles", type=int, default=50_000, help="cycles (default: 50000)")
    p.add_argument("--seed", type=natural, default=1, help="stimulus seed (default: 1)")
    p.add_argument("--verilog", help="verify this Verilog file instead of the generated one")
    p.add_argument("--top", help="top module of --verilog (default neurocore_MODEL)")
    p.add_argument("--mode", choices=("cycle", "bulk"), default="cycle",
                   help="cycle: cocotb drives and samples every clock; bulk: stimulus and "
                        "capture in simulator memory (faster; a run over 131,072 cycles "
                        "plays as equal segments with seeds SEED, SEED+1, ...) "
                        "(default: cycle)")
    p.add_argument("--waves", action="store_true",
                   help="write a waveform per model and print its path (FST where "
                        "Verilator's FST writer builds, i.e. with the lz4 headers, else VCD)")
    p.add_argument("--waves-dir", default="build/waves",
                   help="folder for --waves, created if missing; one subfolder MODEL-PRESET "
                        "per run (default: build/waves)")
    p.add_argument("--dump", metavar="DIR",
                   help="write every cycle's outputs into DIR/MODEL-PRESET/: rtl.npz (the "
                        "RTL's) and golden.npz (the golden model's, with the stimulus), for "
                        "`neurocore-hw plot` (default: none)")
    p.set_defaults(func=cmd_cosim)

    p = add_command(sub, "mutants", "mutation analysis: how many injected RTL bugs the "
                "bench catches",
                "  neurocore-hw mutants lif\n"
                "  neurocore-hw mutants izhikevich --variant pipelined --jobs 2\n"
                "  neurocore-hw mutants --all --markdown docs/mutants.md   # make mutants\n"
                "  neurocore-hw mutants izhikevich --sample 300\n"
                "  neurocore-hw mutants lif --format Q4.1   # narrow: every state enumerated",
                description="Operator mutants of the emitted Verilog (arithmetic, relations, "
                "logic, shifts, signedness, ternaries, constants, if conditions), all "
                "compiled once as a mutant schema and each run through the bulk "
                "co-simulation; survivors get a longer run, those in the datapath the "
                "datapath check at every state (random, corner and boundary states, as in "
                "CI; every state and input at a format narrow enough to enumerate, which "
                "proves the mutants it cannot kill equivalent), then Yosys tries to prove "
                "the rest equivalent. Exit status 1 when a "
                "unit's kill rate (killed over mutants not proven equivalent) is below "
                "--min-kill-rate.")
    model_args(p, optional=True)
    p.add_argument("--variant", help="hardware variant of the model")
    p.add_argument("--all", action="store_true",
                   help="every model's default preset, the unit and every variant")
    p.add_argument("--only", metavar="M1,M2",
                   help="with --all: these models only (default: every model)")
    p.add_argument("--cycles", type=int, default=20_000,
                   help="cycles of the run every mutant gets (default: 20000)")
    p.add_argument("--long-cycles", type=int, default=262_144,
                   help="cycles of the second run for survivors, 0 for none "
                        "(default: 262144)")
    p.add_argument("--seed", type=natural, default=1, help="stimulus seed (default: 1)")
    p.add_argument("--jobs", type=int, default=2,
                   help="parallel simulations and Yosys checks (default: 2)")
    p.add_argument("--no-equivalence", action="store_true",
                   help="skip the Yosys equivalence check (survivors count as survived)")
    p.add_argument("--no-state-check", action="store_true",
                   help="skip the datapath check at every state for survivors")
    p.add_argument("--sample", type=int, metavar="N",
                   help="run N mutants per unit drawn at random (seed --seed) instead of "
                        "all; the kill rate is then an estimate with a 95 %% interval "
                        "(default: all)")
    p.add_argument("--min-kill-rate", type=float, default=0.95,
                   help="exit 1 if a unit's kill rate is below this (default: 0.95)")
    p.add_argument("--markdown", help="write the report page (Markdown) here")
    p.add_argument("--json", help="write every mutant and its outcome (JSON) here")
    p.set_defaults(func=cmd_mutants)

    p = add_command(sub, "synth", "Yosys resource counts and nextpnr Fmax of a unit",
                "  neurocore-hw synth lif --target all\n"
                "  neurocore-hw synth izhikevich --variant pipelined --pnr up5k\n"
                "  neurocore-hw synth --all --page docs/resources.md")
    model_args(p, optional=True)
    p.add_argument("--variant", help="hardware variant of the model")
    p.add_argument("--all", action="store_true",
                   help="every model's default preset on every target and device")
    p.add_argument("--page", help="with --all: write the Markdown resources page here")
    p.add_argument("--jobs", type=int, default=2, help="with --all: local Dask workers "
                   "running the synthesis and place-and-route jobs; 1 runs them serially "
                   "(default: 2)")
    p.add_argument("--cache", default="build/explore-cache",
                   help="with --all: result cache shared with `explore` (default: "
                        "build/explore-cache); an unchanged design is not run again")
    p.add_argument("--no-cache", action="store_true", help="with --all: run every job afresh")
    p.add_argument("--target", default="ice40",
                   help="ice40, ice40-dsp, ecp5, xc7 or all (default: ice40)")
    p.add_argument("--pnr", metavar="DEVICE",
                   help="place and route in a serial-I/O harness: up5k, hx8k or ecp5-25k")
    p.add_argument("--freq", type=float, default=30.0,
                   help="nextpnr target, MHz (default: 30)")
    p.add_argument("--seeds", type=int, default=3, help="placement seeds (default: 3)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_synth)

    p = add_command(sub, "board", "board top level with the UART host link",
                "  neurocore-hw board icebreaker lif -o top.v --pnr\n"
                "  neurocore-hw board icebreaker lif --bitstream top.bin   # iCE40 .bin\n"
                "  neurocore-hw board ulx3s xylo --bitstream top.bit       # ECP5 .bit\n"
                "  neurocore-hw board icebreaker lif --neurons 64 --inputs 16 --bitstream "
                "net.bin\n"
                "  neurocore-hw board ulx3s --network braille.npz --bitstream net.bit",
                description="A neuron (or, with --neurons and --inputs, a population core: "
                "a network driven with neurocore_hw.hostlink.CoreDriver) behind the UART "
                "host link with the board's clock, reset button and LED. --bitstream builds "
                "it through the amaranth-boards "
                "platform and Amaranth's build system with the YoWASP tools (Yosys, "
                "nextpnr, icepack/ecppack); Arty A7 is synthesis only.")
    p.add_argument("board", help="icebreaker, ulx3s or arty_a7")
    model_args(p, optional=True)
    p.add_argument("--variant", help="hardware variant of the model")
    p.add_argument("-o", "--output", help="Verilog file to write")
    p.add_argument("--baud", type=int, default=115_200,
                   help="UART bit rate (default: 115200)")
    p.add_argument("--pnr", action="store_true",
                   help="place and route with the board's constraints at its clock")
    p.add_argument("--seeds", type=int, default=1, help="placement seeds (default: 1)")
    p.add_argument("--bitstream", metavar="FILE",
                   help="build the bitstream into FILE (icebreaker .bin, ulx3s .bit)")
    p.add_argument("--neurons", type=int,
                   help="a population core of this many neurons behind the link (with "
                        "--inputs; default: one neuron)")
    p.add_argument("--inputs", type=int, help="input sources of the core")
    p.add_argument("--recurrent", action="store_true",
                   help="the core's own spikes are sources too")
    p.add_argument("--network", metavar="FILE",
                   help="a layered network (`nir quantize` output) on a chain of cores "
                        "behind the link: neurocore_hw.hostlink.NetworkDriver runs it")
    p.set_defaults(func=cmd_board)

    p = add_command(sub, "bench", "engine neuron-updates per second",
                "  neurocore-hw bench lif --neurons 100000 --steps 1000")
    model_args(p)
    p.add_argument("--neurons", type=int, default=100_000, help="N (default: 100000)")
    p.add_argument("--steps", type=int, default=1000, help="T (default: 1000)")
    p.add_argument("--repeats", type=int, default=3, help="timed runs (default: 3)")
    p.add_argument("--no-warmup", action="store_true",
                   help="time the process's first run too (table build, fresh memory)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_bench)
