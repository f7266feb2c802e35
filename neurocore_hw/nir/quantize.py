"""Quantize a NIR network onto registered models: integer weights, per-layer scales folded
into thresholds, decays in each model's own form, every error reported.

Per layer, with ``x`` the layer's real input (synapses applied) and ``k`` the weight
scale (the largest feed-forward or recurrent weight maps to ``2**(W-1) - 1`` for
``W``-bit weights), integer weights are ``round(k w)``, the synaptic sum is shifted left by
``shift`` and the bias ``round(k 2**shift b)`` is added: the model sees ``a = k 2**shift
x``. Each model's state unit is then chosen so that the model's step is NIR's Euler step:

- ``CubaLIF -> cuba_lif`` (Loihi CUBA arithmetic): ``du + 1 = 4096 dt/tau_syn``, ``dv =
  4096 dt/tau_mem``; with ``g = (dt/tau_syn) w_in (dt/tau_mem) r`` the membrane counts
  ``g / (64 k 2**shift)`` and the threshold is ``vth = v_threshold k 2**shift / g`` (in
  units of 64 membrane LSBs: ``shift`` is chosen so that it has at least 8 bits);
  ``v_leak`` becomes the constant bias ``(dt/tau_mem) v_leak``; reset zero or subtract.
- ``LIF -> lif``: ``leak_k = 2**frac dt/tau``, ``gain_k = 2**(2 frac) (dt/tau) r / (k
  2**shift)``, thresholds in Q(width, frac).
- ``IF -> if``: the membrane counts ``dt r / (k 2**shift)``; reset to a value or subtract.
- ``LI -> li`` (a readout): ``leak_k = 2**frac dt/tau``, ``gain_k`` as for LIF.
- ``I -> li`` with ``leak_k = 0`` (a readout that integrates): ``gain_k`` as for IF.
- ``CubaLI -> cuba_lif`` with ``reset = "none"`` (a readout: no threshold, no reset),
  constants as for CubaLIF, no shift.
- ``Threshold -> lif`` with ``leak_k = 2**frac`` (``v`` forgets itself in one step, so
  ``v = x`` each step: stateless), ``gain_k`` for a gain of 1, ``v_rest = v_reset = 0``.

The output of a readout is its membrane register (codes; ``readout_scale`` in the report
is codes per real unit). NIR's spike condition is ``v > v_threshold``; models that fire at
``>=`` get the next code up. A layer's neurons must share their time constants (one
parameter set per layer).
"""

from __future__ import annotations

import math

import numpy as np

from ..fixed import int_range
from ..layered import LayeredNetwork, NetLayer
from ..models.cuba_lif import ACT_SHIFT, UNITY, CubaLIFParams
from ..models.if_neuron import IFParams
from ..models.li import LIParams
from ..models.lif import LIFParams
from .graph import Layer, NetworkSpec, NIRError
from .reference import RESETS

__all__ = ["CLIP_CANDIDATES", "calibrate_network", "decisions", "quantize_network"]


def _uniform(layer: Layer, key: str) -> float:
    values = layer.params[key]
    if not np.allclose(values, values[0], rtol=1e-6, atol=0.0):
        raise NIRError(f"node {layer.name!r}: {key} differs between neurons; a layer maps "
                       "onto one parameter set")
    return float(values[0])


def _rate(layer: Layer, key: str, dt: float) -> float:
    rate = dt / _uniform(layer, key)
    if rate > 1.0:
        raise NIRError(f"node {layer.name!r}: dt / {key} = {rate:.3g} > 1 (forward Euler "
                       "is unstable; use a smaller dt)")
    return rate


def _report(name: str, real: float, code: int, unit: float) -> dict:
    return {"name": name, "real": real, "code": code, "quantized": code * unit,
            "error": code * unit - real}


def _wmax(layer: Layer) -> float:
    """The layer's largest feed-forward or recurrent weight magnitude."""
    wmax = float(np.abs(layer.weight).max(initial=0.0))
    if layer.rec_weight is not None:
        wmax = max(wmax, float(np.abs(layer.rec_weight).max(initial=0.0)))
    if wmax == 0.0:
        raise NIRError(f"node {layer.name!r}: every weight is zero")
    return wmax


