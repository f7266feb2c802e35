"""Engine throughput: neuron updates per second of the bit-true engine, one thread.

Inputs are drawn once (narrowest signed dtype that holds the port) in a realistic range
-- the model's ``typical_inputs()`` where it declares one, else about 0..2.0 in the port's
``Q`` format -- so neurons integrate and fire; only the engine run is timed.

The first run in a process pays one-off costs: the LIF transition table is built (about
15 ms for the default preset) and fresh memory is touched for the first time (the spike
raster: 100 MB at N = 1e5, T = 1000), which on this virtual machine measured up to 2.5x
the run itself. It is timed separately (``cold_seconds``) and left out of the median, as
Brian2's code generation and compilation are left out of its time.
"""

from __future__ import annotations

import os
import time

import numpy as np

from .engine import run

__all__ = ["bench_model"]


def _dtype_for(width: int) -> type:
    for dtype in (np.int8, np.int16, np.int32):
        if width <= np.iinfo(dtype).bits:
            return dtype
    return np.int64


def _memory_bytes() -> int:
    """Physical memory of this machine, bytes (0 where the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def _bytes_needed(params, neurons: int, steps: int) -> int:
    """What a benchmark run holds at once: the input array, two spike rasters and the
    engine's per-neuron state and work arrays (generously: 16 int64 per neuron)."""
    port = params.input_ports()[0]
    width = np.dtype(_dtype_for(port.width + (not port.signed))).itemsize
    return steps * neurons * (width + 2) + neurons * 16 * 8


def bench_model(params, neurons: int, steps: int, *, repeats: int = 3, seed: int = 0,
                warmup: bool = True, input_range: tuple[int, int] | None = None) -> dict:
    """Time :func:`neurocore_hw.engine.run` on ``[steps, neurons]`` random currents.

    Parameters
    ----------
    params : object
        A registered model's ``Params``.
    neurons, steps : int
        Population size and number of time steps (both >= 1).
    repeats : int
        Timed runs; the median is reported.
    seed : int
        Input seed.
    warmup : bool
        Run once first; that run's time is ``cold_seconds`` and stays out of the median.
    input_range : tuple of int, optional
        Inclusive range of the first input port's codes (a peer comparison's workload);
        the model's typical range if omitted.

    Returns
    -------
    dict
        ``updates_per_s``, ``us_per_step``, ``seconds`` (median), ``neurons``, ``steps``,
        ``spikes`` (total of one run), ``repeats``, ``all_seconds``, ``cold_seconds``
        (the warm-up run, or None).
    """
    for name, value in (("neurons", neurons), ("steps", steps), ("repeats", repeats)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    need = _bytes_needed(params, neurons, steps)
    have = _memory_bytes()
    if have and need > have // 2:
        raise ValueError(f"{neurons} neurons x {steps} steps needs about {need / 2**30:.1f} "
                         f"GiB (inputs and spikes), more than half of this machine's "
                         f"{have / 2**30:.1f} GiB; use fewer neurons or steps")
    rng = np.random.default_rng(seed)
    port = params.input_ports()[0]
    typical = params.typical_inputs()
    lo, hi = typical.get(port.name, (0, min((1 << (port.frac + 1)) - 1,
                                            (1 << (port.width - 1)) - 1)))
    if input_range is not None:
        lo, hi = (int(x) for x in input_range)
    inputs = {port.name: rng.integers(lo, hi, (steps, neurons), endpoint=True,
                                      dtype=_dtype_for(port.width + (not port.signed)))}
    cold = None
    if warmup:
        t0 = time.perf_counter()
        run(params, inputs)
        cold = time.perf_counter() - t0
    times, spikes = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = run(params, inputs)
        times.append(time.perf_counter() - t0)
        spikes = int(result.spikes.sum())
    median = float(np.median(times))
    return {"updates_per_s": neurons * steps / median, "us_per_step": median / steps * 1e6,
            "seconds": median, "neurons": int(neurons), "steps": int(steps),
            "spikes": spikes, "repeats": int(repeats), "all_seconds": times,
            "cold_seconds": cold}
