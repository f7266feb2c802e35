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

The families (issue 18), each the engine's default preset read in real units, Brian2 C++
on the same equations (Euler at dt = 1 ms, i.e. the same discrete update; Brian2 updates
all variables from the old values, the engine feeds a new current into ``v`` in the
same step: the same number of operations), one constant input per neuron:

* ``if``: ``v += I``, threshold 1, reset 0, I in [0, 0.25) (about one spike in nine
  neuron-steps; Brian2's cost grows with the spike rate, the engine's does not).
  snnTorch ``Leaky(beta=1)`` (reset "zero"), Norse ``IAFCell``.
* ``li``: ``v += 0.1016 (I - v)``, no threshold, I in [0, 2). snnTorch ``Leaky(beta=
  0.8984, reset_mechanism="none")`` (it still forms a spike tensor), Norse ``LIBoxCell``.
* ``shift_lif``: ``syn = 0.75 syn + I``, ``v = 0.9375 v + syn``, threshold 16, reset by
  subtraction, I in [-0.25, 1]. snnTorch ``Synaptic`` (reset "subtract"); Norse
  ``LIFCell`` (CuBa, reset to 0: Norse has no reset by subtraction; its membrane takes
  ``dt tau_mem_inv i`` per step, so its input is scaled by ``1 / (1 - beta)``).
* ``cuba_lif``: Loihi's decays ``u = 0.8997 u + I``, ``v = 0.95 v + u``, threshold 100,
  reset to 0, I in [-1, 4] (input units; about one spike in nine neuron-steps).
  snnTorch ``Synaptic`` (reset "zero"), Norse ``LIFCell``.
* ``alif``: ``v += 0.0508 (-v) + I``, ``a = (1 - 1/256) a``, threshold ``1 + 1.699 a``,
  reset by subtracting it, ``a += 1`` on a spike, I in [0, 2). Norse ``LSNNCell`` (it
  also carries a synaptic current: one more state variable than ours); snnTorch has no
  adaptive-threshold neuron.
* ``homeostatic_lif``: ``v += -v/16 + I``, threshold ``th``, reset 0, ``rate += (spike
  - rate)/32``, ``th = clip(th + rate - 0.05, 0.25, 16)``, I in [0, 2). Brian2 only
  (``run_regularly`` for the clip, an extra code object per step).

