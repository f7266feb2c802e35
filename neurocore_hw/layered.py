"""Layered networks of registered models: the bit-true golden model, batched over samples,
and the versioned network file.

A :class:`LayeredNetwork` is a chain of layers. Each layer is a population of one
registered model with integer weights from its source (the network input or the previous
layer), optionally integer recurrent weights from its own previous-step output, and an
integer bias per neuron. One timestep, layers in order::

    acc   = W_ff . out_source[t] + W_rec . out_self[t - 1]      (exact integers)
    a_in  = ovf((acc << shift) + bias, acc_width)                (wrap or saturate)
    state, spike = model.step(params, state, **{input_port: a_in})

so a layer's spikes reach the next layer in the same timestep and its own recurrent
spikes the next timestep, as in the float reference. ``out`` is the layer's spikes, or for
a non-spiking model (``li``, a ``cuba_lif`` readout) its readout register. Integer sums
are BLAS products in float32 or float64 where a bound on every sum shows them exact
(int64 otherwise).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .batch import BatchPopulation
from .fixed import OVERFLOW_MODES, check_choice, check_int, int_range
from .model import model_of
from .registry import get_model

__all__ = ["FORMAT", "VERSION", "CoreLayer", "LayeredNetwork", "NetLayer", "core_events",
           "core_layers", "load_network", "readout_trace", "run_cores", "run_layered",
           "save_network"]

#: Network file format name and version (``.npz`` with a JSON header).
FORMAT, VERSION = "neurocore-network", 1


@dataclass(frozen=True)
class NetLayer:
    """One layer of a :class:`LayeredNetwork`.

    Parameters
    ----------
    name : str
        Layer name (the NIR node it came from).
    params : ModelParams
        A registered model's parameters (one set for the whole layer).
    weight : numpy.ndarray of int64, shape (n, n_source)
        Signed ``weight_width``-bit synapses from the source.
    bias : numpy.ndarray of int64, shape (n,)
        Added to every neuron's input every step, after the shift.
    rec_weight : numpy.ndarray of int64, shape (n, n), optional
        Signed ``weight_width``-bit synapses from the layer's own previous output.
    weight_width : int
        Bits of a weight, 2..16.
    shift : int
        Left shift of the synaptic sum before the bias, 0..16 (finer thresholds than
        the weights' own scale allows).
    acc_width : int
        Bits of the model input the sum is reduced to (default: the input port's).
    acc_overflow : {"wrap", "saturate"}
    input_port : str
        The model input the sum drives (default: the model's first).
    """

    name: str
    params: object
    weight: np.ndarray
    bias: np.ndarray
    rec_weight: np.ndarray | None = None
    weight_width: int = 8
    shift: int = 0
    acc_width: int | None = None
    acc_overflow: str = "saturate"
    input_port: str | None = None

    def __post_init__(self):
        model = model_of(self.params)
        ports = {p.name: p for p in self.params.input_ports()}
        port = next(iter(ports)) if self.input_port is None else self.input_port
        if port not in ports:
            raise ValueError(f"layer {self.name!r}: {port!r} is not an input of "
                             f"{model.name!r}; inputs: {', '.join(ports)}")
        if not ports[port].signed:
            raise ValueError(f"layer {self.name!r}: input {port!r} of {model.name!r} is "
                             "unsigned; synaptic sums need a signed input")
        object.__setattr__(self, "input_port", port)
        if self.acc_width is None:
            object.__setattr__(self, "acc_width", ports[port].width)
        check_int("weight_width", self.weight_width, 2, 16)
        check_int("shift", self.shift, 0, 16)
        check_int("acc_width", self.acc_width, 2, ports[port].width)
        check_choice("acc_overflow", self.acc_overflow, OVERFLOW_MODES)
        n = self.size
        lo, hi = int_range(self.weight_width)
        for key, shape in (("weight", (n, None)), ("rec_weight", (n, n)), ("bias", (n,))):
            arr = getattr(self, key)
            if arr is None:
                continue
            arr = np.asarray(arr)
            if arr.dtype.kind not in "iu":
                raise TypeError(f"layer {self.name!r}: {key} must be integer, got {arr.dtype}")
            if arr.ndim != len(shape) or any(s is not None and a != s
                                             for a, s in zip(arr.shape, shape)):
                raise ValueError(f"layer {self.name!r}: {key} has shape {arr.shape}")
            arr = arr.astype(np.int64)
            if key != "bias" and arr.size and (arr.min() < lo or arr.max() > hi):
                raise ValueError(f"layer {self.name!r}: {key} outside {self.weight_width}-bit "
                                 f"range [{lo}, {hi}]")
            if key == "bias":
                blo, bhi = int_range(self.acc_width)
                if arr.size and (arr.min() < blo or arr.max() > bhi):
                    raise ValueError(f"layer {self.name!r}: bias outside the {self.acc_width}"
                                     "-bit input range")
            object.__setattr__(self, key, arr)

    @property
    def size(self) -> int:
        """Neurons in the layer."""
        return int(np.asarray(self.weight).shape[0])

    @property
    def model(self):
        """The layer's registered model."""
        return model_of(self.params)

    @property
    def spiking(self) -> bool:
        """Whether the layer's output is its spikes (else its readout register: ``v`` of
        an ``li`` or of a ``cuba_lif`` with ``reset="none"``)."""
        return self.params.fires


@dataclass(frozen=True)
class LayeredNetwork:
    """A chain of :class:`NetLayer` fed by ``inputs`` integer input channels.

    Parameters
    ----------
    inputs : int
        Input channels.
    layers : tuple of NetLayer
    input_frac : int
        Input codes are ``round(x * 2**input_frac)`` of a real input (0 for spikes).
    meta : dict
        Provenance and quantization report (JSON-ready): source graph, dt, reset, scales.
    """

    inputs: int
    layers: tuple
    input_frac: int = 0
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        check_int("inputs", self.inputs, 1, 1 << 20)
        check_int("input_frac", self.input_frac, 0, 16)
        if not self.layers:
            raise ValueError("a network needs at least one layer")
        width = self.inputs
        for layer in self.layers:
            if layer.weight.shape[1] != width:
                raise ValueError(f"layer {layer.name!r} takes {layer.weight.shape[1]} inputs, "
                                 f"its source has {width}")
            width = layer.size
        for layer in self.layers[:-1]:
            if not layer.spiking:
                raise ValueError(f"layer {layer.name!r}: only the last layer may be "
                                 "non-spiking")
        object.__setattr__(self, "layers", tuple(self.layers))

    @property
    def outputs(self) -> int:
        """Output channels."""
        return self.layers[-1].size


def run_layered(net: LayeredNetwork, x, *, record: bool = False) -> dict[str, np.ndarray]:
    """Simulate the network bit-true, batched over samples.

    Each layer runs its model's kernel on the ``B x n`` neurons of the batch flattened into
    one population: the float kernel (``Model.float_kernel``, on float64 codes) where the
    model has one, else the in-place integer kernel (every model's kernels equal its step:
    the contract suite). The integer sums of a step are one matrix product, in float32,
    float64 or int64 as a bound on the sums allows (exact in each).

    Parameters
    ----------
    net : LayeredNetwork
    x : array_like of int, shape (T, B, C) or (T, C)
        Input codes per step (spikes 0/1, or ``round(real * 2**input_frac)``).
    record : bool
        Also return every layer's state registers (``"<layer>.<register>"``).

    Returns
    -------
    dict of str to numpy.ndarray, shape (T, B, n)
        Per layer name its output (spikes as bool, or the register of a non-spiking
        layer, int64); ``"output"`` is the last layer's.

    Raises
    ------
    ValueError, TypeError
        Input of the wrong shape, type or range.
    """
    x = np.asarray(x)
    if x.dtype.kind not in "biu":
        raise TypeError(f"input codes must be integers, got dtype {x.dtype}")
    if x.ndim == 2:
        x = x[:, None, :]
    if x.ndim != 3 or x.shape[2] != net.inputs or 0 in x.shape:
        raise ValueError(f"input has shape {x.shape}; the network takes [T, B, {net.inputs}]")
    t_steps, batch = x.shape[:2]
    source_max = int(np.abs(x.astype(np.int64)).max())
    runs, out = [], {}
    for layer in net.layers:
        runs.append(BatchPopulation(
            layer.params, batch, layer.weight.T, bias=layer.bias,
            rec_weight=None if layer.rec_weight is None else layer.rec_weight.T,
            shift=layer.shift, acc_width=layer.acc_width, acc_overflow=layer.acc_overflow,
            input_port=layer.input_port, source_max=source_max))
        source_max = 1  # spikes
        out[layer.name] = np.empty((t_steps, batch, layer.size),
                                   dtype=bool if layer.spiking else np.int64)
        if record:
            for f in runs[-1].state._fields:
                out[f"{layer.name}.{f}"] = np.empty((t_steps, batch, layer.size), np.int64)
    for t in range(t_steps):
        np.copyto(runs[0].source, x[t], casting="unsafe")
        for k, run in enumerate(runs):
            result = run.step()
            out[net.layers[k].name][t] = result
            if k + 1 < len(runs):
                np.copyto(runs[k + 1].source, result, casting="unsafe")
            if record:
                for f, s in run.registers():
                    out[f"{net.layers[k].name}.{f}"][t] = s
    out["output"] = out[net.layers[-1].name]
    return out


def save_network(net: LayeredNetwork, path: str | Path, write=None) -> None:
    """Write the network file: ``.npz`` with a JSON ``header`` and the integer arrays.

    ``write(fh)`` hooks (the CLI's atomic write) may replace the plain file write.
    """
    header = {"format": FORMAT, "version": VERSION, "inputs": net.inputs,
              "input_frac": net.input_frac, "meta": net.meta, "layers": []}
    arrays = {}
    for k, layer in enumerate(net.layers):
        header["layers"].append({
            "name": layer.name, "model": layer.model.name,
            "params": dataclasses.asdict(layer.params), "weight_width": layer.weight_width,
            "shift": layer.shift, "acc_width": layer.acc_width,
            "acc_overflow": layer.acc_overflow, "input_port": layer.input_port,
            "recurrent": layer.rec_weight is not None})
        arrays[f"weight_{k}"] = layer.weight
        arrays[f"bias_{k}"] = layer.bias
        if layer.rec_weight is not None:
            arrays[f"rec_weight_{k}"] = layer.rec_weight
    arrays["header"] = np.array(json.dumps(header))
    if write is None:
        with open(path, "wb") as fh:
            np.savez(fh, **arrays)
    else:
        write(lambda fh: np.savez(fh, **arrays))


def _params_from_dict(model_name: str, values: dict):
    model = get_model(model_name)
    base = model.presets[model.default_preset]
    kwargs = {}
    for f in dataclasses.fields(base):
        if f.name not in values:
            raise ValueError(f"parameter {f.name!r} of {model_name!r} missing")
        value = values[f.name]
        inner = getattr(base, f.name)
        kwargs[f.name] = (type(inner)(**value) if dataclasses.is_dataclass(inner)
                          else value)
    return model.params_cls(**kwargs)


def load_network(path: str | Path) -> LayeredNetwork:
    """Read a network file written by :func:`save_network`.

    Raises
    ------
    ValueError
        Not a network file, another format version, or inconsistent contents.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"network file {str(path)!r} does not exist")
    try:
        with np.load(path, allow_pickle=False) as npz:
            data = {k: npz[k] for k in npz.files}
    except Exception as exc:
        raise ValueError(f"{str(path)!r} is not a network file ({exc})") from None
    try:
        header = json.loads(str(data["header"]))
    except (KeyError, ValueError):
        raise ValueError(f"{str(path)!r} is not a network file (no header)") from None
    if header.get("format") != FORMAT:
        raise ValueError(f"{str(path)!r} is not a {FORMAT} file")
    if header.get("version") != VERSION:
        raise ValueError(f"{str(path)!r} is version {header.get('version')}; this "
                         f"neurocore-hw reads version {VERSION}")
    layers = []
    for k, spec in enumerate(header["layers"]):
        try:
            layers.append(NetLayer(
                name=spec["name"], params=_params_from_dict(spec["model"], spec["params"]),
                weight=data[f"weight_{k}"], bias=data[f"bias_{k}"],
                rec_weight=data[f"rec_weight_{k}"] if spec["recurrent"] else None,
                weight_width=spec["weight_width"], shift=spec["shift"],
                acc_width=spec["acc_width"], acc_overflow=spec["acc_overflow"],
                input_port=spec["input_port"]))
        except KeyError as exc:
            raise ValueError(f"{str(path)!r}: layer {k} lacks {exc}") from None
    return LayeredNetwork(inputs=header["inputs"], layers=tuple(layers),
                          input_frac=header["input_frac"], meta=header.get("meta", {}))


@dataclass(frozen=True)
class CoreLayer:
    """One layer of a :class:`LayeredNetwork` as a population core (:mod:`.network`).

    Attributes
    ----------
    config : CoreConfig
        The core: the layer's model, widths and input shift; ``neurons`` padded to the
        core's minimum (padding neurons have no synapses and never fire).
    weights : numpy.ndarray of int64, shape (rows, neurons)
        Weight memory: one row per source of the layer, then (``has_bias``) the bias row,
        then (recurrent) one row per neuron.
    has_bias : bool
        The layer's bias is a row driven by one extra source with an event every step.
    size : int
        The layer's own neurons (the first ``size`` of the core).
    bias : numpy.ndarray of int64, shape (neurons,), optional
        The bias registers' values (a core with ``config.bias``).
    """

    config: object
    weights: np.ndarray
    has_bias: bool
    size: int
    bias: np.ndarray | None = None


def core_layers(net: LayeredNetwork) -> list[CoreLayer]:
    """Map every layer onto a population core, so that a chain of cores -- each layer's
    output events delivered to the next core before its timestep starts -- computes the
    network bit for bit.

    A layer's shift is the core's ``input_shift``. Its bias is a weight row (one row add
    per step) where that is exact -- no shift and every bias in the weight range --, else
    the core's bias registers, added after the shift as the network adds it.

    Raises
    ------
    ValueError
        Synaptic sums that could saturate part-way (the core saturates after every row
        add, the network once).
    """
    from .network import MIN_NEURONS, CoreConfig

    out = []
    for layer in net.layers:
        lo, hi = int_range(layer.weight_width)
        has_bias = bool(layer.bias.any()) and not layer.shift and bool(
            layer.bias.min() >= lo and layer.bias.max() <= hi)
        registers = bool(layer.bias.any()) and not has_bias
        worst = np.abs(layer.weight).sum(axis=1) + (np.abs(layer.bias) if has_bias else 0)
        if layer.rec_weight is not None:
            worst = worst + np.abs(layer.rec_weight).sum(axis=1)
        alo, ahi = int_range(layer.acc_width)
        if layer.acc_overflow == "saturate" and worst.max() > ahi:
            raise ValueError(f"layer {layer.name!r}: a synaptic sum can reach {worst.max()} "
                             f"beyond the {layer.acc_width}-bit accumulator")
        n = max(layer.size, MIN_NEURONS)
        inputs = layer.weight.shape[1] + has_bias
        rows = [np.pad(layer.weight.T, ((0, 0), (0, n - layer.size)))]
        if has_bias:
            rows.append(np.pad(layer.bias, (0, n - layer.size))[None, :])
        if layer.rec_weight is not None:
            rec = np.zeros((n, n), np.int64)
            rec[:layer.size, :layer.size] = layer.rec_weight.T
            rows.append(rec)
        config = CoreConfig(params=layer.params, neurons=n, inputs=inputs,
                            weight_width=layer.weight_width,
                            recurrent=layer.rec_weight is not None,
                            acc_width=layer.acc_width, acc_overflow=layer.acc_overflow,
                            input_port=layer.input_port, input_shift=layer.shift,
                            bias=registers)
        out.append(CoreLayer(config=config, weights=np.concatenate(rows).astype(np.int64),
                             has_bias=has_bias, size=layer.size,
                             bias=np.pad(layer.bias, (0, n - layer.size)) if registers
                             else None))
    return out


def core_events(source_spikes: np.ndarray, has_bias: bool) -> list[np.ndarray]:
    """The input events of a core over ``T`` steps: the active sources of each step in
    ascending order, then the bias source (index ``C``) if the layer has one.

    Parameters
    ----------
    source_spikes : numpy.ndarray, shape (T, C)
        One sample's source activity (0/1).
    """
    spikes = np.asarray(source_spikes)
    if spikes.size and not np.isin(spikes, (0, 1)).all():
        raise ValueError("a core takes spike inputs (0/1) only")
    bias = [spikes.shape[1]] if has_bias else []
    return [np.array(np.flatnonzero(row).tolist() + bias, dtype=np.int64) for row in spikes]


def run_cores(net: LayeredNetwork, x) -> list[np.ndarray]:
    """One sample through the chain of cores (:func:`core_layers`, golden model of each
    core): per layer its spikes ``[T, size]`` (a readout layer: its readout register), to
    hold against :func:`run_layered`."""
    from .network import run_network

    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != net.inputs:
        raise ValueError(f"one sample is [T, {net.inputs}], got {x.shape}")
    feed, outs = x, []
    for layer, core in zip(net.layers, core_layers(net)):
        events = core_events(feed, core.has_bias)
        if layer.spiking:
            res = run_network(core.config, core.weights, events, x.shape[0], bias=core.bias)
            feed = res.spikes[:, :core.size].astype(np.int64)
            outs.append(res.spikes[:, :core.size])
        else:  # a readout (the last layer): its register after every timestep
            outs.append(readout_trace(core, events, x.shape[0]))
    return outs


def readout_trace(core: CoreLayer, events, steps: int) -> np.ndarray:
    """A non-spiking core's readout register after every timestep, ``[T, size]`` (the
    values a host reads over the bus), from the core's golden model."""
    from .network import run_network

    params = core.config.params
    index = [q.name for q in params.state_ports()].index(params.readout)
    state = acc = None
    trace = np.empty((steps, core.size), dtype=np.int64)
    for t in range(steps):
        res = run_network(core.config, core.weights, events[t:t + 1], 1, state=state,
                          acc=acc, first_step=t, bias=core.bias)
        state, acc = res.state, res.acc
        trace[t] = state[index][:core.size]
    return trace
