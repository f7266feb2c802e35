"""Codesign metrics: what a number format keeps of a neuron's or a network's float
dynamics. The hardware cost side lives in :mod:`rtl_gen.explore`.

Neurons (:func:`neuron_fidelity`): the fixed-point model in one format against the float64
reference of its *real* model, on a standard stimulus in real units -- ``n`` neurons at
constant currents spread over the model's typical range (from just above rheobase to
four times it) and ``n`` at noisy currents around its middle, ``steps`` steps each.
Metrics: spike-time agreement (fraction of reference spikes matched one-to-one within
+-1 step by a fixed-point spike, :func:`~neurocore_hw.fidelity.match_spikes`), the rate
error (mean absolute spike-count difference over the mean reference count),
``rate_accuracy = max(0, 1 - rate_error)`` (the metric for chaotic models, whose spike
times even the float model cannot keep under 1e-12 perturbations) and the spike counts.

The float reference: LIF runs :class:`~neurocore_hw.models.lif.LIFReal` itself;
Izhikevich holds its real a, b, c, d; every other family with a float reference runs it
on the real model quantized to 32 bits (constants within ``2**-24`` of the real ones).

Networks (:func:`network_fidelity`): a NIR graph quantized at one weight width, run
bit-true over user data; metrics: accuracy (with labels) and decision agreement with the
float reference (the class with the most output spikes).
"""

from __future__ import annotations

import numpy as np

from .engine import run
from .fidelity import match_spikes
from .real import Format, RealModel
from .registry import get_model, resolve_params, with_overrides

__all__ = ["FIDELITY_MODELS", "current_range", "neuron_fidelity", "neuron_params",
           "network_fidelity", "stimulus"]

#: Families with a neuron-level fidelity metric (a float reference in real input units).
FIDELITY_MODELS = ("lif", "izhikevich", "alif", "if", "psu_lif", "homeostatic_lif")


def neuron_params(model: str, *, preset: str | None = None, real: dict | None = None,
                  fmt: str | None = None, params: dict | None = None):
    """``(Params, RealModel)`` of a point: the preset's real model with ``real`` values,
    quantized to ``fmt`` (default: the preset's format), raw ``params`` applied last."""
    entry = get_model(model)
    base = resolve_params(model, preset)
    real_model: RealModel = entry.real.from_params(base).with_values(**(real or {}))
    quantized, _ = real_model.quantize(Format.parse(fmt) if fmt else None, base)
    return with_overrides(model, quantized, params or {}), real_model


def current_range(model: str, real: RealModel) -> tuple[float, float]:
    """Typical constant input, real units: about 1.05x to 4x the rheobase current."""
    if model == "izhikevich":
        return 4.0, 20.0
    if model == "if":
        return real.v_threshold / 40, real.v_threshold / 4
    threshold = real.th_init if model == "homeostatic_lif" else real.v_threshold
    rheobase = (threshold - getattr(real, "v_rest", 0.0)) / real.resistance
    return 1.05 * rheobase, 4.0 * rheobase


def stimulus(model: str, real: RealModel, *, steps: int = 1000, n: int = 32,
             seed: int = 2026) -> np.ndarray:
    """``[steps, 2n]`` real input: ``n`` constant currents over :func:`current_range`, then
    ``n`` noisy ones (mean at the middle of the range, deviation a quarter of it)."""
    lo, hi = current_range(model, real)
    rng = np.random.default_rng(seed)
    constant = np.broadcast_to(np.linspace(lo, hi, n), (steps, n))
    noisy = (lo + hi) / 2 + (hi - lo) / 4 * rng.standard_normal((steps, n))
    return np.concatenate([constant, noisy], axis=1)