Each peer runs at its own defaults: Brian2's C++ standalone keeps its default compiler
flags (``-w -O3 -ffast-math -fno-finite-math-only -march=native -std=c++11``; an
earlier version of this script replaced them with ``-O3 -march=native``, dropping
``-ffast-math``) and is timed by its own ``device._last_run_time`` (the simulation loop,
not the binary's start, allocation and result files); one OpenMP thread.

Usage: ``python peer_bench.py PEER MODEL NEURONS STEPS`` with PEER one of
``brian2-numpy``, ``brian2-cpp``, ``snntorch``, ``norse`` and MODEL one of ``lif``,
``izhikevich`` and the families above.
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
LI_K = 26 / 256
ALIF = {"leak": 13 / 256, "adapt": 1 / 256, "beta": 435 / 256, "jump": 1.0, "b0": 1.0}
CUBA = {"alpha": 1 - 411 / 4096, "beta": 1 - 205 / 4096, "th": 100.0}
SHIFT = {"alpha": 0.75, "beta": 0.9375, "th": 16.0}
#: The families each torch peer has a neuron for.
TORCH_FAMILIES = {"snntorch": ("if", "li", "shift_lif", "cuba_lif"),
                  "norse": ("if", "li", "shift_lif", "cuba_lif", "alif")}
#: Brian2 form of each family: (equations, threshold, reset, input expression, extra code
#: run every step or None)
FAMILIES = {
    "if": ("dv/dt = I / ms : 1", "v >= 1", "v = 0", "0.25 * rand()", None),
    "li": (f"dv/dt = {LI_K} * (I - v) / ms : 1", None, None, "2 * rand()", None),
    "shift_lif": (f"""dsyn/dt = (-(1 - {SHIFT['alpha']}) * syn + I) / ms : 1
                      dv/dt = (-(1 - {SHIFT['beta']}) * v + syn) / ms : 1""",
                  f"v >= {SHIFT['th']}", f"v -= {SHIFT['th']}", "-0.25 + 1.25 * rand()",
                  None),
    "cuba_lif": (f"""du/dt = (-(1 - {CUBA['alpha']}) * u + I) / ms : 1
                     dv/dt = (-(1 - {CUBA['beta']}) * v + u) / ms : 1""",
                 f"v > {CUBA['th']}", "v = 0", "-1 + 5 * rand()", None),
    "alif": (f"""dv/dt = (-{ALIF['leak']} * v + I) / ms : 1
                 da/dt = -{ALIF['adapt']} * a / ms : 1""",
             f"v >= {ALIF['b0']} + {ALIF['beta']} * a",
             f"v -= {ALIF['b0']} + {ALIF['beta']} * a; a += {ALIF['jump']}", "2 * rand()",
             None),
    "homeostatic_lif": ("""dv/dt = (-v / 16 + I) / ms : 1
                           drate/dt = -rate / 32 / ms : 1
                           dth/dt = (rate - 0.05) / ms : 1""",
                        "v >= th", "v = 0; rate += 1.0 / 32", "2 * rand()",
                        "th = clip(th, 0.25, 16)"),
}


def _brian2(target: str, model: str, n: int, steps: int) -> dict:
    import brian2 as b2

    if target == "cpp":
        outdir = tempfile.mkdtemp(prefix="brian2-standalone-")
        b2.set_device("cpp_standalone", build_on_run=False, directory=outdir)
        b2.prefs.devices.cpp_standalone.openmp_threads = 0
    else:
        b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = 1 * b2.ms
    if model in FAMILIES:
        eqs, threshold, reset, drive, regular = FAMILIES[model]
        group = b2.NeuronGroup(n, eqs + "\nI : 1\ncount : 1", threshold=threshold,
                               reset=None if reset is None else reset + "; count += 1",
                               method="euler")
        group.I = drive
        if model == "homeostatic_lif":
            group.th = 1.0
            group.rate = 0.05
        if regular:
            group.run_regularly(regular, dt=1 * b2.ms)
    elif model == "lif":
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


def _torch_family(peer: str, model: str, n: int, steps: int) -> dict:
    """The families on snnTorch or Norse (see the module docstring)."""
    import torch

    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    low, high = {"shift_lif": (-0.25, 1.0), "cuba_lif": (-1.0, 4.0),
                 "if": (0.0, 0.25)}.get(model, (0.0, 2.0))
    x = low + torch.rand(steps, n, generator=gen) * (high - low)
    dt = 1e-3
    with torch.no_grad():
        if peer == "snntorch":
            import snntorch as snn

            version = snn.__version__
            if model in ("if", "li"):
                cell = snn.Leaky(beta=1.0 if model == "if" else 1 - LI_K, threshold=1.0,
                                 reset_mechanism="zero" if model == "if" else "none")
                state = (cell.init_leaky(),)
                scale = 1.0 if model == "if" else LI_K
            else:
                c = SHIFT if model == "shift_lif" else CUBA
                cell = snn.Synaptic(alpha=c["alpha"], beta=c["beta"], threshold=c["th"],
                                    reset_mechanism="subtract" if model == "shift_lif"
                                    else "zero")
                state = cell.init_synaptic()
                scale = 1.0
            t0 = time.perf_counter()
            total = torch.zeros(n)
            for t in range(steps):
                spk, *state = cell(x[t] * scale, *state)
                total += spk
            seconds = time.perf_counter() - t0
        else:
            import norse
            import norse.torch as nt

            version = getattr(norse, "__version__", "?")
            t = torch.tensor
            if model == "if":
                cell, scale = nt.IAFCell(nt.IAFParameters(v_th=t(1.0), v_reset=t(0.0)),
                                         dt=dt), 1.0
            elif model == "li":
                cell = nt.LIBoxCell(nt.LIBoxParameters(tau_mem_inv=t(LI_K / dt)), dt=dt)
                scale = 1.0
            elif model == "alif":
                cell = nt.LSNNCell(nt.LSNNParameters(
                    tau_syn_inv=t(1 / dt), tau_mem_inv=t(ALIF["leak"] / dt),
                    tau_adapt_inv=t(ALIF["adapt"] / dt), v_th=t(ALIF["b0"]),
                    beta=t(ALIF["beta"])), dt=dt)
                scale = 1 / ALIF["leak"]
            else:
                c = SHIFT if model == "shift_lif" else CUBA
                cell = nt.LIFCell(nt.LIFParameters(
                    tau_syn_inv=t((1 - c["alpha"]) / dt), tau_mem_inv=t((1 - c["beta"]) / dt),
                    v_th=t(c["th"])), dt=dt)
                scale = 1 / (1 - c["beta"])  # Norse's v takes (1 - beta) i per step
            state = None
            t0 = time.perf_counter()
            total = torch.zeros(n)
            for k in range(steps):
                spk, state = cell(x[k] * scale, state)
                total += spk
            seconds = time.perf_counter() - t0
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
    elif model in TORCH_FAMILIES.get(peer, ()):
        result = _torch_family(peer, model, n, steps)
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
