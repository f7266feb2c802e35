"""Conformance of the ``xylo`` model with SynSense's XyloSim (``make conformance``).

The project side draws per-neuron parameters and input spike counts, runs them through
XyloSim in the peer environment (``build/peers/rockpool``: Rockpool and ``xylosim``, never
the project venv), and compares every recorded value -- each neuron's synaptic current,
membrane potential and spike count after every step -- with ``neurocore_hw``'s golden
``xylo.step`` (itself equal to the RTL on every cycle: the co-simulation tests).

Each XyloSim layer (one per input weight shift, 0..7) has ``N`` hidden neurons, hidden
neuron ``j`` fed by input channel ``j`` alone (up to 15 events per step, copies of one
int8 weight shifted left), and ``N`` output neurons, output ``j`` fed by hidden ``j``'s
spike count of the step before (up to 31 events, the output weight shifted by the output
shift). Hidden neurons spike up to 31 times per step, outputs once. The golden model gets,
per step, the events' sum (one channel: events of one sign, where XyloSim's per-event
saturating adds equal one).

Stimulus segments: realistic (sparse counts), bursts (15 events of the largest weights:
synaptic saturation both ways), silence (decay to rest), ``dash_mem = 0`` neurons driven
hard negative with a small negative bias (the wrap of ``-decay(v)`` at ``v = -2**15``,
after which XyloSim's neuron stays there), tiny thresholds (the 31-spike
cap). The coverage table says how often each corner was hit.

Usage (project venv; ``--peer`` runs inside the peer venv)::

    python docs/scripts/xylo_conformance.py --peer-python build/peers/rockpool/bin/python
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conformance_peer import add_common_args, run_in_peer  # noqa: E402

SHIFTS = range(8)
#: Deliberately wrong models that the comparison must reject (``--teeth``).
BROKEN = ("no wrap of -decay(v)", "decay without its one-LSB minimum", "one spike per step")


def _peer(stimulus: str, out: str) -> None:
    """In the peer venv: every layer of ``stimulus`` through XyloSim, recordings saved."""
    import importlib.metadata

    from xylosim.v2 import XyloLayer, XyloSynapse  # the C++ simulator Rockpool wraps

    data = np.load(stimulus)
    n = int(data["n"])
    results = {}
    for s in SHIFTS:
        counts = data[f"counts_{s}"]  # [T, n] input events per channel
        syn_in = [[XyloSynapse(j, 0, int(data[f"w_in_{s}"][j]))] for j in range(n)]
        syn_rec = [[] for _ in range(n)]
        syn_out = [[XyloSynapse(j, 0, int(data[f"w_out_{s}"][j]))] for j in range(n)]
        layer = XyloLayer(
            synapses_in=syn_in, synapses_rec=syn_rec, synapses_out=syn_out,
            aliases=[[] for _ in range(n)],
            threshold=[int(x) for x in data[f"th_{s}"][:n]],
            threshold_out=[int(x) for x in data[f"th_{s}"][n:]],
            has_bias=True, bias=[int(x) for x in data[f"bias_{s}"][:n]],
            bias_out=[int(x) for x in data[f"bias_{s}"][n:]],
            weight_shift_inp=s, weight_shift_rec=0, weight_shift_out=int(data["shift_out"][s]),
            dash_mem=[int(x) for x in data[f"dash_mem_{s}"][:n]],
            dash_mem_out=[int(x) for x in data[f"dash_mem_{s}"][n:]],
            dash_syns=[[int(x)] for x in data[f"dash_syn_{s}"][:n]],
            dash_syns_out=[[int(x)] for x in data[f"dash_syn_{s}"][n:]],
            name=f"shift{s}")
        layer.evolve([[int(c) for c in row] for row in counts])
        results[f"syn_{s}"] = np.concatenate(
            [np.array(layer.rec_i_syn, dtype=np.int64),
             np.array(layer.rec_i_syn_out, dtype=np.int64)]).T
        results[f"v_{s}"] = np.concatenate(
            [np.array(layer.rec_v_mem, dtype=np.int64),
             np.array(layer.rec_v_mem_out, dtype=np.int64)]).T
        results[f"count_{s}"] = np.concatenate(
            [np.array(layer.rec_recurrent_spikes, dtype=np.int64),
             np.array(layer.rec_out_spikes, dtype=np.int64)], axis=1)
    # the network: several channels of both signs per hidden neuron, recurrence, outputs
    net = {k[4:]: data[k] for k in data.files if k.startswith("net_")}
    n_in, n_hid = net["w_in"].shape
    n_out = net["w_out"].shape[1]

    def synapses(w):
        return [[XyloSynapse(j, 0, int(w[i, j])) for j in range(w.shape[1]) if w[i, j]]
                for i in range(w.shape[0])]

    hid, outp = net["hidden"], net["output"]  # dash_syn, dash_mem, threshold, bias
    # XyloLayer keeps raw pointers to the synapse objects: hold them while it runs
    keep = [synapses(net[k]) for k in ("w_in", "w_rec", "w_out")]
    layer = XyloLayer(
        synapses_in=keep[0], synapses_rec=keep[1], synapses_out=keep[2],
        aliases=[[] for _ in range(n_hid)],
        threshold=[int(hid[2])] * n_hid, threshold_out=[int(outp[2])] * n_out,
        has_bias=True, bias=[int(hid[3])] * n_hid, bias_out=[int(outp[3])] * n_out,
        weight_shift_inp=int(net["shifts"][0]), weight_shift_rec=int(net["shifts"][1]),
        weight_shift_out=int(net["shifts"][2]),
        dash_mem=[int(hid[1])] * n_hid, dash_mem_out=[int(outp[1])] * n_out,
        dash_syns=[[int(hid[0])]] * n_hid, dash_syns_out=[[int(outp[0])]] * n_out,
        name="network")
    layer.evolve([[int(c) for c in row] for row in net["x"]])
    results["net_hidden_syn"] = np.array(layer.rec_i_syn, dtype=np.int64).T
    results["net_hidden_v"] = np.array(layer.rec_v_mem, dtype=np.int64).T
    results["net_hidden"] = np.array(layer.rec_recurrent_spikes, dtype=np.int64)
    results["net_output_syn"] = np.array(layer.rec_i_syn_out, dtype=np.int64).T
    results["net_output_v"] = np.array(layer.rec_v_mem_out, dtype=np.int64).T
    results["net_output"] = np.array(layer.rec_out_spikes, dtype=np.int64)
    np.savez(out, **results)
    versions = {p: importlib.metadata.version(p) for p in ("rockpool", "xylosim")}
    Path(out).with_suffix(".json").write_text(json.dumps(versions))


def _stimulus(n: int, steps: int, seed: int) -> dict[str, np.ndarray]:
    """Per layer: parameters of 2n neurons (hidden, then output), weights, input counts."""
    rng = np.random.default_rng(seed)
    out = {"n": np.array(n), "shift_out": rng.integers(0, 8, size=8)}
    kinds = np.arange(2 * n) % 4  # 0 typical, 1 dash_mem 0, 2 tiny threshold, 3 slow
    for s in SHIFTS:
        dash_syn = rng.integers(0, 16, size=2 * n)
        dash_mem = np.where(kinds == 1, 0, rng.integers(0, 16, size=2 * n))
        th = np.where(kinds == 2, rng.integers(1, 8, size=2 * n),
                      np.exp(rng.uniform(0, np.log(32767), size=2 * n)).astype(np.int64))
        th = np.clip(th, 1, 32767)
        bias = np.where(rng.random(2 * n) < 0.5, 0, rng.integers(-2000, 2001, size=2 * n))
        bias[rng.random(2 * n) < 0.05] = rng.choice([-32768, 32767], size=1)
        # dash_mem 0 with a small negative bias pins v at -2**15, where -decay(v) wraps
        bias[kinds == 1] = rng.integers(-300, 0, size=int((kinds == 1).sum()))
        w_in = rng.integers(-128, 128, size=n)
        w_in[:4] = [127, -128, 1, -1]
        w_in[kinds[:n] == 1] = -128  # drive the dash_mem 0 neurons down hard
        counts = np.zeros((steps, n), dtype=np.int64)
        seg = steps // 5
        counts[:seg] = rng.binomial(2, 0.2, size=(seg, n))             # typical
        counts[seg:2 * seg] = 15                                       # burst
        counts[2 * seg:3 * seg] = 0                                    # silence
        counts[3 * seg:4 * seg] = rng.integers(0, 16, size=(seg, n))  # full range
        counts[4 * seg:] = rng.integers(0, 3, size=(steps - 4 * seg, n)) * 5
        out.update({f"dash_syn_{s}": dash_syn, f"dash_mem_{s}": dash_mem, f"th_{s}": th,
                    f"bias_{s}": bias, f"w_in_{s}": w_in,
                    f"w_out_{s}": rng.integers(-128, 128, size=n), f"counts_{s}": counts})
    # the network: 16 channels -> 32 hidden (recurrent) -> 8 outputs, dense int8 weights
    # of both signs (a tenth of them zero: no synapse), shifts that reach the rails
    def weights(shape):
        w = rng.integers(-128, 128, size=shape)
        w[rng.random(shape) < 0.1] = 0
        return w

    x = rng.binomial(3, 0.15, size=(steps, 16))
    x[steps // 3:steps // 3 + 10] = 15  # bursts: the rails, where the order matters
    out.update({"net_w_in": weights((16, 32)), "net_w_rec": weights((32, 32)),
                "net_w_out": weights((32, 8)), "net_shifts": np.array([6, 3, 5]),
                "net_hidden": np.array([2, 4, 6000, -3]), "net_output": np.array([1, 3, 3000, 0]),
                "net_x": x})
    return out


def _golden(stim: dict, s: int, n: int, broken: str | None = None):
    """``xylo.step`` over the layer: [T, 2n] syn, v, count, and the corner counts.
    ``broken`` names one of :data:`BROKEN`, a deliberately wrong model (the teeth)."""
    import neurocore_hw.models.xylo as xylo
    from neurocore_hw.fixed import saturate, wrap
    from neurocore_hw.models.xylo import XyloParams, XyloState, decay, step

    saved = xylo.wrap, xylo.decay
    if broken == "no wrap of -decay(v)":
        xylo.wrap = lambda x, width: x
    if broken == "decay without its one-LSB minimum":
        xylo.decay = lambda x, shift: np.asarray(x, np.int64) >> shift
    try:
        return _run_golden(stim, s, n, broken, saturate, wrap, XyloParams, XyloState, decay,
                           step)
    finally:
        xylo.wrap, xylo.decay = saved


def _run_golden(stim, s, n, broken, saturate, wrap, XyloParams, XyloState, decay, step):

    counts = stim[f"counts_{s}"]
    steps = len(counts)
    params = [XyloParams(dash_syn=int(stim[f"dash_syn_{s}"][j]),
                         dash_mem=int(stim[f"dash_mem_{s}"][j]),
                         v_threshold=int(stim[f"th_{s}"][j]), bias=int(stim[f"bias_{s}"][j]),
                         max_spikes=31 if j < n and broken != "one spike per step" else 1)
              for j in range(2 * n)]
    w_in = stim[f"w_in_{s}"] << s
    w_out = stim[f"w_out_{s}"] << int(stim["shift_out"][s])
    state = [XyloState(np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1, np.int64))
             for _ in range(2 * n)]
    rec = {k: np.zeros((steps, 2 * n), dtype=np.int64) for k in ("syn", "v", "count")}
    corners = dict.fromkeys(("syn saturated", "membrane increment saturated",
                             "v saturated", "wrap of -decay(v) at -2^15",
                             "multi-spike steps", "31-spike cap", "bias added"), 0)
    for t in range(steps):
        drive = np.concatenate([np.minimum(counts[t], 15) * w_in,
                                (rec["count"][t - 1, :n] if t else np.zeros(n, np.int64))
                                * w_out])
        for j, p in enumerate(params):
            st = state[j]
            # the corners, from the same arithmetic spelled out
            raw = st.syn + drive[j]
            corners["syn saturated"] += int(np.any(saturate(raw, 16) != raw))
            syn = saturate(raw, 16)
            syn = syn - decay(syn, p.dash_syn)
            neg = -decay(st.v, p.dash_mem)
            corners["wrap of -decay(v) at -2^15"] += int(np.any(wrap(neg, 16) != neg))
            dv_raw = wrap(neg, 16) + syn
            dv = saturate(dv_raw, 16)
            corners["membrane increment saturated"] += int(
                np.any(dv != dv_raw) or np.any(saturate(dv + p.bias, 16) != dv + p.bias))
            dv = saturate(dv + p.bias, 16)
            corners["v saturated"] += int(np.any(saturate(st.v + dv, 16) != st.v + dv))
            corners["bias added"] += int(p.bias != 0)
            vv = saturate(st.v + dv, 16)
            corners["31-spike cap"] += int(np.any(vv // p.v_threshold > p.max_spikes)
                                            and p.max_spikes == 31)
            state[j], _ = step(p, st, i_in=np.array([drive[j]]))
            for k in rec:
                rec[k][t, j] = getattr(state[j], k)[0]
            corners["multi-spike steps"] += int(state[j].count[0] > 1)
    return rec, corners


def _network(stim: dict, broken: str | None = None) -> dict[str, np.ndarray]:
    """The network through :class:`~neurocore_hw.xylo_network.XyloNetwork`."""
    import neurocore_hw.xylo_network as xn
    from neurocore_hw.models.xylo import XyloParams

    def params(v, max_spikes):
        return XyloParams(dash_syn=int(v[0]), dash_mem=int(v[1]), v_threshold=int(v[2]),
                          bias=int(v[3]), max_spikes=max_spikes)

    net = xn.XyloNetwork(w_in=stim["net_w_in"], w_rec=stim["net_w_rec"],
                         w_out=stim["net_w_out"], hidden=params(stim["net_hidden"], 31),
                         output=params(stim["net_output"], 1),
                         shift_in=int(stim["net_shifts"][0]),
                         shift_rec=int(stim["net_shifts"][1]),
                         shift_out=int(stim["net_shifts"][2]))
    saved = xn.saturate
    if broken == "one saturating add per step":
        xn.saturate = lambda x, width: x  # the neuron's own add saturates the sum once
    try:
        run = net.run(stim["net_x"][:, None, :], record=True)
    finally:
        xn.saturate = saved
    got = {"hidden": run.hidden[:, 0], "output": run.output[:, 0]}
    got.update({k: v[:, 0] for k, v in run.traces.items()})
    return got


NET_KEYS = ("hidden", "hidden_syn", "hidden_v", "output", "output_syn", "output_v")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--neurons", type=int, default=64,
                    help="hidden neurons per layer, as many outputs (default: 64)")
    ap.add_argument("--steps", type=int, default=250, help="steps (default: 250)")
    add_common_args(ap, "build/peers/rockpool/bin/python", "xylosim")
    args = ap.parse_args(argv)
    if args.peer:
        _peer(*args.peer)
        return 0
    n, stim = args.neurons, _stimulus(args.neurons, args.steps, args.seed)
    try:
        peer, versions = run_in_peer(args.peer_python, __file__, stim)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    values, mismatches, first = 0, 0, None
    corners: dict[str, int] = {}
    for s in SHIFTS:
        rec, hit = _golden(stim, s, n)
        for k, v in hit.items():
            corners[k] = corners.get(k, 0) + v
        for k in ("syn", "v", "count"):
            bad = np.argwhere(rec[k] != peer[f"{k}_{s}"])
            values += rec[k].size
            mismatches += len(bad)
            if len(bad) and first is None:
                t, j = bad[0]
                first = (f"shift {s} step {t} neuron {j} {k}: neurocore {rec[k][t, j]}, "
                         f"XyloSim {peer[f'{k}_{s}'][t, j]}")
    net = _network(stim)
    net_values, net_mismatches = 0, 0
    for k in NET_KEYS:
        bad = np.argwhere(net[k] != peer[f"net_{k}"])
        net_values += net[k].size
        net_mismatches += len(bad)
        if len(bad) and first is None:
            t, j = bad[0]
            first = (f"network step {t} {k}[{j}]: neurocore {net[k][t, j]}, "
                     f"XyloSim {peer[f'net_{k}'][t, j]}")
    mismatches += net_mismatches
    wrong = _network(stim, broken="one saturating add per step")
    order = sum(int(np.sum(wrong[k] != peer[f"net_{k}"])) for k in NET_KEYS)
    spikes = sum(int(peer[f"count_{s}"].sum()) for s in SHIFTS)
    result = {"values": values, "network_values": net_values,
              "network_mismatches": net_mismatches, "network_order_teeth": order,
              "mismatches": mismatches, "first_mismatch": first,
              "spikes": spikes, "corners": corners, "versions": versions,
              "neurons": 2 * n * len(SHIFTS), "steps": args.steps, "seed": args.seed}
    print(f"xylo vs XyloSim (rockpool {versions['rockpool']}, xylosim "
          f"{versions['xylosim']}): {values:,} values ({2 * n * len(SHIFTS)} neurons x "
          f"{args.steps} steps x syn, v, count), {mismatches} mismatches, {spikes:,} spikes")
    for k, v in corners.items():
        print(f"  {k}: {v:,} neuron-steps")
    print(f"network (16 -> 32 recurrent -> 8, int8 weights of both signs, shifts "
          f"{stim['net_shifts'].tolist()}): {net_values:,} values, {net_mismatches} mismatches, "
          f"{int(net['hidden'].sum()):,} hidden and {int(net['output'].sum()):,} output "
          f"spikes; the per-event order matters: one saturating add per step instead "
          f"gives {order:,} mismatches")
    toothless_order = order == 0
    if first:
        print(f"  first mismatch: {first}")
    toothless = toothless_order
    if args.teeth:  # the comparison must reject each deliberately wrong model
        for name in BROKEN:
            wrong = 0
            for s in SHIFTS:
                rec = _golden(stim, s, n, broken=name)[0]
                wrong += sum(int(np.sum(rec[k] != peer[f"{k}_{s}"])) for k in rec)
            print(f"  teeth: {name}: {wrong:,} mismatches")
            toothless = toothless or wrong == 0
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 1 if mismatches or toothless else 0


if __name__ == "__main__":
    sys.exit(main())
