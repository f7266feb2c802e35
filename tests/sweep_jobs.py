"""Job functions for tests/test_explore.py, imported by the sweep's child interpreters
(the test puts this folder on PYTHONPATH)."""

import time
from pathlib import Path

__all__ = ["fail", "sleepy"]


def sleepy(seconds: float, value: int, log: str | None = None) -> dict:
    """Sleep, note the run in ``log`` (one line per run), return ``value`` squared."""
    time.sleep(seconds)
    if log:
        with Path(log).open("a") as fh:
            fh.write(f"{value}\n")
    return {"square": value * value}


def fail(message: str) -> None:
    """Raise with ``message``."""
    raise RuntimeError(message)