def _reference_spikes(model: str, params, real: RealModel, current: np.ndarray) -> np.ndarray:
    entry = get_model(model)
    if model == "lif":
        return entry.reference(real, current)[0]
    if model == "izhikevich":
        return entry.reference(params, current)[0]
    int_bits = params.width - params.frac
    fine, _ = real.quantize(Format(32, 32 - int_bits), params)
    return entry.reference(fine, current)[0]


def neuron_fidelity(model: str, *, preset: str | None = None, real: dict | None = None,
                    fmt: str | None = None, params: dict | None = None, steps: int = 1000,
                    n: int = 32, seed: int = 2026) -> dict:
    """Fixed point in ``fmt`` against the float reference of the real model.

    Returns
    -------
    dict
        ``agreement`` (spike-time, +-1 step), ``rate_error``, ``rate_accuracy``,
        ``reference_spikes``,
        ``fixed_spikes``, ``format``.

    Raises
    ------
    ValueError
        A family without a neuron metric, or a point the format cannot hold.
    """
    if model not in FIDELITY_MODELS:
        raise ValueError(f"model {model!r} has no neuron fidelity metric (families: "
                         f"{', '.join(FIDELITY_MODELS)})")
    p, real_model = neuron_params(model, preset=preset, real=real, fmt=fmt, params=params)
    current = stimulus(model, real_model, steps=steps, n=n, seed=seed)
    port = p.input_ports()[0]
    lo, hi = -(1 << (port.width - 1)), (1 << (port.width - 1)) - 1
    codes = np.clip(np.round(current * (1 << port.frac)), lo, hi).astype(np.int64)
    fixed = run(p, {port.name: codes}).spikes
    ref = _reference_spikes(model, p, real_model, current)
    m = match_spikes(ref, fixed, tolerance=1)
    ref_counts, fix_counts = ref.sum(0), fixed.sum(0)
    rate_error = float(np.abs(fix_counts - ref_counts).mean() / max(ref_counts.mean(), 1e-9))
    return {"agreement": round(m["matched_fraction"], 6), "rate_error": round(rate_error, 6),
            "rate_accuracy": round(max(0.0, 1.0 - rate_error), 6),
            "reference_spikes": m["reference_spikes"], "fixed_spikes": m["test_spikes"],
            "format": f"Q{p.width}.{p.frac}"}


def network_fidelity(graph: str, *, dt: float, reset: str, weight_width: int,
                     inputs: str, labels: str | None = None, state_width: int = 24,
                     max_shift: int = 16, samples: int | None = None) -> dict:
    """A NIR graph quantized at ``weight_width`` against its float reference on data.

    Parameters
    ----------
    graph : str
        Path of the ``.nir`` file.
    dt, reset : float, str
        Import parameters (see :func:`neurocore_hw.nir.quantize_network`).
    weight_width, state_width, max_shift : int
        Quantization.
    inputs : str
        ``.npz`` with ``input`` [T, B, C] (and ``labels``, optional).
    labels : str, optional
        Name of the label array in ``inputs`` (accuracy is reported when given).
    samples : int, optional
        Use the first ``samples`` samples only.

    Returns
    -------
    dict
        ``decision_agreement``, ``accuracy`` and ``float_accuracy`` (None without labels),
        ``samples``.
    """
    from .layered import run_layered
    from .nir import load_graph, quantize_network, simulate_float

    spec = load_graph(graph)
    with np.load(inputs, allow_pickle=False) as data:
        x = data["input"][:, :samples]
        y = data[labels][:samples] if labels else None
    ref = simulate_float(spec, x, dt=dt, reset=reset)["output"].sum(0).argmax(-1)
    net = quantize_network(spec, dt=dt, reset=reset, weight_width=weight_width,
                           state_width=state_width, max_shift=max_shift)
    out = run_layered(net, x)["output"].sum(0).argmax(-1)
    return {"decision_agreement": float((out == ref).mean()),
            "accuracy": None if y is None else float((out == y).mean()),
            "float_accuracy": None if y is None else float((ref == y).mean()),
            "samples": int(x.shape[1])}
