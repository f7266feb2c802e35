"""Shared pieces of the command line: one-line errors, parameters, tables, files."""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..registry import get_model, parameter_names, resolve_params, with_overrides

__all__ = ["CliError", "Parser", "add_command", "add_group", "atomic_write", "format_table",
           "load_inputs", "model_args", "natural", "params_from_args", "parse_param",
           "real_from_args"]


class CliError(ValueError):
    """Bad command-line input: reported as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are :class:`CliError` (one line, exit 2)."""

    def error(self, message: str):
        raise CliError(f"{self.prog}: {message}")


def natural(text: str) -> int:
    """argparse type: an integer >= 0 (argparse names the option in the error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def add_command(sub, name: str, help: str, examples: str, description: str | None = None):
    """A subcommand parser whose help ends with its ``examples`` (one per line)."""
    return sub.add_parser(name, help=help, description=description or help,
                          epilog="examples:\n" + examples,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def add_group(sub, name: str, help: str, description: str, examples: str, commands):
    """A command group (``neurocore-hw NAME COMMAND``) and the subparsers of its
    ``commands``."""
    group = add_command(sub, name, help, examples, description)
    return group.add_subparsers(dest=f"{name}_command", required=True, parser_class=Parser,
                                metavar="{" + ",".join(commands) + "}")


def _field(params, path: list[str]):
    value = params
    for key in path:
        value = getattr(value, key)
    return value


def parse_param(model: str, text: str) -> tuple[str, object]:
    """Parse ``K=V`` for ``model``; the value takes the type of the preset's field.

    A parameter of a held model is dotted (``lif.width=12``).

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
    names = parameter_names(default)
    if key not in names:
        raise CliError(f"unknown parameter {key!r} for model {model!r}; parameters: "
                       f"{', '.join(names)}")
    kind = type(_field(default, key.split(".")))
    try:
        value = int(raw, 0) if kind is int else kind(raw)
    except ValueError:
        raise CliError(f"parameter {key}: cannot parse {raw!r} as {kind.__name__}") from None
    return key, value


def model_args(p, *, optional: bool = False, positional: bool = True) -> None:
    """MODEL (positional, or ``--model``), ``--preset`` and ``--param``."""
    if positional:
        p.add_argument("model", nargs="?" if optional else None, metavar="MODEL",
                       help="registered model (see `neurocore-hw list`)")
    else:
        p.add_argument("--model", required=True, help="neuron model of the core")
    p.add_argument("--preset", help="named parameter set (default: the model's first)")
    p.add_argument("--param", action="append", metavar="K=V",
                   help="override one raw integer parameter, e.g. leak_k=12 or "
                        "lif.refractory=3 (repeatable); applied last")
    p.add_argument("--real", action="append", metavar="K=V",
                   help="set one real-unit parameter, e.g. tau_mem=20ms or v_threshold=1.0 "
                        "(repeatable; see `describe MODEL`); the model is then quantized "
                        "to --format")
    p.add_argument("--format", metavar="QW.F",
                   help="number format to quantize the real model to, e.g. Q12.6 or "
                        "Q16.8,nearest,saturate (W bits in all, F fractional); default: "
                        "the preset's. A format change keeps the real values")


_FORMAT_FIELDS = ("width", "frac")


def real_from_args(model: str, base, real_texts: Sequence[str] | None):
    """The real model of ``base`` with ``--real K=V`` values applied.

    Raises
    ------
    CliError
        No real form, a preset with no real meaning, an unknown name or a bad value.
    """
    from ..real import parse_real_value

    entry = get_model(model)
    if entry.real is None:
        raise CliError(f"model {model!r} has no real-unit form; use --param")
    units = entry.real.units()
    values = {}
    for text in real_texts or ():
        if "=" not in text:
            raise CliError(f"--real expects KEY=VALUE, got {text!r}")
        key, raw = (t.strip() for t in text.split("=", 1))
        if key not in units:
            raise CliError(f"unknown real parameter {key!r} for model {model!r}; real "
                           f"parameters: {', '.join(units)}")
        values[key] = parse_real_value(key, raw, units[key])
    try:
        real = entry.real.from_params(base)
    except ValueError as exc:
        if set(values) != set(units):
            raise CliError(f"preset: {exc}") from None
        real = entry.real()  # every real parameter given: the preset's meaning is moot
    return real.with_values(**values)


