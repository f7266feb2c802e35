"""The population core command group: ``neurocore-hw core generate|simulate|cosim|synth``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from ..network import CoreConfig, events_from_arrays, run_network
from .common import (
    CliError,
    add_command,
    add_group,
    atomic_write,
    format_table,
    load_inputs,
    natural,
    params_from_args,
    progress,
)

__all__ = ["add_core_group"]

#: Arrays a ``core simulate`` input file may hold besides ``state_<name>``.
_CORE_ARRAYS = ("weights", "event_step", "event_source", "acc")


_SINGLE = ("model", "preset", "param", "neurons", "inputs", "acc_width", "input_port")


def _network(args):
    """The network file of ``--network``, or None; refuses single-core options beside it."""
    if args.network is None:
        missing = [f"--{k}" for k in ("model", "neurons", "inputs") if getattr(args, k) is None]
        if missing:
            raise CliError(f"core {args.core_command} needs {', '.join(missing)} (or "
                           "--network NET.npz)")
        return None
    given = [f"--{k.replace('_', '-')}" for k in _SINGLE if getattr(args, k, None)]
    if given or args.recurrent:
        raise CliError(f"--network takes its layers from the file; drop "
                       f"{', '.join(given or ['--recurrent'])}")
    from ..layered import core_layers, load_network
    net = load_network(args.network)
    return net, core_layers(net)


def _core_config(args):
    """The :class:`CoreConfig` of the single-core options."""
    return CoreConfig(params=params_from_args(args), neurons=args.neurons, inputs=args.inputs,
                      weight_width=args.weight_width, recurrent=args.recurrent,
                      acc_width=args.acc_width, acc_overflow=args.acc_overflow,
                      input_port=args.input_port, time_width=args.time_width)


def cmd_generate(args) -> int:
    from rtl_gen.core import CORE_TOP, check_fits, emit_core
    network = _network(args)
    if network is not None:
        from rtl_gen.chain import CHAIN_TOP
        from rtl_gen.verify.layered import emit_chain
        plans = [check_fits(core.config, args.device, args.fifo_depth) if args.device
                 else None for core in network[1]]
        text = emit_chain(network[0], fifo_depth=args.fifo_depth, pipelined=args.pipelined)
        atomic_write(args.output, lambda fh: fh.write(text.encode()))
        fits = (f"; {args.device}: {sum(p['ebr'] for p in plans)} block RAMs" if args.device
                else "")
        print(f"wrote {args.output} (top module {CHAIN_TOP}, {len(network[1])} cores: "
              + ", ".join(f"{layer.name} {core.size}" for layer, core in
                          zip(network[0].layers, network[1])) + f"{fits})")
        return 0
    config = _core_config(args)
    fits = ""
    if args.device:
        plan = check_fits(config, args.device, args.fifo_depth)
        fits = (f"; {args.device}: {plan['ebr']}/{plan['ebr_available']} block RAMs, "
                f"{plan['spram']}/{plan['spram_available']} SPRAMs")
    text = emit_core(config, fifo_depth=args.fifo_depth, pipelined=args.pipelined)
    atomic_write(args.output, lambda fh: fh.write(text.encode()))
    print(f"wrote {args.output} (top module {CORE_TOP}, {config.neurons} {config.model} "
          f"neurons, {config.rows} weight rows{fits})")
    return 0


def cmd_simulate(args) -> int:
    network = _network(args)
    if network is not None:
        from ..layered import run_layered
        data = load_inputs(args.input)
        if "input" not in data:
            raise CliError(f"{args.input!r} has no array 'input' [T, B, C] (a network's "
                           "input)")
        out = run_layered(network[0], data["input"])
        arrays = {layer.name: out[layer.name].astype(np.uint8) if layer.spiking
                  else out[layer.name] for layer in network[0].layers}
        arrays["output"] = arrays[network[0].layers[-1].name]
        atomic_write(args.out, lambda fh: np.savez(fh, **arrays))
        t, b, n = arrays["output"].shape
        print(f"simulated {args.network}: {t} steps x {b} samples, {n} outputs -> {args.out}")
        return 0
    config = _core_config(args)
    data = load_inputs(args.input)
    if "input_spikes" in data:  # dense [T, M] input spikes instead of events
        if "event_step" in data or "event_source" in data:
            raise CliError(f"{args.input!r}: give input_spikes or event_step/event_source, "
                           "not both")
        dense = np.asarray(data.pop("input_spikes"))
        if dense.ndim != 2 or dense.shape[1] != config.inputs or dense.dtype.kind not in "biu" \
                or not np.isin(dense, (0, 1)).all():
            raise CliError(f"input_spikes must be 0/1 integers [T, {config.inputs}], got "
                           f"dtype {dense.dtype} shape {dense.shape}")
        if args.steps is not None and args.steps != dense.shape[0]:
            raise CliError(f"--steps {args.steps} but input_spikes has {dense.shape[0]} steps")
        args.steps = dense.shape[0]
        data["event_step"], data["event_source"] = np.nonzero(dense)
    if args.steps is None:
        raise CliError("core simulate needs --steps T")
    for key in ("weights", "event_step", "event_source"):
        if key not in data:
            raise CliError(f"{args.input!r} has no array {key!r} (core input: weights, and "
                           "event_step, event_source or input_spikes [T, M]; optional acc "
                           "and state_<name>)")
    if args.steps < 1:
        raise CliError(f"--steps must be >= 1, got {args.steps}")
    events = events_from_arrays(data["event_step"], data["event_source"], args.steps)
    state = None
    names = [s.name for s in config.params.state_ports()]
    allowed = set(_CORE_ARRAYS) | {f"state_{name}" for name in names}
    extra = sorted(set(data) - allowed)
    if extra:
        raise CliError(f"{args.input!r}: unknown array {extra[0]!r} (core input: weights, "
                       f"event_step, event_source; optional acc, "
                       f"{', '.join('state_' + n for n in names)})")
    if any(f"state_{name}" in data for name in names):
        missing = [name for name in names if f"state_{name}" not in data]
        if missing:
            raise CliError(f"{args.input!r}: state_{missing[0]} missing (give every "
                           "state field or none)")
        initial = config.params.model.initial_state(config.params, config.neurons)
        state = type(initial)(*(data[f"state_{name}"] for name in names))
    result = run_network(config, data["weights"], events, args.steps, state=state,
                         acc=data.get("acc"))
    arrays = {"spikes": result.spikes.astype(np.uint8), "aer": result.aer,
              "acc": result.acc, **{f"state_{name}": x for name, x in zip(names, result.state)}}
    atomic_write(args.out, lambda fh: np.savez(fh, **arrays))
    print(f"simulated core: {args.steps} timesteps x {config.neurons} {config.model} neurons, "
          f"{int(sum(map(len, events)))} input events, {len(result.aer)} output events "
          f"-> {args.out}")
    return 0


def cmd_cosim(args) -> int:
    from rtl_gen.verify.core import random_network, run_core_cosim
    network = _network(args)
    if network is not None:
        return _cosim_network(args, network[0])
    if args.steps is None:
        raise CliError("core cosim needs --steps T")
    config = _core_config(args)
    if args.steps < 1:
        raise CliError(f"--steps must be >= 1, got {args.steps}")
    weights, events, state, acc = random_network(config, args.steps, args.seed)
    res = run_core_cosim(config, weights, events, args.steps, state=state, acc=acc,
                         stall=args.stall, seed=args.seed,
                         read_every_step=args.read_every_step, fifo_depth=args.fifo_depth,
                         pipelined=args.pipelined,
                         waves_dir=Path(args.waves_dir) / "core" if args.waves else None)
    if res.waveform:
        print(f"waveform: {res.waveform}")
    if res.first_mismatch:
        print(f"MISMATCH core: {res.first_mismatch}", file=sys.stderr)
    print(format_table(
        ("model", "neurons", "rows", "timesteps", "events in", "events out", "cycles",
         "seconds", "result"),
        [(config.model, config.neurons, config.rows, res.steps, res.events_in,
          res.events_out, res.cycles, f"{res.seconds:.2f}",
          "PASS" if res.passed else "FAIL")]))
    return 0 if res.passed else 1


def cmd_synth(args) -> int:
    from rtl_gen.core import CORE_TOP, emit_core, ram_plan
    from rtl_gen.synth import TARGETS, synthesize
    if args.target not in TARGETS:
        raise CliError(f"--target {args.target!r} is not one of {', '.join(TARGETS)}")
    network = _network(args)
    if network is not None:
        rows = []
        for layer, core in zip(network[0].layers, network[1]):
            text = emit_core(core.config, fifo_depth=args.fifo_depth, pipelined=args.pipelined)
            r = synthesize(text, CORE_TOP, args.target)
            plan = ram_plan(core.config, args.device) if args.device else None
            rows.append((layer.name, core.config.neurons, core.config.rows, r.target, r.lut,
                         r.ff, r.bram, r.latch, f"{plan['ebr']}" if plan else "-"))
        print(format_table(("layer", "neurons", "rows", "target", "LUT", "FF", "BRAM", "latch",
                            "planned BRAM"), rows))
        return 0
    config = _core_config(args)
    text = emit_core(config, fifo_depth=args.fifo_depth, pipelined=args.pipelined)
    r = synthesize(text, CORE_TOP, args.target)
    result = {"model": config.model, "neurons": config.neurons, "rows": config.rows,
              "target": r.target, "lut": r.lut, "ff": r.ff, "carry": r.carry, "dsp": r.dsp,
              "bram": r.bram, "latch": r.latch}
    if args.device:
        result["ram_plan"] = ram_plan(config, args.device, args.fifo_depth)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(format_table(("model", "neurons", "target", "LUT", "FF", "carry", "DSP", "BRAM",
                        "latch"),
                       [(config.model, config.neurons, r.target, r.lut, r.ff, r.carry, r.dsp,
                         r.bram, r.latch)]))
    return 0


def _cosim_network(args, net) -> int:
    from rtl_gen.verify.layered import run_chain_cosim
    if args.input is None:
        raise CliError("core cosim --network needs --input IN.npz ('input' [T, B, C])")
    data = load_inputs(args.input)
    if "input" not in data or data["input"].ndim != 3:
        raise CliError(f"{args.input!r} needs an array 'input' [T, B, C]")
    x = data["input"]
    samples = min(args.samples, x.shape[1])
    rows, failed = [], 0
    for b in range(samples):
        res = run_chain_cosim(net, x[:, b], stall=args.stall, pipelined=args.pipelined)
        failed += not res.passed
        if res.first_mismatch:
            print(f"MISMATCH sample {b}: {res.first_mismatch}", file=sys.stderr)
        rows.append((b, x.shape[0], res.events_in, res.events_out, res.cycles,
                     "PASS" if res.passed else "FAIL"))
        progress("core cosim", b + 1, samples, f"sample {b} {rows[-1][-1]}")
    print(format_table(("sample", "steps", "events in", "events out", "cycles", "result"),
                       rows))
    return 1 if failed else 0


def _config_args(p) -> None:
    p.add_argument("--network", metavar="NET.npz",
                   help="a network file (`nir quantize`): one core per layer, "
                        "instead of the single-core options below")
    p.add_argument("--model", help="neuron model of the core")
    p.add_argument("--preset", help="named parameter set (default: the model's first)")
    p.add_argument("--param", action="append", metavar="K=V",
                   help="override one parameter, e.g. width=12 or lif.width=12 (repeatable)")
    p.add_argument("--neurons", type=int, help="neurons N (16..65536)")
    p.add_argument("--inputs", type=int, help="input sources M")
    p.add_argument("--weight-width", type=int, default=8,
                   help="signed weight bits (default: 8)")
    p.add_argument("--recurrent", action="store_true",
                   help="the core's spikes feed back (weight rows M..M+N-1)")
    p.add_argument("--acc-width", type=int,
                   help="accumulator bits (default: the input port's width)")
    p.add_argument("--acc-overflow", default="wrap", choices=("wrap", "saturate"),
                   help="accumulator overflow (default: wrap)")
    p.add_argument("--input-port", help="model input the accumulator drives "
                   "(default: the model's first)")
    p.add_argument("--time-width", type=int, default=16,
                   help="timestep field bits (default: 16)")


def _hw_args(p) -> None:
    p.add_argument("--pipelined", action="store_true",
                   help="the model's pipelined datapath (higher clock rate)")
    p.add_argument("--fifo-depth", type=int, default=16,
                   help="output event FIFO depth (default: 16)")


def add_core_group(sub) -> None:
    """Add ``core`` and its subcommands to the subparsers ``sub``."""
    core = add_group(
        sub, "core", "the population core: generate, simulate, cosim, synth",
        "N neurons of one model time-multiplexed through one datapath, weights and state "
        "in block RAM, AER events in and out.",
        "  neurocore-hw core generate --model lif --neurons 1024 --inputs 128 "
        "--pipelined --device up5k -o core.v\n"
        "  neurocore-hw core simulate --model lif --neurons 64 --inputs 32 "
        "--recurrent --steps 100 --input net.npz --out result.npz\n"
        "  neurocore-hw core cosim --model lif --neurons 256 --inputs 64 "
        "--recurrent --steps 100",
        ("generate", "simulate", "cosim", "synth"))

    p = add_command(core, "generate", "emit the core's Verilog",
                    "  neurocore-hw core generate --model lif --neurons 1024 --inputs 128 "
                    "--pipelined --device up5k -o core.v\n"
                    "  neurocore-hw core generate --network net.npz --device up5k -o chain.v")
    _config_args(p)
    _hw_args(p)
    p.add_argument("-o", "--output", required=True,
                   help="Verilog file to write (with --network: the chain of cores, top "
                        "module neurocore_chain)")
    p.add_argument("--device", help="fail unless the memories fit: up5k, hx8k, ecp5-25k")
    p.set_defaults(func=cmd_generate)

    p = add_command(core, "simulate", "run the core's golden model (the engine's network "
                    "mode) on an .npz network and events",
                    "  neurocore-hw core simulate --model lif --neurons 64 --inputs 32 "
                    "--recurrent --steps 100 --input net.npz --out result.npz\n"
                    "  neurocore-hw core simulate --network net.npz --input in.npz "
                    "--out out.npz")
    _config_args(p)
    p.add_argument("--input", required=True, help=".npz: weights, and the input as AER "
                   "events event_step, event_source or as dense 0/1 input_spikes [T, M] "
                   "(optional acc, state_<name>); with --network: 'input' [T, B, C]")
    p.add_argument("--out", required=True, help=".npz to write: spikes, aer, acc, state")
    p.add_argument("--steps", type=int, help="timesteps T (single core; default: the rows "
                   "of input_spikes)")
    p.set_defaults(func=cmd_simulate)

    p = add_command(core, "cosim", "bit-exact co-simulation under Verilator: the core on a "
                    "random network, or (--network) the chain of cores on --input",
                    "  neurocore-hw core cosim --model lif --neurons 256 --inputs 64 "
                    "--recurrent --steps 100 --stall 128\n"
                    "  neurocore-hw core cosim --network net.npz --input in.npz --samples 20")
    _config_args(p)
    _hw_args(p)
    p.add_argument("--steps", type=int, help="timesteps of the random network (single core)")
    p.add_argument("--input", help="with --network: .npz with 'input' [T, B, C] spikes")
    p.add_argument("--samples", type=int, default=1,
                   help="with --network: samples of --input to co-simulate (default: 1)")
    p.add_argument("--seed", type=natural, default=1, help="network and stall seed (default: 1)")
    p.add_argument("--stall", type=int, default=64,
                   help="output stream stalled with probability STALL/256 (default: 64)")
    p.add_argument("--read-every-step", action="store_true",
                   help="read back every state word after every timestep")
    p.add_argument("--waves", action="store_true",
                   help="single core: write a waveform of the run and print its path (FST "
                        "where Verilator's FST writer builds, i.e. with the lz4 headers, "
                        "else VCD)")
    p.add_argument("--waves-dir", default="build/waves",
                   help="folder for --waves, created if missing; the file goes into its "
                        "'core' subfolder (default: build/waves)")
    p.set_defaults(func=cmd_cosim)

    p = add_command(core, "synth", "Yosys resources of the core (and its RAM plan)",
                    "  neurocore-hw core synth --model lif --neurons 1024 --inputs 128 "
                    "--device up5k\n"
                    "  neurocore-hw core synth --network net.npz --target ecp5")
    _config_args(p)
    _hw_args(p)
    p.add_argument("--target", default="ice40",
                   help="ice40, ice40-dsp, ecp5 or xc7 (default: ice40)")
    p.add_argument("--device", help="also plan the memories on up5k, hx8k or ecp5-25k")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_synth)
