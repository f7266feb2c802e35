"""Shared pieces of the command line: one-line errors, parameters, tables, files."""

from __future__ import annotations

import argparse
import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..registry import get_model, parameter_names, resolve_params

__all__ = ["CliError", "Parser", "add_command", "add_group", "atomic_write", "format_table",
           "load_inputs", "model_args", "params_from_args", "parse_param"]


class CliError(ValueError):
    """Bad command-line input: reported as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are :class:`CliError` (one line, exit 2)."""

    def error(self, message: str):
        raise CliError(f"{self.prog}: {message}")


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
                   help="override one parameter, e.g. width=12 or lif.width=12 "
                        "(repeatable)")


def params_from_args(args):
    """The validated ``Params`` of ``args.model`` / ``--preset`` / ``--param``; sets
    ``args.preset`` to a label (``q8_8+width=12``)."""
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


def atomic_write(path: Path, write) -> None:
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


def load_inputs(path: str) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file (no pickles); CliError for anything else."""
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
