"""Stochastic-computing accuracy and throughput, measured.

Run: ``.venv/bin/python docs/scripts/sc_study.py`` (accuracy table, slopes and the
log-log plot ``docs/sc_accuracy.png``; needs matplotlib, which ``make docs`` installs) or
with ``--speed`` (throughput only; ``make bench`` runs this).

Accuracy: 2,000 random operand pairs, 16-bit codes, stream lengths L in {64, 256, 1024,
4096}; mean absolute error of the decoded unipolar product (AND) and scaled sum (MUX)
against the exact value of the codes. LFSR: 16-bit LFSRs, stream a on the table taps and
b on the mirrored taps, each pair with its own random seeds, the MUX select from a third
LFSR (table taps, own seed) compared with one half. Low-discrepancy (LD): at resolution L,
a compares the bit-reversed counter and b the counter itself; the adder uses a counter
one bit wider, its LSB as select, as the sc_add block does.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from neurocore_hw import sc

__all__ = ["accuracy", "main", "speed"]

W = 16
LENGTHS = (64, 256, 1024, 4096)
PAIRS = 2000


def _ld_streams(x, y, length, add):
    bits = int(np.log2(length)) - add
    t = np.arange(length, dtype=np.int64)
    c = t >> add
    scale = W - bits
    a = (sc.bit_reverse(c % (1 << bits), bits) << scale)[:, None] < x[None, :]
    b = ((c % (1 << bits)) << scale)[:, None] < y[None, :]
    sel = np.broadcast_to(((t & 1) == 1)[:, None], a.shape) if add else None
    return a, b, sel


def _lfsr_streams(x, y, length, rng):
    seeds = rng.integers(1, 1 << W, (3, x.size))
    a = sc.lfsr_sequence(W, seeds[0], length) < x[None, :]
    b = sc.lfsr_sequence(W, seeds[1], length, mirror=True) < y[None, :]
    sel = sc.lfsr_sequence(W, seeds[2], length) < (1 << (W - 1))
    return a, b, sel


def accuracy() -> dict[tuple[str, str], list[float]]:
    """MAE per (operation, source) over :data:`LENGTHS`."""
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 1 << W, (2, PAIRS))
    exact_mul, exact_add = x * y / 4.0 ** W, (x + y) / 2.0 ** (W + 1)
    out: dict[tuple[str, str], list[float]] = {}
    for length in LENGTHS:
        a, b, sel = _lfsr_streams(x, y, length, rng)
        pa, pb, ps = sc.pack(a), sc.pack(b), sc.pack(sel)
        mul = sc.count_ones(sc.sc_and(pa, pb)) / length
        add = sc.count_ones(sc.sc_mux(ps, pa, pb)) / length
        out.setdefault(("multiply (AND)", "LFSR"), []).append(np.abs(mul - exact_mul).mean())
        out.setdefault(("scaled add (MUX)", "LFSR"), []).append(np.abs(add - exact_add).mean())
        a, b, _ = _ld_streams(x, y, length, 0)
        mul = sc.count_ones(sc.sc_and(sc.pack(a), sc.pack(b))) / length
        a, b, sel = _ld_streams(x, y, length, 1)
        add = sc.count_ones(sc.sc_mux(sc.pack(sel), sc.pack(a), sc.pack(b))) / length
        out.setdefault(("multiply (AND)", "LD"), []).append(np.abs(mul - exact_mul).mean())
        out.setdefault(("scaled add (MUX)", "LD"), []).append(np.abs(add - exact_add).mean())
    return out


def slope(errors) -> float:
    """Least-squares slope of log(MAE) against log(L)."""
    return float(np.polyfit(np.log(LENGTHS), np.log(errors), 1)[0])


def _median_time(fn, repeats=5) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def speed(streams: int = 10_000, length: int = 4096) -> dict[str, float]:
    """Throughput (Gbit/s, one thread, median of 5) of generation and gate arithmetic."""
    rng = np.random.default_rng(1)
    bits = streams * length
    seeds = rng.integers(1, 1 << W, streams)
    x = rng.integers(0, 1 << W, streams)
    t_lfsr = _median_time(lambda: sc.lfsr_sequence(W, seeds, length), repeats=3)
    rand = sc.lfsr_sequence(W, seeds, length)
    t_sng = _median_time(lambda: sc.pack(rand < x[None, :]))
    a = sc.pack(rand < x[None, :])
    b = sc.pack(rand[::-1] < x[None, :])
    s = sc.pack(rand < (1 << (W - 1)))
    out = np.empty_like(a)
    return {
        "LFSR states (16-bit)": bits / t_lfsr / 1e9,
        "SNG compare + pack": bits / t_sng / 1e9,
        "AND": bits / _median_time(lambda: sc.sc_and(a, b, out=out)) / 1e9,
        "XNOR": bits / _median_time(lambda: sc.sc_xnor(a, b, length, out=out)) / 1e9,
        "MUX": bits / _median_time(lambda: sc.sc_mux(s, a, b)) / 1e9,
        "decode (popcount)": bits / _median_time(lambda: sc.count_ones(a)) / 1e9,
    }


def main() -> None:
    if "--speed" not in sys.argv:
        print("| operation | source | MAE at L = " + " | ".join(map(str, LENGTHS))
              + " | slope |")
        results = accuracy()
        print("|---|---|" + "---|" * len(LENGTHS) + "---|")
        for (op, source), errors in results.items():
            print(f"| {op} | {source} | " + " | ".join(f"{e:.5f}" for e in errors)
                  + f" | {slope(errors):+.2f} |")
        plot(results, Path(__file__).resolve().parents[1] / "sc_accuracy.png")
    print("\n| operation | Gbit/s (10,000 streams x 4,096 bits, one thread) |\n|---|---|")
    for name, rate in speed().items():
        print(f"| {name} | {rate:.2f} |")


def plot(results, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.2))
    for (op, source), errors in results.items():
        ax.loglog(LENGTHS, errors, "o-" if source == "LD" else "s--",
                  label=f"{op}, {source} (slope {slope(errors):+.2f})")
    ref = np.array(LENGTHS, dtype=float)
    ax.loglog(ref, 0.1 * ref ** -0.5, ":", color="0.6", label="L^-1/2")
    ax.loglog(ref, 0.3 * ref ** -1.0, "-.", color="0.6", label="L^-1")
    ax.set_xlabel("stream length L (bits)")
    ax.set_ylabel("mean absolute error")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
