"""``neurocore-hw explore``: codesign sweeps of a model or a NIR network on Dask."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from .common import CliError, add_command, atomic_write, real_from_args

__all__ = ["add_explore_command", "parse_range"]

EXAMPLES = """\
  neurocore-hw explore lif --real tau_mem=20ms --widths 6:24:2 --int-bits 4 \\
      --targets ice40,ecp5 -o lif.json --markdown lif.md --plot lif.png
  neurocore-hw explore izhikevich --preset fs --widths 14:24:2 --int-bits 9 \\
      --grid coef_frac=12,16,20 --goal 0.5
  neurocore-hw explore lif --format Q8.4,Q12.8 --rounding floor,nearest \\
      --devices up5k --seeds 3 --scheduler tcp://10.0.0.5:8786
  neurocore-hw explore --nir docs/data/digits_rcuba.nir --dt 1e-4 --reset subtract \\
      --input docs/data/digits_test.npz --labels label --weight-widths 2:12
"""


def parse_range(name: str, text: str) -> list[int]:
    """``6:24`` (inclusive), ``6:24:2`` or ``8,12,16``."""
    try:
        if ":" in text:
            parts = [int(t) for t in text.split(":")]
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] < 1):
                raise ValueError
            lo, hi, step = parts[0], parts[1], parts[2] if len(parts) == 3 else 1
            values = list(range(lo, hi + 1, step))
        else:
            values = [int(t) for t in text.split(",")]
    except ValueError:
        raise CliError(f"{name}: {text!r} is not LO:HI[:STEP] or a comma list of "
                       "integers") from None
    if not values:
        raise CliError(f"{name}: {text!r} is empty")
    return values


def _list(text: str | None) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()] if text else []


def _grid(texts) -> dict[str, list]:
    grid = {}
    for text in texts or ():
        if "=" not in text:
            raise CliError(f"--grid expects KEY=V1,V2,..., got {text!r}")
        key, values = (t.strip() for t in text.split("=", 1))
        try:
            grid[key] = [int(v, 0) for v in _list(values)]
        except ValueError:
            grid[key] = _list(values)
    return grid


def _formats(args) -> list[str | None]:
    if args.format and args.widths:
        raise CliError("give --format or --widths, not both")
    if args.widths:
        widths = parse_range("--widths", args.widths)
        if args.int_bits is None:
            raise CliError("--widths needs --int-bits (integer bits, sign included: "
                           "frac = width - int bits)")
        base = [f"Q{w}.{w - args.int_bits}" for w in widths if w - args.int_bits >= 0]
        if not base:
            raise CliError(f"no width in {args.widths} leaves a fraction after "
                           f"{args.int_bits} integer bits")
    else:
        base = _list(args.format) or [None]
    modes = [[m or None for m in _list(text)] or [None]
             for text in (args.rounding, args.overflow)]
    out = []
    for fmt in base:
        for rounding in modes[0]:
            for overflow in modes[1]:
                extra = "".join(f",{m}" for m in (rounding, overflow) if m)
                if extra and fmt is None:
                    raise CliError("--rounding/--overflow need --format or --widths")
                out.append(None if fmt is None else fmt + extra)
    return out


def _points(args, cache):
    from rtl_gen.explore import network_points, neuron_points

    targets, devices = _list(args.targets), _list(args.devices)
    if args.nir:
        if args.model:
            raise CliError("give MODEL or --nir, not both")
        for need in ("dt", "input", "weight_widths"):
            if getattr(args, need) is None:
                raise CliError(f"explore --nir needs --{need.replace('_', '-')}")
        if not Path(args.input).is_file():
            raise CliError(f"input file {args.input!r} does not exist")
        from ..nir import NIRError
        try:
            return network_points(args.nir, dt=args.dt, reset=args.reset,
                                  weight_widths=parse_range("--weight-widths",
                                                            args.weight_widths),
                                  inputs=args.input, labels=args.labels,
                                  samples=args.samples, targets=targets, devices=devices,
                                  seeds=args.seeds, fidelity=not args.no_fidelity,
                                  cache=cache)
        except NIRError as exc:
            raise CliError(str(exc)) from None
    if not args.model:
        raise CliError("explore needs MODEL or --nir GRAPH")
    from ..registry import get_model, resolve_params
    get_model(args.model)
    real = {}
    if args.real:
        real = real_from_args(args.model, resolve_params(args.model, args.preset),
                              args.real).as_dict()
    variants = [None if v in ("-", "none") else v for v in _list(args.variant)] or [None]
    return neuron_points(args.model, preset=args.preset, real=real, formats=_formats(args),
                         variants=variants, grid=_grid(args.grid), targets=targets,
                         devices=devices, seeds=args.seeds, fidelity=not args.no_fidelity,
                         cache=cache)


def cmd_explore(args) -> int:
    from neurocore_hw.sweep import ResultCache
    from rtl_gen.explore import explore, plot_pareto, render_markdown, to_json

    for path in (args.output, args.markdown, args.plot):
        if path and not Path(path).parent.is_dir():
            raise CliError(f"output folder {str(Path(path).parent)!r} does not exist")
    if args.workers is not None and args.workers < 1:
        raise CliError(f"--workers must be >= 1, got {args.workers}")
    if args.timeout <= 0:
        raise CliError(f"--timeout must be > 0, got {args.timeout}")
    if args.seeds < 1:
        raise CliError(f"--seeds must be >= 1, got {args.seeds}")
    if args.nir:
        print("explore: quantizing the network and emitting each chain's Verilog",
              file=sys.stderr, flush=True)
    cache = None if args.no_cache else ResultCache(args.cache)
    points = _points(args, cache)
    try:
        results = explore(points, scheduler=args.scheduler, workers=args.workers,
                          timeout=args.timeout, cache=cache)
    except RuntimeError as exc:
        raise CliError(str(exc)) from None
    metric = args.metric or ("decision_agreement" if args.nir and not args.labels
                             else "accuracy" if args.nir else "agreement")
    goal = args.goal
    if goal is None:
        floats = [r["metrics"]["float_accuracy"] for r in results
                  if r["metrics"] and r["metrics"].get("float_accuracy") is not None]
        goal = floats[0] - 0.01 if metric == "accuracy" and floats else 0.95
    cost = args.cost or ("bram" if args.nir else "lut")
    command = "neurocore-hw " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    text = render_markdown(results, metric=metric, goal=goal, targets=_list(args.targets),
                           devices=_list(args.devices), command=command, cost=cost)
    print(text, end="")
    if args.output:
        atomic_write(args.output, lambda fh: fh.write(to_json(results).encode()))
        print(f"wrote {args.output} ({len(results)} points)", file=sys.stderr)
    if args.markdown:
        atomic_write(args.markdown, lambda fh: fh.write(text.encode()))
        print(f"wrote {args.markdown}", file=sys.stderr)
    if args.plot:
        suffix = Path(args.plot).suffix or ".png"
        title = (Path(args.nir).name if args.nir
                 else " ".join(filter(None, (args.model, args.preset))))

        def write(fh):
            plot_pareto(results, fh, metric=metric, goal=goal,
                        targets=_list(args.targets), title=title, cost=cost,
                        file_format=suffix[1:])
        if suffix not in (".png", ".svg", ".pdf"):
            raise CliError(f"--plot {args.plot!r}: use .png, .svg or .pdf")
        atomic_write(args.plot, write)
        print(f"wrote {args.plot}", file=sys.stderr)
    failed = sum(bool(r["failures"]) for r in results)
    if failed:
        print(f"explore: {failed} of {len(results)} points had failed jobs (see notes)",
              file=sys.stderr)
    return 0


def add_explore_command(sub) -> None:
    """Register ``explore``."""
    p = add_command(sub, "explore", "sweep formats, variants, weight widths and FPGA "
                    "targets: fidelity against cost, on Dask", EXAMPLES,
                    description="Sweep a model over number formats (re-quantizing its real "
                    "model), variants and raw parameters -- or a NIR network over weight "
                    "widths -- and measure each point's fidelity against the float "
                    "reference, its Yosys resources per target and nextpnr Fmax per device. "
                    "Jobs run on a local Dask cluster (or --scheduler ADDRESS) and are "
                    "cached by content, so a re-run skips what is done. Prints a Markdown "
                    "table; -o writes JSON, --plot a Pareto plot.")
    p.add_argument("model", nargs="?", metavar="MODEL", help="registered model to sweep")
    p.add_argument("--preset", help="preset whose real model is swept (default: the first)")
    p.add_argument("--real", action="append", metavar="K=V",
                   help="real-unit value held fixed across the sweep, e.g. tau_mem=20ms")
    p.add_argument("--format", help="formats, comma-separated (e.g. Q8.4,Q12.8)")
    p.add_argument("--widths", metavar="LO:HI[:STEP]",
                   help="widths to sweep, with --int-bits (frac = width - int bits)")
    p.add_argument("--int-bits", type=int, help="integer bits (sign included) for --widths")
    p.add_argument("--rounding", help="rounding modes to sweep: floor,nearest")
    p.add_argument("--overflow", help="overflow modes to sweep: wrap,saturate")
    p.add_argument("--variant", help="hardware variants, comma-separated; '-' for the "
                   "single-cycle unit (default: it alone)")
    p.add_argument("--grid", action="append", metavar="K=V1,V2",
                   help="raw parameter values to sweep too, e.g. coef_frac=12,16,20")
    p.add_argument("--nir", metavar="GRAPH.nir", help="sweep a NIR network instead")
    p.add_argument("--dt", type=float, help="time step of the NIR graph, seconds")
    p.add_argument("--reset", choices=("zero", "subtract"), default="zero",
                   help="reset rule of the NIR graph (default: zero)")
    p.add_argument("--weight-widths", metavar="LO:HI", help="weight widths, e.g. 2:12")
    p.add_argument("--input", metavar="IN.npz", help="data for the network: 'input' "
                   "[T, B, C] (and labels)")
    p.add_argument("--labels", help="name of the label array in --input (accuracy)")
    p.add_argument("--samples", type=int, help="use the first N samples")
    p.add_argument("--targets", default="ice40,ecp5",
                   help="Yosys targets, comma-separated (default: ice40,ecp5; '' for none)")
    p.add_argument("--devices", default="",
                   help="nextpnr devices for Fmax, e.g. up5k,ecp5-25k (default: none)")
    p.add_argument("--seeds", type=int, default=1, help="placement seeds (default: 1)")
    p.add_argument("--no-fidelity", action="store_true", help="resources only")
    p.add_argument("--metric", help="fidelity metric of the front (default: agreement for "
                   "a model, accuracy or decision_agreement for a network)")
    p.add_argument("--cost", choices=("lut", "ff", "bram", "dsp", "carry"),
                   help="cost axis of the front (default: lut for a model, bram for a "
                        "network, whose weights live in block RAM)")
    p.add_argument("--goal", type=float, help="the recommended point's least metric "
                   "(default: 0.95; a network with labels: float accuracy - 0.01)")
    p.add_argument("--scheduler", default="local",
                   help="'local' (a Dask cluster on this machine, default), 'serial', or "
                        "a Dask scheduler address tcp://HOST:PORT")
    p.add_argument("--workers", type=int, help="local cluster workers (default: cores)")
    p.add_argument("--timeout", type=float, default=900.0,
                   help="seconds per job (default: 900); a late job is reported, not fatal")
    p.add_argument("--cache", default="build/explore-cache",
                   help="result cache folder (default: build/explore-cache)")
    p.add_argument("--no-cache", action="store_true", help="run every job afresh")
    p.add_argument("-o", "--output", metavar="OUT.json", help="write the results as JSON")
    p.add_argument("--markdown", metavar="OUT.md", help="write the table")
    p.add_argument("--plot", metavar="OUT.png", help="write the Pareto plot")
    p.set_defaults(func=cmd_explore)