def _weights(layer: Layer, width: int, shift: int, acc_width: int, input_scale: float,
             clip: float = 1.0):
    """Integer weights, recurrent weights and bias at the layer's scale ``k`` (the weight
    ``clip * max |w|`` maps to the top code; larger ones saturate there)."""
    top = (1 << (width - 1)) - 1
    k = top / (_wmax(layer) * clip)
    w = np.clip(np.rint(layer.weight * k), -top, top).astype(np.int64)
    wr = (None if layer.rec_weight is None
          else np.clip(np.rint(layer.rec_weight * k), -top, top).astype(np.int64))
    lo, hi = int_range(acc_width)
    bias = np.rint(layer.bias * k * input_scale * (1 << shift)).astype(np.int64)
    if bias.size and (bias.min() < lo or bias.max() > hi):
        raise NIRError(f"node {layer.name!r}: a bias of {np.abs(layer.bias).max():.3g} "
                       f"does not fit the {acc_width}-bit input at this scale")
    clipped = int((np.abs(layer.weight) * k > top + 0.5).sum())
    if wr is not None:
        clipped += int((np.abs(layer.rec_weight) * k > top + 0.5).sum())
    errors = {"weight_scale": k, "clip": clip, "clipped_weights": clipped,
              "weight_max_error": float(np.abs(w / k - layer.weight).max()),
              "bias_max_error": float(np.abs(bias / (k * input_scale * (1 << shift))
                                             - layer.bias).max(initial=0.0))}
    if wr is not None:
        errors["rec_weight_max_error"] = float(np.abs(wr / k - layer.rec_weight).max())
    return k, w, wr, bias, errors


def _fan_in_bits(layer: Layer, width: int, input_max: float, clip: float = 1.0) -> int:
    """Bits of the largest synaptic sum of integer weights (every input active)."""
    top = (1 << (width - 1)) - 1
    total = np.abs(layer.weight).sum(axis=1) * input_max
    if layer.rec_weight is not None:
        total = total + np.abs(layer.rec_weight).sum(axis=1)
    k = top / (_wmax(layer) * clip)
    return max(1, math.ceil(math.log2(float(total.max()) * k + 1))) + 1


def _cuba(layer: Layer, dt: float, reset: str, width: int, state_width: int,
          input_scale: float, input_max: float, max_shift: int, clip: float = 1.0
          ) -> tuple[NetLayer, dict]:
    in_width = state_width - ACT_SHIFT
    a_syn, a_mem = _rate(layer, "tau_syn", dt), _rate(layer, "tau_mem", dt)
    gain = a_syn * _uniform(layer, "w_in") * a_mem * _uniform(layer, "r")
    readout = layer.kind == "CubaLI"  # no threshold: cuba_lif with reset "none"
    v_th = 0.0 if readout else _uniform(layer, "v_threshold")
    v_leak = _uniform(layer, "v_leak")
    if gain <= 0 or (v_th <= 0 and not readout):
        raise NIRError(f"node {layer.name!r}: cuba_lif needs a positive input gain and "
                       "threshold")
    if not readout and reset == "zero" and _uniform(layer, "v_reset") != 0.0:
        raise NIRError(f"node {layer.name!r}: v_reset = {_uniform(layer, 'v_reset'):g}; "
                       "cuba_lif resets to 0")
    k0 = ((1 << (width - 1)) - 1) / (_wmax(layer) * clip)
    vth0 = v_th * k0 * input_scale / gain
    want = max(0, math.ceil(math.log2(256 / vth0))) if 0 < vth0 < 256 else 0
    room = in_width - _fan_in_bits(layer, width, input_max, clip)
    shift = max(0, min(want, room, max_shift))
    k, w, wr, bias, errors = _weights(layer, width, shift, in_width, input_scale, clip)
    scale = k * input_scale * (1 << shift) / gain  # membrane units per real unit, / 64
    vth = round(v_th * scale)
    vth_max = ((1 << (state_width - 1)) - 1) >> ACT_SHIFT
    if not readout and not 1 <= vth <= vth_max:
        raise NIRError(f"node {layer.name!r}: threshold {v_th:g} is {vth} in cuba_lif units "
                       f"(1..{vth_max}); use another weight width")
    du = round(UNITY * a_syn) - 1
    dv = round(UNITY * a_mem)
    bias_v = round(a_mem * v_leak * scale * (1 << ACT_SHIFT))
    params = CubaLIFParams(width=state_width, in_width=in_width, du=max(du, 0), dv=dv,
                           vth=vth, bias_mant=bias_v, bias_exp=0,
                           reset="none" if readout else reset)
    constants = [_report("dt/tau_syn", a_syn, max(du, 0) + 1, 1 / UNITY),
                 _report("dt/tau_mem", a_mem, dv, 1 / UNITY)]
    if readout:
        errors["readout_scale"] = scale * (1 << ACT_SHIFT)
    else:
        constants.append(_report("v_threshold", v_th, vth, 1 / scale))
    errors.update(shift=shift, membrane_range=((1 << (state_width - 1)) - 1) / (
        scale * (1 << ACT_SHIFT)), constants=constants)
    return NetLayer(name=layer.name, params=params, weight=w, bias=bias, rec_weight=wr,
                    weight_width=width, shift=shift, acc_width=in_width,
                    acc_overflow="saturate"), errors


