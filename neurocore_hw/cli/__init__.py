"""``neurocore-hw``: the application layer (the one package that reaches both the golden
models and ``rtl_gen``; nothing imports it).

Exit status: 0 on success, 1 when a co-simulation finds a mismatch, 2 for bad input
(one line on stderr, no traceback, no partial output file), 130 on Ctrl-C.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .. import __version__
from ..tools import MissingToolError
from .common import CliError, Parser, format_table, parse_param
from .core import add_core_group
from .explore import add_explore_command
from .models import add_commands
from .nir import add_nir_group
from .plot import add_plot_command

__all__ = ["CliError", "format_table", "main", "parse_param"]


def _build_parser() -> Parser:
    parser = Parser(prog="neurocore-hw", description="Spiking-neuron models as bit-true "
                    "golden models, synthesizable Verilog and bit-exact co-simulation.")
    parser.add_argument("--version", action="version", version=f"neurocore-hw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    add_commands(sub)
    add_core_group(sub)
    add_nir_group(sub)
    add_explore_command(sub)
    add_plot_command(sub)
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
    except (OSError, MissingToolError) as exc:
        print(f"neurocore-hw: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: no traceback; outputs are atomic, so none is left
        print("neurocore-hw: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
