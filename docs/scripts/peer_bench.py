"""One peer simulator's throughput on the benchmark workloads, printed as one JSON line.

Runs inside a peer's own virtual environment (``make bench`` creates them under
``build/peers``): never imported by neurocore-hw itself. One thread everywhere.

Workloads, as close to the engine's as each simulator allows (differences stated):

* ``lif``: ``v <- v + (v_rest - v) / 16 + I``, threshold 1.0, reset to 0, 2 refractory
  steps (float; the engine runs the same dynamics as Q8.8 integers, preset
  ``sc_lif_q8_8``). Input uniform in [0, 1/8). snnTorch and Norse read a pre-drawn
  ``[T, N]`` float32 tensor, as the engine reads a pre-drawn ``[T, N]`` int16 array.
  Brian2 gets one constant input per neuron (drawn before the timed run): its per-step
  ``rand()`` would cost it more than reading an array costs us, so this favours Brian2.
  snnTorch's ``Leaky`` has no refractory period; Norse's ``LIFBoxCell`` neither.
* ``izhikevich``: regular spiking (a, b, c, d = 0.02, 0.2, -65, 8), input uniform in
  [0, 10), constant per neuron. Brian2 integrates v and u with Euler at dt = 0.5 ms (two
  updates per 1 ms step); the engine takes two 0.5 ms half-steps of v and one of u per
  step. Brian2 only (snnTorch has no Izhikevich neuron; Norse's is not comparable).

Each peer runs at its own defaults: Brian2's C++ standalone keeps its default compiler
flags (``-w -O3 -ffast-math -fno-finite-math-only -march=native -std=c++11``; an
earlier version of this script replaced them with ``-O3 -march=native``, dropping
``-ffast-math``) and is timed by its own ``device._last_run_time`` (the simulation loop,
not the binary's start, allocation and result files); one OpenMP thread.

Usage: ``python peer_bench.py PEER MODEL NEURONS STEPS`` with PEER one of
``brian2-numpy``, ``brian2-cpp``, ``snntorch``, ``norse``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

__all__ = ["main"]

LEAK = 1 / 16
I_MAX = 1 / 8


def _brian2(target: str, model: str, n: int, steps: int) -> dict:
    import brian2 as b2

    if target == "cpp":
        outdir = tempfile.mkdtemp(prefix="brian2-standalone-")
        b2.set_device("cpp_standalone", build_on_run=False, directory=outdir)
        b2.prefs.devices.cpp_standalone.openmp_threads = 0
    else:
        b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = 1 * b2.ms
    if model == "lif":
        group = b2.NeuronGroup(
            n, f"""dv/dt = -v * {LEAK} / ms + I / ms : 1 (unless refractory)
                   I : 1
                   count : 1""",
            threshold="v >= 1", reset="v = 0; count += 1", refractory=2 * b2.ms,
            method="euler")
        group.I = f"{I_MAX} * rand()"
    else:
        group = b2.NeuronGroup(
            n, """dv/dt = (0.04 * v**2 + 5 * v + 140 - u + I) / ms : 1
                  du/dt = 0.02 * (0.2 * v - u) / ms : 1
                  I : 1
                  count : 1""",
            threshold="v >= 30", reset="v = -65; u += 8; count += 1", method="euler",
            dt=0.5 * b2.ms)
        group.v = -65
        group.u = -13
        group.I = "10 * rand()"
    net = b2.Network(group)
    duration = steps * b2.ms
    if target == "cpp":
        net.run(duration)
        b2.device.build(run=False)
        b2.device.run()
        seconds = float(b2.device._last_run_time)  # the simulation loop, as Brian2 times it
    else:
        net.run(5 * b2.ms)  # code generation happens on the first run
        group.count = 0
        t0 = time.perf_counter()
        net.run(duration)
        seconds = time.perf_counter() - t0
    return {"version": b2.__version__, "seconds": seconds,
            "spikes": int(round(float(sum(group.count[:]))))}


def _torch(peer: str, n: int, steps: int) -> dict:
    import torch

    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(steps, n, generator=gen) * I_MAX
    with torch.no_grad():
        if peer == "snntorch":
            import snntorch as snn

            lif = snn.Leaky(beta=1 - LEAK, threshold=1.0, reset_mechanism="zero")
            mem = lif.init_leaky()
            t0 = time.perf_counter()
            total = torch.zeros(n)
            for t in range(steps):
                spk, mem = lif(x[t], mem)
                total += spk
            seconds = time.perf_counter() - t0
            version = snn.__version__
        else:
            import norse
            from norse.torch import LIFBoxCell, LIFBoxParameters

            dt = 1e-3  # dv = dt * tau_mem_inv * (v_leak - v + i) = -v / 16 + x
            cell = LIFBoxCell(LIFBoxParameters(tau_mem_inv=torch.tensor(LEAK / dt),
                                               v_leak=torch.tensor(0.0),
                                               v_th=torch.tensor(1.0),
                                               v_reset=torch.tensor(0.0)), dt=dt)
            state = None
            t0 = time.perf_counter()
            total = torch.zeros(n)
            for t in range(steps):
                spk, state = cell(x[t] / LEAK, state)
                total += spk
            seconds = time.perf_counter() - t0
            version = getattr(norse, "__version__", "?")
    return {"version": version, "torch": torch.__version__, "seconds": seconds,
            "spikes": int(total.sum())}


def main(argv: list[str]) -> int:
    """Run one peer on one workload; print a JSON line."""
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    peer, model, n, steps = argv[0], argv[1], int(argv[2]), int(argv[3])
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if peer.startswith("brian2-"):
        result = _brian2(peer.split("-")[1], model, n, steps)
    elif peer in ("snntorch", "norse") and model == "lif":
        result = _torch(peer, n, steps)
    else:
        print(f"unknown peer/model {peer}/{model}", file=sys.stderr)
        return 2
    result.update(peer=peer, model=model, neurons=n, steps=steps,
                  updates_per_s=n * steps / result["seconds"],
                  us_per_step=result["seconds"] / steps * 1e6)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
