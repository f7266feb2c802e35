"""NIR -> Xylo: a graph of Xylo's shape quantized onto :class:`~neurocore_hw.xylo_network.
XyloNetwork` (int8 weights with a shift per synapse group, 16-bit neurons, shift decays).

Xylo's shape is input -> one ``CubaLIF`` layer (recurrent or not) -> one ``CubaLIF``
output layer, without biases. NIR's ``CubaLIF`` at step ``dt`` (forward Euler, the float
reference) is, with ``a = dt/tau_syn``, ``b = dt/tau_mem``::

    I = (1 - a) I + a w_in (W x);   v = (1 - b) v + b r I;   spike when v > v_threshold

and Xylo's neuron ``syn = (1 - 2^-dash_syn)(syn + in)``, ``v = (1 - 2^-dash_mem) v + syn``.
With ``syn`` standing for ``b r I`` the two agree when ``dash_syn = round(-log2 a)``,
``dash_mem = round(-log2 b)`` and ``in = b r a w_in W x / (1 - 2^-dash_syn)``. Each
population gets one scale: its threshold becomes the integer ``threshold`` (a power of two
by default, see :func:`quantize_xylo`), its incoming weights ``round(w * scale /
2**shift)`` in int8 with the smallest shift that fits the group's largest weight.

What cannot carry over, by construction of the chip: decays are powers of two; hidden
neurons may spike up to 31 times per step (each spike an event downstream) where the
graph's spike once; a hidden spike reaches the output a step later; Xylo spikes at
``v >= threshold`` (NIR above it) and resets by subtraction (the graph must be read with
``reset = "subtract"``).
"""

from __future__ import annotations

import math

import numpy as np

from ..models.xylo import XyloParams
from ..xylo_network import MAX_SHIFT, XyloNetwork
from .graph import NetworkSpec, NIRError

__all__ = ["quantize_xylo"]


def _dash(rate: np.ndarray, what: str, layer: str) -> tuple[int, float]:
    """The shift whose decay ``2^-dash`` is nearest ``rate`` (one per layer)."""
    rate = np.unique(np.round(rate, 12))
    if rate.size != 1:
        raise NIRError(f"{layer}: Xylo needs one {what} per layer, the graph has {rate.size}")
    r = float(rate[0])
    if not 0.0 < r <= 1.0:
        raise NIRError(f"{layer}: dt/{what} = {r:g} is outside (0, 1]")
    dash = min(15, max(0, round(-math.log2(r))))
    return dash, r


def _group(target: np.ndarray) -> tuple[np.ndarray, int]:
    """int8 weights and the smallest shift that holds ``target`` (integer units)."""
    top = float(np.abs(target).max()) if target.size else 0.0
    shift = 0
    while top / (1 << shift) > 127.5 and shift < MAX_SHIFT:
        shift += 1
    return np.clip(np.round(target / (1 << shift)), -128, 127).astype(np.int64), shift


def quantize_xylo(spec: NetworkSpec, *, dt: float, threshold: int = 4096
                  ) -> tuple[XyloNetwork, dict]:
    """Quantize a NIR graph of Xylo's shape onto a :class:`XyloNetwork`.

    Parameters
    ----------
    spec : NetworkSpec
        From :func:`~neurocore_hw.nir.graph.load_graph`: two ``CubaLIF`` layers, the first
        fed by the input (recurrent or not), the second by the first; no biases.
    dt : float
        Step of the graph, seconds.
    threshold : int
        The integer every neuron's threshold becomes, 1..32767: the scale of each
        population (larger: finer weights, less headroom below the 16-bit rails).

    Returns
    -------
    network : XyloNetwork
    report : dict
        Per layer the decays held against the graph's (``dash_syn``, ``dash_mem``, the
        factors); per synapse group the shift, the share of weights that rounded to zero
        and the share clipped at the int8 rails (the shift is at most 8).

    Raises
    ------
    NIRError
        The graph is not of Xylo's shape, or has biases or a decay Xylo cannot hold.
    """
    if not 1 <= int(threshold) <= 32767:
        raise ValueError(f"threshold must be in 1..32767, got {threshold}")
    layers = spec.layers
    if (len(layers) != 2 or any(L.kind != "CubaLIF" for L in layers)
            or layers[0].source != "input" or layers[1].source != layers[0].name
            or layers[1].rec_weight is not None):
        shape = " -> ".join(f"{L.kind}({L.size})" for L in layers)
        raise NIRError(f"Xylo takes input -> CubaLIF (recurrent or not) -> CubaLIF; the graph "
                       f"is input -> {shape}")
    params, report, weights = {}, {}, {}
    for role, layer in zip(("hidden", "output"), layers):
        if np.any(layer.bias != 0):
            raise NIRError(f"{layer.name}: Xylo's synapses have no bias; the graph has one")
        p = layer.params
        if np.any(p["v_leak"] != 0):
            raise NIRError(f"{layer.name}: v_leak must be 0 on Xylo")
        if np.any(p["v_threshold"] <= 0):
            raise NIRError(f"{layer.name}: thresholds must be positive")
        dash_syn, a = _dash(dt / p["tau_syn"], "tau_syn", layer.name)
        dash_mem, b = _dash(dt / p["tau_mem"], "tau_mem", layer.name)
        # the input that drives syn (= b r I) per unit of W x, over Xylo's decay factor
        gain = b * p["r"] * a * p["w_in"] / (1.0 - 2.0 ** -dash_syn)
        scale = threshold / p["v_threshold"]  # per neuron: each threshold -> `threshold`
        params[role] = XyloParams(dash_syn=dash_syn, dash_mem=dash_mem,
                                  v_threshold=int(threshold),
                                  max_spikes=31 if role == "hidden" else 1)
        groups = [("in" if role == "hidden" else "out", layer.weight)]
        if layer.rec_weight is not None:
            groups.append(("rec", layer.rec_weight))
        for group, w in groups:
            # NIR's w is (post, pre); Xylo's (pre, post). Row i of `w` scales by neuron i.
            target = (w * (gain * scale)[:, None]).T
            w8, shift = _group(target)
            weights[group] = (w8, shift)
            report[f"{group} weights"] = {
                "shift": shift, "zero": float(np.mean((w8 == 0) & (w.T != 0))),
                "clipped": float(np.mean(np.abs(target) / (1 << shift) > 127.5)),
                "largest": int(np.abs(w8).max())}
        report[role] = {"dash_syn": dash_syn, "decay_syn": 1 - 2.0 ** -dash_syn,
                        "graph_decay_syn": 1 - a, "dash_mem": dash_mem,
                        "decay_mem": 1 - 2.0 ** -dash_mem, "graph_decay_mem": 1 - b}
    n_hid = layers[0].size
    w_rec, shift_rec = weights.get("rec", (np.zeros((n_hid, n_hid), np.int64), 0))
    net = XyloNetwork(w_in=weights["in"][0], w_rec=w_rec, w_out=weights["out"][0],
                      hidden=params["hidden"], output=params["output"],
                      shift_in=weights["in"][1], shift_rec=shift_rec,
                      shift_out=weights["out"][1])
    return net, report