def _frac_for(values: list[float], gain_per_frac, state_width: int) -> int:
    """The largest frac where every value and the gain constant fit ``state_width`` bits."""
    top = (1 << (state_width - 1)) - 1
    for frac in range(state_width - 2, -1, -1):
        codes = [abs(v) * (1 << frac) for v in values] + [abs(gain_per_frac(frac))]
        if max(codes) < top:
            return frac
    raise NIRError("no fixed-point format holds these parameters")


def _lif_like(layer: Layer, dt: float, reset: str, width: int, state_width: int,
              input_scale: float, clip: float = 1.0) -> tuple[NetLayer, dict]:
    kind = layer.kind
    if kind in ("LIF", "LI"):
        leak = _rate(layer, "tau", dt)
        gain = leak * _uniform(layer, "r")
    elif kind == "Threshold":  # stateless: a lif whose leak forgets v in one step
        leak, gain = 1.0, 1.0
    else:  # IF, I
        leak, gain = 0.0, dt * _uniform(layer, "r")
    shift = 0
    k, w, wr, bias, errors = _weights(layer, width, shift, state_width, input_scale, clip)
    unit_in = k * input_scale  # input codes per real unit
    levels = [_uniform(layer, key) for key in ("v_threshold", "v_reset", "v_leak",
                                               "threshold") if key in layer.params]
    if kind == "IF":  # v += i_in: the membrane counts gain / unit_in
        scale = unit_in / gain
        th = math.floor(_uniform(layer, "v_threshold") * scale) + 1
        v_reset = round(_uniform(layer, "v_reset") * scale)
        lo, hi = int_range(state_width)
        if not (lo <= th <= hi and lo <= v_reset <= hi):
            raise NIRError(f"node {layer.name!r}: threshold does not fit {state_width} bits "
                           "at this weight scale")
        params = IFParams(width=state_width, frac=0, v_threshold=th, v_reset=v_reset,
                          reset="value" if reset == "zero" else "subtract")
        errors.update(shift=shift, constants=[
            _report("v_threshold", _uniform(layer, "v_threshold"), th, 1 / scale)])
    else:
        frac = _frac_for(levels + [1.0], lambda f: gain * (1 << (2 * f)) / unit_in,
                         state_width)
        leak_k = round(leak * (1 << frac))
        gain_k = round(gain * (1 << (2 * frac)) / unit_in)
        if gain_k == 0:
            raise NIRError(f"node {layer.name!r}: the input gain rounds to 0")
        consts = [_report("dt/tau", leak, leak_k, 2.0 ** -frac),
                  _report("gain", gain / unit_in, gain_k, 2.0 ** (-2 * frac))]
        if kind in ("LI", "I"):  # readouts: v is the output, in Q(width, frac)
            if kind == "LI" and _uniform(layer, "v_leak") != 0.0:
                raise NIRError(f"node {layer.name!r}: li has no v_leak")
            params = LIParams(width=state_width, frac=frac, leak_k=leak_k, gain_k=gain_k,
                              rounding="nearest", overflow="saturate")
            errors["readout_scale"] = float(1 << frac)
        else:
            if reset != "zero" and kind != "Threshold":  # Threshold keeps no state
                raise NIRError(f"node {layer.name!r}: reset by subtraction is not in the "
                               "lif model")
            stateless = kind == "Threshold"
            v_th = _uniform(layer, "threshold" if stateless else "v_threshold")
            th = math.floor(v_th * (1 << frac)) + 1
            v_rest, v_reset = ((0.0, 0.0) if stateless else
                               (_uniform(layer, "v_leak"), _uniform(layer, "v_reset")))
            params = LIFParams(width=state_width, frac=frac,
                               v_rest=round(v_rest * (1 << frac)),
                               v_reset=round(v_reset * (1 << frac)),
                               v_threshold=th, leak_k=leak_k, gain_k=gain_k, refractory=0,
                               overflow="saturate", rounding="nearest")
            consts.append(_report("v_threshold", v_th, th, 2.0 ** -frac))
        errors.update(shift=shift, constants=consts)
    return NetLayer(name=layer.name, params=params, weight=w, bias=bias, rec_weight=wr,
                    weight_width=width, shift=shift, acc_width=state_width,
                    acc_overflow="saturate"), errors


