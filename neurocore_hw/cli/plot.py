"""``neurocore-hw plot``: rasters and traces from the commands' ``.npz`` outputs.

Reads what ``simulate`` (``spike`` and state traces ``[T, N]``), ``core simulate``
(``spikes``, ``[T, N]``), ``nir simulate`` (one ``[T, B, n]`` array per layer) and
``cosim --dump`` (``rtl.npz`` / ``golden.npz``, one value per cycle) write. With
``--compare`` a second file of the same arrays is drawn over the first (golden against
RTL, fixed against float) and the entries that differ are counted in the title.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import CliError, add_command, atomic_write, load_inputs

__all__ = ["add_plot_command", "figure"]

#: Arrays tried, in order, when ``--raster`` names none.
SPIKE_ARRAYS = ("spike", "spikes", "output")


def _range(text: str | None, size: int, what: str) -> slice:
    """``A:B`` (either side optional) checked against ``size``."""
    if text is None:
        return slice(0, size)
    try:
        lo, hi = (int(v) if v else None for v in text.split(":"))
    except ValueError:
        raise CliError(f"--{what} takes A:B (e.g. 0:100), got {text!r}") from None
    lo = 0 if lo is None else lo
    hi = size if hi is None else hi
    if not 0 <= lo < hi <= size:
        raise CliError(f"--{what} {text} is outside 0:{size}")
    return slice(lo, hi)


def _array(data: dict, name: str, path: str, sample: int) -> np.ndarray:
    """Array ``name`` of a file as ``[T, N]`` (a ``[T]`` trace is one neuron; a ``[T, B,
    n]`` network output is sample ``sample``)."""
    if name not in data:
        raise CliError(f"{path!r} has no array {name!r} (it holds "
                       f"{', '.join(sorted(data)) or 'nothing'})")
    x = np.asarray(data[name])
    if x.dtype.kind not in "biuf":
        raise CliError(f"array {name!r} of {path!r} is not numeric")
    if x.ndim == 1:
        x = x[:, None]
    elif x.ndim == 3:
        if not 0 <= sample < x.shape[1]:
            raise CliError(f"--sample {sample} is outside the {x.shape[1]} samples of "
                           f"{path!r}")
        x = x[:, sample, :]
    elif x.ndim != 2:
        raise CliError(f"array {name!r} of {path!r} has shape {x.shape}; expected [T], "
                       "[T, N] or [T, B, N]")
    return x


def figure(data: dict, *, path: str = "input", raster: str | None = None,
           traces: str | None = None, compare: dict | None = None, sample: int = 0,
           neurons: str | None = None, steps: str | None = None, title: str = ""):
    """The matplotlib figure of a raster and/or traces (one panel each).

    Parameters
    ----------
    data : dict of str to numpy.ndarray
        The arrays of an output file.
    path : str
        Its name, for messages.
    raster, traces : str, optional
        The array drawn as a raster (spikes where nonzero) and as traces (values).
        Neither: a raster of the first of ``spike``, ``spikes``, ``output``.
    compare : dict, optional
        A second file's arrays (same names and shapes), drawn over the first.
    sample : int
        The sample of a ``[T, B, N]`` array.
    neurons, steps : str, optional
        ``A:B`` ranges (default: everything; traces: at most the first 8 neurons).
    title : str
        Figure title (the mismatch count is appended with ``compare``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if raster is None and traces is None:
        raster = next((n for n in SPIKE_ARRAYS if n in data), None)
        if raster is None:
            raise CliError(f"{path!r} has none of {', '.join(SPIKE_ARRAYS)}; name the "
                           "array with --raster or --traces")
    panels = [(kind, name) for kind, name in (("raster", raster), ("traces", traces))
              if name is not None]
    fig, axes = plt.subplots(len(panels), 1, figsize=(8, 3.2 * len(panels)), squeeze=False,
                             sharex=True)
    differ = 0
    for ax, (kind, name) in zip(axes[:, 0], panels):
        x = _array(data, name, path, sample)
        y = None if compare is None else _array(compare, name, "--compare", sample)
        if y is not None and y.shape != x.shape:
            raise CliError(f"array {name!r} has shape {x.shape} in {path!r} and {y.shape} "
                           "in --compare")
        t = _range(steps, x.shape[0], "steps")
        n_default = None if kind == "raster" or neurons else f"0:{min(8, x.shape[1])}"
        n = _range(neurons or n_default, x.shape[1], "neurons")
        if y is not None:
            differ += int((x[t, n] != y[t, n]).sum())
        if kind == "raster":
            for k, (arr, style) in enumerate(((x, dict(color="black", marker="|", s=30)),
                                              (y, dict(color="tab:red", marker="_", s=30)))):
                if arr is None:
                    continue
                step, neuron = np.nonzero(arr[t, n])
                ax.scatter(step + t.start, neuron + n.start, linewidths=1,
                           label=("first" if k == 0 else "compare"), **style)
            ax.set_ylabel(f"{name}: neuron")
        else:
            steps_axis = np.arange(t.start, t.stop)
            for j in range(n.start, n.stop):
                line, = ax.plot(steps_axis, x[t, j], lw=1, label=f"{j}")
                if y is not None:
                    ax.plot(steps_axis, y[t, j], lw=1, ls="--", color=line.get_color())
            ax.set_ylabel(f"{name} (codes)")
            if n.stop - n.start <= 8:
                ax.legend(title="neuron", fontsize="small", ncol=4, loc="upper right")
    axes[-1, 0].set_xlabel("step")
    if compare is not None:
        title = (f"{title}\n" if title else "") + \
            f"{differ} entries differ from --compare (dashed / red)"
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def cmd_plot(args) -> int:
    data = load_inputs(args.file)
    compare = load_inputs(args.compare) if args.compare else None
    fig = figure(data, path=args.file, raster=args.raster, traces=args.traces,
                 compare=compare, sample=args.sample, neurons=args.neurons,
                 steps=args.steps, title=args.title or Path(args.file).name)
    fmt = Path(args.output).suffix.lstrip(".").lower()
    if fmt not in ("png", "svg", "pdf"):
        raise CliError(f"-o {args.output!r}: the figure is written as .png, .svg or .pdf")
    atomic_write(Path(args.output), lambda fh: fig.savefig(fh, format=fmt, dpi=120))
    print(f"wrote {args.output}")
    return 0


def add_plot_command(sub) -> None:
    """Add ``plot`` to the subparsers ``sub``."""
    p = add_command(sub, "plot", "rasters and traces from simulate / cosim / nir outputs",
                    "  neurocore-hw plot trace.npz -o raster.png\n"
                    "  neurocore-hw plot trace.npz --raster spike --traces v --neurons 0:4 "
                    "-o lif.png\n"
                    "  neurocore-hw cosim lif --dump out && neurocore-hw plot "
                    "out/lif-sc_lif_q8_8/rtl.npz --compare out/lif-sc_lif_q8_8/golden.npz "
                    "--traces v --steps 0:300 -o rtl_vs_golden.png\n"
                    "  neurocore-hw plot nir_out.npz --raster lif1.lif --sample 3 -o hidden.png")
    p.add_argument("file", metavar="FILE.npz", help="an output of simulate, core simulate, "
                   "nir simulate or cosim --dump")
    p.add_argument("-o", "--output", required=True, help="figure to write (.png, .svg, .pdf)")
    p.add_argument("--raster", metavar="ARRAY",
                   help="array drawn as a raster (default, when neither --raster nor "
                        "--traces is given: spike, spikes or output)")
    p.add_argument("--traces", metavar="ARRAY",
                   help="array drawn as traces, e.g. v (default: none)")
    p.add_argument("--compare", metavar="OTHER.npz",
                   help="draw the same arrays of another file over these and count the "
                        "entries that differ (default: none)")
    p.add_argument("--sample", type=int, default=0,
                   help="sample of a [T, B, N] network output (default: 0)")
    p.add_argument("--neurons", metavar="A:B",
                   help="neurons to draw (default: all; traces: the first 8)")
    p.add_argument("--steps", metavar="A:B", help="steps to draw (default: all)")
    p.add_argument("--title", help="figure title (default: the file's name)")
    p.set_defaults(func=cmd_plot)
