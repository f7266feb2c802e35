"""The seed families against Norse's own implementations, on the same input currents.

Run: ``.venv/bin/python docs/scripts/norse_families.py`` (needs ``make peers``: Norse in
``build/peers/torch``; in ``make conformance``). Prints Markdown.

For each family Norse has (``exp_lif`` = ``LIFEx``, ``adex`` = ``LIFAdEx``, ``coba_lif``
= ``CobaLIF`` where registered) and each of its presets' real models (Norse's parameter
names, time constants as ``1/tau_*_inv``): 32 neurons x 1,000 steps of input current (16
constant currents over the firing range, 16 noisy), through

- Norse's ``*_feed_forward_step`` (float64 tensors, ``dt`` = 1 ms; run in the peer
  environment by this script with ``--peer``),
- our float64 ``reference`` of the real model (``MODEL.reference(real, ...)``), and
- our bit-true fixed point (the preset).

It reports the largest membrane difference and the spike trains of the float reference
against Norse (they should be the same equations: differences at float64 rounding), and
the fixed point's spike agreement with Norse (within one step, one-to-one).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
PEER_PYTHON = "build/peers/torch/bin/python"
CURRENTS = {"exp_lif": (0.15, 0.6), "adex": (0.2, 0.8), "coba_lif": (0.001, 0.004)}


def _norse_params(family: str, real: dict):
    import torch

    t = torch.float64
    if family == "exp_lif":
        from norse.torch.functional.lif_ex import LIFExParameters

        return LIFExParameters(
            delta_T=torch.tensor(real["delta_T"], dtype=t),
            tau_syn_inv=torch.tensor(1.0 / real["tau_syn"], dtype=t),
            tau_mem_inv=torch.tensor(1.0 / real["tau_mem"], dtype=t),
            v_leak=torch.tensor(real["v_leak"], dtype=t), v_th=torch.tensor(real["v_th"], dtype=t),
            v_reset=torch.tensor(real["v_reset"], dtype=t))
    if family == "adex":
        from norse.torch.functional.lif_adex import LIFAdExParameters

        return LIFAdExParameters(
            adaptation_current=torch.tensor(real["adaptation_current"], dtype=t),
            adaptation_spike=torch.tensor(real["adaptation_spike"], dtype=t),
            delta_T=torch.tensor(real["delta_T"], dtype=t),
            tau_ada_inv=torch.tensor(1.0 / real["tau_ada"], dtype=t),
            tau_syn_inv=torch.tensor(1.0 / real["tau_syn"], dtype=t),
            tau_mem_inv=torch.tensor(1.0 / real["tau_mem"], dtype=t),
            v_leak=torch.tensor(real["v_leak"], dtype=t), v_th=torch.tensor(real["v_th"], dtype=t),
            v_reset=torch.tensor(real["v_reset"], dtype=t))
    from norse.torch.functional.coba_lif import CobaLIFParameters

    return CobaLIFParameters(
        tau_syn_exc_inv=torch.tensor(1.0 / real["tau_syn_exc"], dtype=t),
        tau_syn_inh_inv=torch.tensor(1.0 / real["tau_syn_inh"], dtype=t),
        c_m_inv=torch.tensor(1.0 / real["c_m"], dtype=t), g_l=torch.tensor(real["g_l"], dtype=t),
        e_rev_I=torch.tensor(real["e_rev_I"], dtype=t),
        e_rev_E=torch.tensor(real["e_rev_E"], dtype=t),
        v_rest=torch.tensor(real["v_rest"], dtype=t),
        v_reset=torch.tensor(real["v_reset"], dtype=t),
        v_thresh=torch.tensor(real["v_thresh"], dtype=t))


def peer(stim_path: str, out_path: str) -> None:
    """In the torch environment: every case of the stimulus through Norse."""
    import norse
    import torch
    from norse.torch.functional import coba_lif, lif_adex, lif_ex

    data = np.load(stim_path)
    cases = json.loads(str(data["cases"]))
    out = {}
    for key, case in cases.items():
        family, real = case["family"], case["real"]
        p = _norse_params(family, real)
        current = torch.tensor(data[f"{key}_current"], dtype=torch.float64)
        n = current.shape[1]
        zero = torch.zeros(n, dtype=torch.float64)
        if family == "exp_lif":
            state, step = lif_ex.LIFExFeedForwardState(zero, zero), lif_ex.lif_ex_feed_forward_step
        elif family == "adex":
            state = lif_adex.LIFAdExFeedForwardState(zero, zero, zero)
            step = lif_adex.lif_adex_feed_forward_step
        else:
            state = coba_lif.CobaLIFFeedForwardState(torch.full((n,), real["v_rest"],
                                                                dtype=torch.float64),
                                                     zero, zero)
            step = coba_lif.coba_lif_feed_forward_step
        spikes, v = [], []
        for t in range(current.shape[0]):
            z, state = step(current[t], state, p, dt=real["dt"])
            spikes.append(z.numpy() > 0)
            v.append(state.v.numpy().copy())
        out[f"{key}_spikes"], out[f"{key}_v"] = np.array(spikes), np.array(v)
    np.savez(out_path, **out)
    Path(out_path).with_suffix(".json").write_text(json.dumps(
        {"norse": norse.__version__, "torch": torch.__version__}))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--peer-python", default=PEER_PYTHON,
                    help="python of the peer venv with Norse (default: %(default)s)")
    ap.add_argument("--steps", type=int, default=1000, help="steps (default: 1000)")
    ap.add_argument("--seed", type=int, default=1, help="stimulus seed (default: 1)")
    ap.add_argument("--json", help="write the result here")
    ap.add_argument("--peer", nargs=2, metavar=("STIM", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.peer:
        peer(*args.peer)
        return 0

    sys.path.insert(0, str(HERE.parent))
    from conformance_peer import run_in_peer

    from neurocore_hw.engine import run
    from neurocore_hw.fidelity import match_spikes
    from neurocore_hw.registry import MODELS

    rng = np.random.default_rng(args.seed)
    cases, stim, ours = {}, {}, {}
    for family in CURRENTS:
        if family not in MODELS:
            continue
        entry = MODELS[family]
        for preset, params in entry.presets.items():
            real = entry.real.from_params(params)
            lo, hi = CURRENTS[family]
            constant = np.broadcast_to(np.linspace(lo, hi, 16), (args.steps, 16))
            noisy = (lo + hi) / 2 + (hi - lo) / 2 * rng.standard_normal((args.steps, 16))
            current = np.concatenate([constant, noisy], axis=1)
            key = f"{family}_{preset}"
            cases[key] = {"family": family, "preset": preset, "real": real.as_dict()}
            stim[f"{key}_current"] = current
            port = params.input_ports()[0]
            codes = np.clip(np.round(current * (1 << port.frac)),
                            -(1 << (port.width - 1)), (1 << (port.width - 1)) - 1)
            ref = entry.reference(real, current)
            ours[key] = (ref[0], ref[1], run(params, {port.name: codes.astype(np.int64)}).spikes)
    stim["cases"] = np.array(json.dumps(cases))
    theirs, versions = run_in_peer(args.peer_python, str(HERE), stim)
    print(f"Norse {versions['norse']} (torch {versions['torch']}, float64), {args.steps} "
          f"steps x 32 neurons, seed {args.seed}.\n")
    print("| family | preset | Norse spikes | reference spikes | trains equal | "
          "max abs v difference | fixed-point spikes | fixed point vs Norse (+-1 step) |")
    print("|---|---|---|---|---|---|---|---|")
    result = {"versions": versions, "rows": []}
    for key, case in cases.items():
        ref_spikes, ref_v, fixed = ours[key]
        n_spikes, n_v = theirs[f"{key}_spikes"], theirs[f"{key}_v"]
        same = bool(np.array_equal(ref_spikes, n_spikes))
        dv = float(np.abs(ref_v - n_v).max())
        agree = match_spikes(n_spikes, fixed, tolerance=1)["matched_fraction"]
        row = {"family": case["family"], "preset": case["preset"],
               "norse_spikes": int(n_spikes.sum()), "reference_spikes": int(ref_spikes.sum()),
               "trains_equal": same, "max_v_difference": dv,
               "fixed_spikes": int(fixed.sum()), "fixed_vs_norse": agree}
        result["rows"].append(row)
        print(f"| {row['family']} | {row['preset']} | {row['norse_spikes']} | "
              f"{row['reference_spikes']} | {'yes' if same else 'no'} | {dv:.1e} | "
              f"{row['fixed_spikes']} | {100 * agree:.1f} % |")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
