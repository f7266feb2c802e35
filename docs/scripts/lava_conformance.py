"""Conformance of ``cuba_lif`` (preset ``loihi``) with Lava's bit-accurate Loihi LIF
(``make conformance``).

Lava 0.10 (``lava-nc``, Python 3.10, in ``build/peers/lava``, never the project venv)
runs its ``LIF`` process with the ``fixed_pt`` tag -- ``PyLifModelBitAcc``, under Lava's
own runtime, input from a ``RingBuffer``, ``u``, ``v`` and the spikes read by ``Monitor``
probes after every step -- and every recorded value is compared with ``neurocore_hw``'s
golden ``cuba_lif.step`` (itself equal to the RTL on every cycle).

Lava's ``du``, ``dv`` and ``vth`` are one per process, ``bias_mant`` and the initial ``u``
and ``v`` one per neuron: each of the ``--groups`` processes draws its decays and
threshold, and its neurons their bias and initial state, in four kinds: from rest;
random full-range state; a state whose first step lands the current's sum exactly on the
wrap boundaries (``+2**23`` stays, ``+2**23 + 1`` wraps, ``-2**23`` wraps to ``+2**23``,
``-2**23 + 1`` stays); a membrane that lands exactly on the threshold (no spike: Loihi
spikes above it). Inputs: realistic, full-range int16 (saturating ``v``), silence.

Usage (project venv; ``--peer`` runs inside the peer venv)::

    python docs/scripts/lava_conformance.py --peer-python build/peers/lava/bin/python
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conformance_peer import add_common_args, run_in_peer  # noqa: E402

HALF = 1 << 23
#: Deliberately wrong models that the comparison must reject (``--teeth``).
BROKEN = ("reset by subtraction", "no wrap or clip at 2^23", "decay rounding down")


def _peer(stimulus: str, out: str) -> None:
    """In the peer venv: each group through Lava's LIF (fixed_pt), u, v, spikes saved."""
    import importlib.metadata

    from lava.magma.core.run_conditions import RunSteps
    from lava.magma.core.run_configs import Loihi2SimCfg
    from lava.proc.io.source import RingBuffer
    from lava.proc.lif.process import LIF
    from lava.proc.monitor.process import Monitor

    data = np.load(stimulus)
    results = {}
    for g in range(int(data["groups"])):
        a_in = data[f"a_in_{g}"]  # [T, n]
        steps, n = a_in.shape
        src = RingBuffer(data=a_in.T.astype(np.int16))
        lif = LIF(shape=(n,), du=int(data["du"][g]), dv=int(data["dv"][g]),
                  vth=int(data["vth"][g]), bias_mant=data[f"bias_mant_{g}"],
                  bias_exp=int(data["bias_exp"][g]), u=data[f"u0_{g}"], v=data[f"v0_{g}"])
        src.s_out.connect(lif.a_in)
        monitors = {k: Monitor() for k in ("u", "v", "s_out")}
        monitors["u"].probe(lif.u, steps)
        monitors["v"].probe(lif.v, steps)
        monitors["s_out"].probe(lif.s_out, steps)
        lif.run(condition=RunSteps(num_steps=steps),
                run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
        for k, mon in monitors.items():
            results[f"{k}_{g}"] = np.asarray(mon.get_data()[lif.name][k]).astype(np.int64)
        lif.stop()
    np.savez(out, **results)
    Path(out).with_suffix(".json").write_text(
        json.dumps({"lava-nc": importlib.metadata.version("lava-nc"),
                    "python": sys.version.split()[0]}))


def _solve(k: int, need: np.ndarray) -> np.ndarray:
    """Smallest ``u >= 0`` with ``(u * k) >> 12 == need`` (``need >= 0``; bisection)."""
    lo, hi = np.zeros_like(need), np.full_like(need, 1 << 25)
    while np.any(hi > lo):
        mid = (lo + hi) // 2
        low = (mid * k) >> 12 < need
        lo, hi = np.where(low, mid + 1, lo), np.where(low, hi, mid)
    return lo


def _stimulus(groups: int, n: int, steps: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {"groups": np.array(groups), "du": rng.integers(0, 4096, size=groups),
           "dv": rng.integers(0, 4097, size=groups),
           "vth": np.exp(rng.uniform(0, np.log(131071), size=groups)).astype(np.int64),
           "bias_exp": rng.integers(0, 8, size=groups)}
    out["du"][1::2] = rng.integers(0, 1024, size=len(out["du"][1::2]))  # long memory:
    # a decayed current can reach the wrap boundaries (see kind 2)
    out["du"][0], out["dv"][0] = 4095, 0  # no current memory; a perfect integrator
    for g in range(groups):
        kinds = np.arange(n) % 4
        bias = np.where(rng.random(n) < 0.5, 0, rng.integers(-4096, 4096, size=n))
        bias[kinds >= 2] = 0
        u0 = np.where(kinds == 1, rng.integers(-HALF + 1, HALF + 1, size=n), 0)
        v0 = np.where(kinds == 1, rng.integers(-HALF + 1, HALF, size=n), 0)
        a_in = np.zeros((steps, n), dtype=np.int64)
        seg = steps // 4
        a_in[:seg] = rng.integers(-200, 1000, size=(seg, n))
        a_in[seg:2 * seg] = rng.integers(-32768, 32768, size=(seg, n))
        a_in[3 * seg:] = rng.integers(-32768, 32768, size=(steps - 3 * seg, n)) // 64
        # kind 2: the first step's current sum exactly on a wrap boundary
        k = 4096 - int(out["du"][g]) - 1
        wrap_kind = np.flatnonzero(kinds == 2)
        targets = np.resize([HALF, HALF + 1, -HALF, -HALF + 1], len(wrap_kind))
        drive = np.where(targets > 0, 32767, -32768)
        need = np.abs(targets - (drive << 6))  # decay(u0) must supply the rest
        if k:
            u_abs = _solve(k, need)
            fits = ((u_abs * k) >> 12 == need) & (u_abs <= HALF)
            u0[wrap_kind] = np.where(fits, np.sign(targets) * u_abs, 0)
        a_in[0, wrap_kind] = drive
        # kind 3: from rest, the first step puts v exactly on the threshold
        at = np.flatnonzero(kinds == 3)
        if int(out["vth"][g]) <= 32767:
            a_in[0, at] = int(out["vth"][g])
        out.update({f"a_in_{g}": a_in, f"bias_mant_{g}": bias,
                    f"u0_{g}": u0, f"v0_{g}": v0})
    return out


def _golden(stim: dict, g: int, broken: str | None = None):
    """``cuba_lif.step`` per neuron (bias is per neuron in Lava): u, v, spikes [T, n].
    ``broken`` names one of :data:`BROKEN`, a deliberately wrong model (the teeth)."""
    import neurocore_hw.models.cuba_lif as cuba
    from neurocore_hw.models.cuba_lif import CubaLIFParams, CubaLIFState, decay, step

    a_in = stim[f"a_in_{g}"]
    steps, n = a_in.shape
    rec = {k: np.zeros((steps, n), dtype=np.int64) for k in ("u", "v", "s_out")}
    corners = dict.fromkeys(("u wrapped", "u at +2^23", "u sum at exactly +-2^23",
                             "v clipped", "v exactly at threshold", "spikes"), 0)
    for j in range(n):
        p = CubaLIFParams(du=int(stim["du"][g]), dv=int(stim["dv"][g]),
                          vth=int(stim["vth"][g]), bias_mant=int(stim[f"bias_mant_{g}"][j]),
                          bias_exp=int(stim["bias_exp"][g]),
                          reset="subtract" if broken == "reset by subtraction" else "zero",
                          width=25 if broken == "no wrap or clip at 2^23" else 24)
        st = CubaLIFState(np.array([stim[f"u0_{g}"][j]]), np.array([stim[f"v0_{g}"][j]]))
        for t in range(steps):
            if broken == "decay rounding down":
                saved = cuba.decay
                cuba.decay = lambda x, d: (np.asarray(x, np.int64) * (4096 - d)) >> 12
            new, spike = step(p, st, a_in=np.array([a_in[t, j]]))
            if broken == "decay rounding down":
                cuba.decay = saved
            raw_u = decay(st.u, p.du + 1) + (a_in[t, j] << 6)
            raw_v = decay(st.v, p.dv) + new.u + p.bias
            corners["u wrapped"] += int(raw_u[0] != new.u[0])
            corners["u at +2^23"] += int(new.u[0] == HALF)
            corners["u sum at exactly +-2^23"] += int(abs(raw_u[0]) == HALF)
            corners["v clipped"] += int(abs(raw_v[0]) >= HALF)
            corners["v exactly at threshold"] += int(raw_v[0] == p.threshold)
            corners["spikes"] += int(spike[0])
            rec["u"][t, j], rec["v"][t, j], rec["s_out"][t, j] = new.u[0], new.v[0], spike[0]
            st = new
    return rec, corners


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--groups", type=int, default=8,
                    help="LIF processes, each with its own du, dv, vth (default: 8)")
    ap.add_argument("--neurons", type=int, default=128,
                    help="neurons per process (default: 128)")
    ap.add_argument("--steps", type=int, default=40, help="steps (default: 40)")
    add_common_args(ap, "build/peers/lava/bin/python", "lava-nc")
    args = ap.parse_args(argv)
    if args.peer:
        _peer(*args.peer)
        return 0
    stim = _stimulus(args.groups, args.neurons, args.steps, args.seed)
    try:
        peer, versions = run_in_peer(args.peer_python, __file__, stim)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    values, mismatches, first = 0, 0, None
    corners: dict[str, int] = {}
    for g in range(args.groups):
        rec, hit = _golden(stim, g)
        for k, v in hit.items():
            corners[k] = corners.get(k, 0) + v
        for k in rec:
            bad = np.argwhere(rec[k] != peer[f"{k}_{g}"])
            values += rec[k].size
            mismatches += len(bad)
            if len(bad) and first is None:
                t, j = bad[0]
                first = (f"group {g} step {t} neuron {j} {k}: neurocore {rec[k][t, j]}, "
                         f"Lava {peer[f'{k}_{g}'][t, j]}")
    result = {"values": values, "mismatches": mismatches, "first_mismatch": first,
              "corners": corners, "versions": versions, "groups": args.groups,
              "neurons": args.neurons, "steps": args.steps, "seed": args.seed}
    print(f"cuba_lif vs Lava PyLifModelBitAcc (lava-nc {versions['lava-nc']}, Python "
          f"{versions['python']}): {values:,} values ({args.groups} x {args.neurons} "
          f"neurons x {args.steps} steps x u, v, spike), {mismatches} mismatches")
    for k, v in corners.items():
        print(f"  {k}: {v:,} neuron-steps")
    if first:
        print(f"  first mismatch: {first}")
    toothless = False
    if args.teeth:  # the comparison must reject each deliberately wrong model
        for name in BROKEN:
            wrong = 0
            for g in range(args.groups):
                rec = _golden(stim, g, broken=name)[0]
                wrong += sum(int(np.sum(rec[k] != peer[f"{k}_{g}"])) for k in rec)
            print(f"  teeth: {name}: {wrong:,} mismatches")
            toothless = toothless or wrong == 0
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 1 if mismatches or toothless else 0


if __name__ == "__main__":
    sys.exit(main())