def params_from_args(args):
    """The validated ``Params`` of ``args.model`` / ``--preset`` / ``--real`` / ``--format``
    / ``--param``; sets ``args.preset`` to a label (``q8_8+Q12.6+width=12``) and
    ``args.quantization`` to the quantized constants' errors (empty without a real model).

    With ``--real`` or ``--format`` the preset's real model (with the ``--real`` values) is
    quantized to the format; raw ``--param`` integers apply last. A raw ``width`` or
    ``frac`` without ``--format`` reinterprets the other integers: a warning says so.
    """
    import sys

    from ..real import Format

    pairs = [parse_param(args.model, text) for text in args.param or ()]
    overrides = dict(pairs)
    if len(overrides) < len(pairs):
        twice = next(k for k, _ in pairs if sum(k == k2 for k2, _ in pairs) > 1)
        raise CliError(f"--param {twice} is given more than once")
    real_texts, fmt_text = getattr(args, "real", None), getattr(args, "format", None)
    args.quantization = {}
    if args.preset is None:
        args.preset = get_model(args.model).default_preset
    base = resolve_params(args.model, args.preset)
    label = args.preset
    if real_texts or fmt_text:
        clash = sorted(set(overrides) & set(_FORMAT_FIELDS))
        if fmt_text and clash:
            raise CliError(f"--param {clash[0]} and --format both set the format; use one")
        real = real_from_args(args.model, base, real_texts)
        fmt = Format.parse(fmt_text) if fmt_text else None
        base, args.quantization = real.quantize(fmt, base)
        label += "+real" if real_texts else ""
        label += f"+{fmt}" if fmt else ""
    params = with_overrides(args.model, base, overrides)
    if not (real_texts or fmt_text) and set(overrides) & set(_FORMAT_FIELDS):
        before, after = base.real_values(), params.real_values()
        changed = [f"{k} {before[k]:g} -> {after[k]:g}" for k in before
                   if k in after and k not in overrides and before[k] != after[k]]
        if changed:
            print(f"warning: raw --param {'/'.join(sorted(set(overrides) & set(_FORMAT_FIELDS)))}"
                  f" keeps the other integers, so their real values change ("
                  f"{', '.join(changed[:3])}); --format re-quantizes the real model instead",
                  file=sys.stderr)
    if overrides:
        label += "+" + ",".join(f"{k}={v}" for k, v in overrides.items())
    args.preset = label
    return params


def progress(command: str, done: int, total: int, label: str) -> None:
    """One line per finished item on a terminal's stderr (``cosim: 3/40 lif q4_4 PASS``)
    for commands that loop over many; nothing when stderr is piped or a log."""
    if total > 1 and sys.stderr.isatty():
        print(f"{command}: {done}/{total} {label}", file=sys.stderr, flush=True)


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


def atomic_write(path: Path, write) -> None:
    """Write an output file the safe way.

    A regular file (or a new one) is written through a temporary file in the same folder
    and renamed into place: never half-written, its mode the existing file's or the umask's
    (0644 under umask 022). A symlink is followed: its target is written, the link stays.
    A device or FIFO (``/dev/null``, ``/dev/stdout``) is written in place, never replaced;
    a folder is refused.

    Raises
    ------
    CliError
        An empty path, a folder, or a missing parent folder (one line, nothing written).
    """
    if not str(path):
        raise CliError("output path is empty")
    path = Path(path)
    target = path.resolve() if path.is_symlink() else path
    if target.is_dir():
        raise CliError(f"output {str(path)!r} is a folder; give a file name")
    if target.exists() and not target.is_file():  # a device or FIFO: write into it
        buffer = io.BytesIO()  # a stream the writers may seek (zip archives do)
        write(buffer)
        with target.open("wb") as fh:
            fh.write(buffer.getvalue())
        return
    if not target.parent.is_dir():
        raise CliError(f"output folder {str(target.parent)!r} does not exist")
    if target.exists():
        mode = target.stat().st_mode & 0o7777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def load_inputs(path: str) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file (no pickles); CliError for anything else."""
    if Path(path).is_dir():
        raise CliError(f"input {path!r} is a folder, not an .npz file")
    if not Path(path).is_file():
        raise CliError(f"input file {path!r} does not exist")
    with open(path, "rb") as fh:
        magic = fh.read(6)
    if magic[:4] != b"PK\x03\x04":  # every .npz is a zip archive
        kind = "a .npy array" if magic == b"\x93NUMPY" else "not a zip archive"
        raise CliError(f"{path!r} is not an .npz archive ({kind}); save inputs with "
                       "numpy.savez(path, name=array)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise CliError(f"cannot read {path!r} as .npz: {exc}") from None
