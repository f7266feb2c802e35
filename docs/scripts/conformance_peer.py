"""What the conformance scripts (``xylo_conformance.py``, ``lava_conformance.py``) share:
their common options, and one run of the script itself inside the peer's environment
(``--peer STIM OUT``), which writes the peer's recordings (``OUT``) and its versions
(``OUT`` with ``.json``)."""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["add_common_args", "run_in_peer"]


def add_common_args(ap: argparse.ArgumentParser, peer_python: str, package: str) -> None:
    """``--peer-python``, ``--seed``, ``--json``, ``--teeth`` and the hidden ``--peer``."""
    ap.add_argument("--peer-python", default=peer_python,
                    help=f"python of the peer venv with {package} (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=1, help="stimulus seed (default: 1)")
    ap.add_argument("--json", help="write the result here")
    ap.add_argument("--teeth", action="store_true",
                    help="also compare deliberately wrong models (each must mismatch)")
    ap.add_argument("--peer", nargs=2, metavar=("STIM", "OUT"), help=argparse.SUPPRESS)


def run_in_peer(peer_python: str, script: str, stim: dict) -> tuple[dict, dict]:
    """Run ``script --peer`` with ``peer_python`` on the stimulus; the peer's recordings
    and versions.

    Raises
    ------
    FileNotFoundError
        No peer environment (``make conformance`` builds it).
    """
    if not Path(peer_python).exists():
        raise FileNotFoundError(f"no peer python at {peer_python}: run `make conformance`")
    with tempfile.TemporaryDirectory() as tmp:
        stim_path, out = Path(tmp) / "stim.npz", Path(tmp) / "out.npz"
        np.savez(stim_path, **stim)
        subprocess.run([peer_python, script, "--peer", str(stim_path), str(out)], check=True)
        return dict(np.load(out)), json.loads(out.with_suffix(".json").read_text())
