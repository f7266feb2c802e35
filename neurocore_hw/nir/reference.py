"""Float64 reference of a NIR network: NIR's equations, forward Euler at ``dt``.

Per step ``t`` the layers run in graph order; a layer's input is its feed-forward
synapses applied to the previous layer's output of the same step (the graph input for the
first), plus its recurrent synapses applied to its own output of step ``t - 1``, plus the
biases. With ``x`` that input::

    CubaLIF   I += dt/tau_syn (-I + w_in x);  v += dt/tau_mem (v_leak - v + r I)
    LIF       v += dt/tau (v_leak - v + r x)
    IF        v += dt r x
    LI        v += dt/tau (v_leak - v + r x)                    (output: v)
    CubaLI    as CubaLIF, no threshold                          (output: v)
    I         v += dt r x                                       (output: v)
    Threshold spike = x > threshold                             (stateless)

A spiking neuron fires when ``v > v_threshold``, then ``reset = "zero"`` sets ``v =
v_reset`` and ``"subtract"`` lowers ``v`` by ``v_threshold`` (NIR cannot say which; the
caller does). Everything is batched: input ``[T, B, C]``.
"""

from __future__ import annotations

import numpy as np

from .graph import NetworkSpec

__all__ = ["RESETS", "check_input", "simulate_float"]

RESETS = ("zero", "subtract")


def check_input(spec: NetworkSpec, x) -> np.ndarray:
    """``x`` as float64 ``[T, B, C]`` (a ``[T, C]`` array is one sample).

    Raises
    ------
    ValueError
        Wrong rank or channel count, or values that are not finite.
    """
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise ValueError(f"input must be numeric, got dtype {x.dtype}")
    if x.ndim == 2:
        x = x[:, None, :]
    if x.ndim != 3 or x.shape[2] != spec.inputs or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"input has shape {x.shape}; the graph takes [T, B, {spec.inputs}]")
    x = x.astype(np.float64)
    if not np.isfinite(x).all():
        raise ValueError("input holds values that are not finite")
    return x


def simulate_float(spec: NetworkSpec, x, *, dt: float, reset: str = "zero"
                   ) -> dict[str, np.ndarray]:
    """Run the network in float64.

    Parameters
    ----------
    spec : NetworkSpec
        The layers (:func:`~neurocore_hw.nir.graph.load_graph`).
    x : array_like, shape (T, B, C) or (T, C)
        Input per step: spikes (0/1) or real values.
    dt : float
        Step length, in the unit of the graph's time constants (seconds for NIR).
    reset : {"zero", "subtract"}

    Returns
    -------
    dict of str to numpy.ndarray, shape (T, B, n)
        Per layer (by node name) its output: spikes as float 0/1, or the membrane of a
        non-spiking layer; ``"output"`` is the last layer's.

    Raises
    ------
    ValueError
        Bad ``dt``, ``reset`` or input.
    """
    if not (isinstance(dt, (int, float)) and np.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be a positive number, got {dt!r}")
    if reset not in RESETS:
        raise ValueError(f"reset {reset!r} is not one of {', '.join(RESETS)}")
    x = check_input(spec, x)
    t_steps, batch = x.shape[:2]
    outs = {layer.name: np.zeros((t_steps, batch, layer.size)) for layer in spec.layers}
    state = [{"i": np.zeros((batch, layer.size)), "v": np.zeros((batch, layer.size))}
             for layer in spec.layers]
    prev_out = [np.zeros((batch, layer.size)) for layer in spec.layers]
    for t in range(t_steps):
        feed = x[t]
        for k, layer in enumerate(spec.layers):
            drive = feed @ layer.weight.T + layer.bias
            if layer.rec_weight is not None:
                drive = drive + prev_out[k] @ layer.rec_weight.T
            out = _step(layer, state[k], drive, dt, reset)
            outs[layer.name][t] = out
            prev_out[k] = out
            feed = out
    outs["output"] = outs[spec.layers[-1].name]
    return outs


def _step(layer, st: dict, x: np.ndarray, dt: float, reset: str) -> np.ndarray:
    p, kind = layer.params, layer.kind
    if kind == "Threshold":
        return (x > p["threshold"]).astype(np.float64)
    if kind in ("CubaLIF", "CubaLI"):
        st["i"] += dt / p["tau_syn"] * (-st["i"] + p["w_in"] * x)
        st["v"] += dt / p["tau_mem"] * (p["v_leak"] - st["v"] + p["r"] * st["i"])
    elif kind in ("LIF", "LI"):
        st["v"] += dt / p["tau"] * (p["v_leak"] - st["v"] + p["r"] * x)
    else:  # IF, I
        st["v"] += dt * p["r"] * x
    if not layer.spiking:
        return st["v"].copy()
    spike = st["v"] > p["v_threshold"]
    if reset == "zero":
        st["v"] = np.where(spike, p["v_reset"], st["v"])
    else:
        st["v"] = st["v"] - spike * p["v_threshold"]
    return spike.astype(np.float64)
