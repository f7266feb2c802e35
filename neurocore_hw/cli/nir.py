"""The NIR command group: ``neurocore-hw nir info|simulate|quantize``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from .common import CliError, add_command, add_group, atomic_write, format_table, load_inputs

__all__ = ["add_nir_group"]


def _graph(path: str):
    from ..nir import NIRError, load_graph
    try:
        return load_graph(path)
    except NIRError as exc:
        raise CliError(str(exc)) from None


def _need_dt(args) -> None:
    if args.dt is None:
        raise CliError("a NIR graph needs --dt (NIR has no time step)")


def _network(args):
    """The quantized network of ``args`` (a network file, or a graph quantized now)."""
    from ..layered import load_network
    from ..nir import quantize_network
    if args.graph.endswith(".npz"):
        return load_network(args.graph)
    _need_dt(args)
    spec = _graph(args.graph)
    return quantize_network(spec, dt=args.dt, reset=args.reset,
                            weight_width=args.weight_width, state_width=args.state_width,
                            input_frac=args.input_frac, max_shift=args.max_shift,
                            source=Path(args.graph).name)


def cmd_info(args) -> int:
    from ..nir.graph import NIRError, graph_nodes, read_graph, spec_from_graph
    try:
        graph = read_graph(args.graph)
    except NIRError as exc:
        raise CliError(str(exc)) from None
    nodes = graph_nodes(graph)
    try:
        spec, problem = spec_from_graph(graph), None
    except NIRError as exc:
        spec, problem = None, str(exc)
    if problem is not None:  # show what is there, then the one-line reason (exit 2)
        if args.json:
            print(json.dumps({"nodes": nodes, "unsupported": problem}, indent=2))
        else:
            print(format_table(("node", "type", "input", "output", "role"),
                               [(r["node"], r["type"], r["input"], r["output"], r["role"])
                                for r in nodes]))
        raise CliError(problem)
    rows = []
    for layer in spec.layers:
        rows.append({"layer": layer.name, "kind": layer.kind, "size": layer.size,
                     "source": layer.source, "synapses": layer.synapses,
                     "recurrent": layer.rec_weight is not None,
                     "maps_to": {"CubaLIF": "cuba_lif", "LIF": "lif", "IF": "if",
                                 "LI": "li", "I": "li (leak 0)",
                                 "CubaLI": "cuba_lif (reset none)",
                                 "Threshold": "lif (leak 1)"}.get(layer.kind,
                                                                  "unsupported")})
    if args.json:
        print(json.dumps({"inputs": spec.inputs, "outputs": spec.outputs, "layers": rows,
                          "nodes": nodes}, indent=2))
        return 0
    print(f"{args.graph}: {spec.inputs} inputs -> {spec.outputs} outputs, "
          f"{len(spec.layers)} layers")
    print(format_table(("layer", "kind", "size", "source", "synapses", "recurrent", "maps to"),
                       [(r["layer"], r["kind"], r["size"], r["source"],
                         "+".join(r["synapses"]), "yes" if r["recurrent"] else "no",
                         r["maps_to"]) for r in rows]))
    return 0


def _input(args, inputs: int) -> np.ndarray:
    data = load_inputs(args.input)
    if set(data) != {"input"}:
        raise CliError(f"{args.input!r} must hold one array named 'input' [T, B, C]; it "
                       f"holds {', '.join(sorted(data)) or 'nothing'}")
    x = data["input"]
    if x.ndim != 3 or x.shape[2] != inputs or 0 in x.shape:
        raise CliError(f"input has shape {x.shape}; the network takes [T, B, {inputs}]")
    if x.dtype.kind not in "biuf":
        raise CliError(f"input must be numeric, got dtype {x.dtype}")
    return x


def cmd_simulate(args) -> int:
    from ..layered import run_layered
    from ..nir import simulate_float
    if args.mode == "float":
        if args.graph.endswith(".npz"):
            raise CliError("--mode float needs a NIR graph, not a network file")
        _need_dt(args)
        spec = _graph(args.graph)
        x = _input(args, spec.inputs)
        out = simulate_float(spec, x, dt=args.dt, reset=args.reset)
        arrays = {k: (v.astype(np.uint8) if layer_spiking else v)
                  for k, v, layer_spiking in _named(spec, out)}
    else:
        net = _network(args)
        x = _input(args, net.inputs)
        if x.dtype.kind == "f":
            codes = np.rint(x * (1 << net.input_frac))
            if net.input_frac == 0 and not np.array_equal(codes, x):
                raise CliError("the input holds non-integer values; quantize with "
                               "--input-frac F (codes = round(x * 2**F))")
            x = codes.astype(np.int64)
        out = run_layered(net, x)
        arrays = {name: (out[name].astype(np.uint8) if layer.spiking else out[name])
                  for layer in net.layers for name in (layer.name,)}
        arrays["output"] = arrays[net.layers[-1].name]
    atomic_write(args.out, lambda fh: np.savez(fh, **arrays))
    t, b, n = arrays["output"].shape
    print(f"simulated {args.graph} ({args.mode}): {t} steps x {b} samples, {n} outputs, "
          f"{int(arrays['output'].sum())} output spikes -> {args.out}")
    return 0


def _named(spec, out):
    for layer in spec.layers:
        yield layer.name, out[layer.name], layer.spiking
    yield "output", out["output"], spec.layers[-1].spiking


def cmd_quantize(args) -> int:
    from ..layered import save_network
    from ..nir import calibrate_network
    if args.calibrate:
        _need_dt(args)
        spec = _graph(args.graph)
        x = _input(argparse.Namespace(input=args.calibrate), spec.inputs)
        if sys.stderr.isatty():
            print(f"calibrating weight clips on {x.shape[1]} samples x {x.shape[0]} steps "
                  "...", file=sys.stderr, flush=True)
        try:
            net = calibrate_network(spec, x, dt=args.dt, reset=args.reset,
                                    weight_width=args.weight_width,
                                    state_width=args.state_width,
                                    input_frac=args.input_frac, max_shift=args.max_shift,
                                    source=Path(args.graph).name)
        except ValueError as exc:
            raise CliError(f"--calibrate {args.calibrate}: {exc}") from None
    else:
        net = _network(args)
    save_network(net, args.output, write=lambda f: atomic_write(args.output, f))
    rows = []
    for rep in net.meta["layers"]:
        th = next((c for c in rep["constants"] if c["name"] == "v_threshold"), None)
        rows.append((rep["layer"], rep["kind"], rep["model"], f"{rep['weight_scale']:.4g}",
                     rep["shift"], f"{rep['weight_max_error']:.3g}",
                     f"{th['error']:.3g}" if th else "-",
                     f"+-{rep['membrane_range']:.3g}" if "membrane_range" in rep else "-"))
    print(format_table(("layer", "NIR", "model", "weight scale", "shift", "max weight error",
                        "threshold error", "membrane range"), rows))
    cal = net.meta.get("calibration")
    if cal:
        print(f"calibration: clips {', '.join(f'{c:g}' for c in cal['clips'])}; decisions "
              f"equal to float on the calibration data {cal['agreement_before']:.3f} -> "
              f"{cal['agreement_after']:.3f}")
    print(f"wrote {args.output} ({len(net.layers)} layers, {args.weight_width}-bit weights)")
    return 0


def _graph_args(p, *, network: bool) -> None:
    p.add_argument("graph", metavar="GRAPH" + ("|NET" if network else ""),
                   help="a .nir graph" + (" (or a network file from `nir quantize`)"
                                           if network else ""))
    p.add_argument("--dt", type=float, required=not network,
                   help="step length in the graph's time unit (seconds; the Braille "
                        "graphs: 1e-4); NIR has no dt")
    p.add_argument("--reset", choices=("zero", "subtract"), default="zero",
                   help="what a spike does to v (NIR cannot say) (default: zero)")


def _quant_args(p) -> None:
    p.add_argument("--weight-width", type=int, default=8,
                   help="bits of an integer weight, 2..16 (default: 8)")
    p.add_argument("--state-width", type=int, default=24,
                   help="bits of each membrane register, 16..32 (default: 24, Loihi's)")
    p.add_argument("--input-frac", type=int, default=0,
                   help="real inputs become round(x * 2**F) (default: 0, spike inputs)")
    p.add_argument("--max-shift", type=int, default=16,
                   help="largest shift of a synaptic sum (default: 16; the population "
                        "core runs any: its input shift; 0 puts a bias in a weight row)")


def add_nir_group(sub) -> None:
    """Add ``nir`` and its subcommands to the subparsers ``sub``."""
    nir = add_group(
        sub, "nir", "NIR graphs: info, float or bit-true simulation, quantization",
        "Networks exchanged as NIR graphs (snnTorch, Norse, spyx, Rockpool, Lava-dl): a "
        "chain of CubaLIF / LIF / IF / LI layers with Affine, Linear and Scale synapses "
        "and per-layer recurrence.",
        "  neurocore-hw nir info braille.nir\n"
        "  neurocore-hw nir simulate braille.nir --dt 1e-4 --reset zero --mode fixed "
        "--weight-width 8 --input in.npz --out out.npz\n"
        "  neurocore-hw nir quantize braille.nir --dt 1e-4 --reset subtract -o net.npz",
        ("info", "simulate", "quantize"))

    p = add_command(nir, "info", "layers, shapes, and what maps onto which model",
                    "  neurocore-hw nir info braille.nir\n"
                    "  neurocore-hw nir info braille.nir --json")
    p.add_argument("graph", metavar="GRAPH", help="a .nir graph")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_info)

    p = add_command(nir, "simulate", "float64 reference or bit-true fixed point, batched",
                    "  neurocore-hw nir simulate braille.nir --dt 1e-4 --reset zero --mode "
                    "fixed --weight-width 8 --input in.npz --out out.npz\n"
                    "  neurocore-hw nir simulate braille.nir --dt 1e-4 --mode float "
                    "--input in.npz --out ref.npz")
    _graph_args(p, network=True)
    p.add_argument("--mode", choices=("float", "fixed"), default="fixed",
                   help="float: NIR's equations, forward Euler, float64; fixed: the "
                        "quantized network, bit-true (default: fixed)")
    _quant_args(p)
    p.add_argument("--input", required=True,
                   help=".npz with 'input' [T, B, C]: spikes 0/1 or real values")
    p.add_argument("--out", required=True, help=".npz to write: 'output' [T, B, n_out] "
                   "and one [T, B, n] array per layer, named after its node")
    p.set_defaults(func=cmd_simulate)

    p = add_command(nir, "quantize", "write the quantized network file",
                    "  neurocore-hw nir quantize braille.nir --dt 1e-4 --reset subtract "
                    "-o net.npz\n"
                    "  neurocore-hw nir quantize braille.nir --dt 1e-4 --max-shift 0 "
                    "--weight-width 6 -o net6.npz   # no shift\n"
                    "  neurocore-hw nir quantize braille.nir --dt 1e-4 --calibrate cal.npz "
                    "-o net.npz   # clips from data")
    _graph_args(p, network=False)
    _quant_args(p)
    p.add_argument("--calibrate", metavar="CAL.npz",
                   help="choose each layer's weight clip on these inputs ('input' [T, B, C], "
                        "like --input of simulate): the clip whose decisions agree with the "
                        "float reference most often (default: no clipping)")
    p.add_argument("-o", "--output", required=True, help="network file (.npz) to write")
    p.set_defaults(func=cmd_quantize)