def quantize_network(spec: NetworkSpec, *, dt: float, reset: str = "zero",
                     weight_width: int = 8, state_width: int = 24, input_frac: int = 0,
                     max_shift: int = 16, clip=1.0, source: str = "") -> LayeredNetwork:
    """Map every layer onto a registered model with integer weights.

    Parameters
    ----------
    spec : NetworkSpec
        The graph's layers.
    dt : float
        Step length (seconds for NIR).
    reset : {"zero", "subtract"}
    weight_width : int
        Bits of a weight, 2..16.
    state_width : int
        Bits of each layer's membrane register (cuba_lif: 16..32; the others 8..32).
    input_frac : int
        Input codes are ``round(x * 2**input_frac)`` (0 for spike inputs).
    max_shift : int
        Largest left shift of a synaptic sum (the population core carries it out with
        its input shift, see :func:`neurocore_hw.layered.core_layers`; 0: none).
    clip : float or sequence of float
        Per layer (or one for all), in ``(0, 1]``: the weight ``clip * max |w|`` maps to
        the top code and larger weights saturate there (1: none clip). See
        :func:`calibrate_network`.
    source : str
        Provenance for the file's metadata.

    Returns
    -------
    LayeredNetwork
        With ``meta["layers"]`` holding each layer's model, weight scale, shift, the
        errors of weights, biases and constants, and for ``cuba_lif`` the real membrane
        range the register holds (``membrane_range``: beyond it ``v`` clips; wider
        weights need a wider ``state_width`` for the same range).

    Raises
    ------
    NIRError
        A layer that cannot be mapped (and why).
    ValueError
        Bad arguments.
    """
    if not (isinstance(dt, (int, float)) and math.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be a positive number, got {dt!r}")
    if reset not in RESETS:
        raise ValueError(f"reset {reset!r} is not one of {', '.join(RESETS)}")
    if not (isinstance(weight_width, int) and 2 <= weight_width <= 16):
        raise ValueError(f"weight_width={weight_width!r} is out of range [2, 16]")
    if not (isinstance(state_width, int) and 16 <= state_width <= 32):
        raise ValueError(f"state_width={state_width!r} is out of range [16, 32]")
    clips = ([clip] * len(spec.layers) if isinstance(clip, (int, float))
             else [float(c) for c in clip])
    if len(clips) != len(spec.layers) or not all(0.0 < c <= 1.0 for c in clips):
        raise ValueError(f"clip must be one value or one per layer ({len(spec.layers)}), "
                         f"each in (0, 1]; got {clip!r}")
    layers, report = [], []
    input_scale = float(1 << input_frac)
    input_max = input_scale
    for layer, c in zip(spec.layers, clips):
        if layer.kind == "CubaLIF":
            net_layer, errors = _cuba(layer, dt, reset, weight_width, state_width,
                                      input_scale, input_max, max_shift, c)
        elif layer.kind == "CubaLI":
            net_layer, errors = _cuba(layer, dt, reset, weight_width, state_width,
                                      input_scale, input_max, 0, c)
        elif layer.kind in ("LIF", "IF", "LI", "I", "Threshold"):
            net_layer, errors = _lif_like(layer, dt, reset, weight_width, state_width,
                                          input_scale, c)
        else:
            raise NIRError(f"node {layer.name!r}: {layer.kind} has no registered model to "
                           "map onto")
        layers.append(net_layer)
        report.append({"layer": layer.name, "kind": layer.kind,
                       "model": net_layer.model.name, **errors})
        input_scale, input_max = 1.0, 1.0  # spikes from here on
    meta = {"source": source, "dt": dt, "reset": reset, "weight_width": weight_width,
            "state_width": state_width, "max_shift": max_shift, "layers": report}
    return LayeredNetwork(inputs=spec.inputs, layers=tuple(layers), input_frac=input_frac,
                          meta=meta)


#: Weight clips :func:`calibrate_network` tries per layer.
CLIP_CANDIDATES = (1.0, 0.85, 0.7, 0.55, 0.4)


def decisions(out: np.ndarray) -> np.ndarray:
    """Per sample the class: the output with the most spikes, or for a readout the largest
    time mean (``out`` is ``[T, B, n]``; both are the largest sum over time)."""
    return np.asarray(out, dtype=np.float64).sum(axis=0).argmax(axis=-1)


def calibrate_network(spec: NetworkSpec, x, *, dt: float, reset: str = "zero",
                      candidates=CLIP_CANDIDATES, passes: int = 2, **quant
                      ) -> LayeredNetwork:
    """Quantize with per-layer weight clips chosen on calibration data.

    One scale per layer is set by its largest weight, so one outlier leaves the typical
    weight a few codes; clipping trades the outliers' error for the rest's resolution.
    Coordinate search: each layer in turn tries every clip in ``candidates`` with the
    others fixed, keeping the one whose decisions (:func:`decisions`) agree with the float
    reference on ``x`` most often (ties: output entries equal, then the larger clip);
    ``passes`` rounds.

    Parameters
    ----------
    spec : NetworkSpec
    x : array_like, shape (T, B, C)
        Calibration inputs (spikes, or real values with ``input_frac``).
    dt : float
    reset : {"zero", "subtract"}
    candidates : sequence of float
        Clips to try, each in ``(0, 1]``.
    passes : int
        Rounds over the layers.
    **quant
        Further arguments of :func:`quantize_network` (``weight_width``,
        ``state_width``, ``input_frac``, ``max_shift``, ``source``).

    Returns
    -------
    LayeredNetwork
        Quantized with the chosen clips; ``meta["calibration"]`` holds them, the samples
        used and the agreement before and after.
    """
    from ..layered import run_layered
    from .reference import check_input, simulate_float

    x = check_input(spec, x)
    codes = np.rint(x * (1 << quant.get("input_frac", 0))).astype(np.int64)
    spiking = spec.layers[-1].spiking
    ref = simulate_float(spec, x, dt=dt, reset=reset)["output"]
    want = decisions(ref)

    def score(clips):
        net = quantize_network(spec, dt=dt, reset=reset, clip=clips, **quant)
        out = run_layered(net, codes)["output"]
        agree = float((decisions(out) == want).mean())
        entries = float((out.astype(bool) == ref.astype(bool)).mean()) if spiking else 0.0
        return (agree, entries, min(clips)), net

    clips = [1.0] * len(spec.layers)
    best, net = score(clips)
    before = best[0]
    for _ in range(passes):
        for i in range(len(clips)):
            for c in candidates:
                if c == clips[i]:
                    continue
                trial = clips[:i] + [float(c)] + clips[i + 1:]
                got, trial_net = score(trial)
                if got > best:
                    best, net, clips = got, trial_net, trial
    net.meta["calibration"] = {"clips": clips, "samples": int(x.shape[1]),
                               "steps": int(x.shape[0]), "agreement_before": before,
                               "agreement_after": best[0]}
    return net
