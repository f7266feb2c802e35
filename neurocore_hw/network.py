"""The engine's network mode: the golden model of the population core.

N neurons of one registered model share a weight memory of ``rows x N`` signed integers.
Each input spike event (an AER source index) adds one weight row into per-neuron input
accumulators; at the next timestep the accumulator drives the neuron's input port and is
cleared. With ``recurrent``, the core's own spikes are sources too (row ``inputs + j``
for neuron ``j``). This module computes exactly what :class:`rtl_gen.core.NeuronCore`
computes, in the same order.

Order within timestep ``k`` (the hardware's, see ``docs/core.md``)::

    acc   = ovf(acc + W[s])       for s in events[k], in arrival order   (core idle)
    --- start of timestep k ---
    a_in  = ovf((acc << input_shift) + bias)        (with an input shift or bias registers)
    state, spike = step(state, input_port=a_in, other inputs = 0);  acc = 0
    AER out: (k, j) for every spiking j, ascending j
    acc   = ovf(acc + W[inputs + j]) for every spiking j, ascending   (recurrent only)

``ovf`` wraps or saturates to ``acc_width`` bits. With wrap the order of the row adds
does not matter; with saturate it does, and this model applies rows one by one in the
hardware's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .batch import BatchPopulation
from .fixed import OVERFLOW_MODES, check_choice, check_int, check_range, int_range, overflow
from .model import model_of

__all__ = ["DROPPED_MAX", "SYNAPSES", "BatchResult", "CoreConfig", "NetworkResult",
           "events_from_arrays", "events_to_arrays", "run_network", "run_network_batch",
           "validate_bias", "validate_weights"]

#: Smallest and largest neuron count of a core (the pipeline needs N > its depth).
MIN_NEURONS, MAX_NEURONS = 16, 65536


#: Synapse semantics of a core (see :class:`CoreConfig`).
SYNAPSES = ("sum", "xylo")


@dataclass(frozen=True)
class CoreConfig:
    """Shape and number formats of a population core (shared by golden model and RTL).

    Parameters
    ----------
    params : object
        A registered model's ``Params``; every neuron uses them.
    neurons : int
        Neurons N, 16..65536.
    inputs : int
        External input sources (AER input indexes ``0..inputs-1``), 1..65536.
    weight_width : int
        Signed weight width in bits, 2..16.
    recurrent : bool
        The core's own spikes are sources ``inputs + j``; the weight memory then has
        ``inputs + neurons`` rows, else ``inputs``.
    acc_width : int, optional
        Signed accumulator width, ``weight_width`` .. the input port's width; the input
        port's width by default. The accumulator drives the port sign-extended.
    acc_overflow : {"wrap", "saturate"}
        What a row add does when an accumulator leaves ``acc_width`` bits.
    input_port : str, optional
        The model input the accumulator drives (a signed port); the first input port by
        default. Every other input is 0.
    time_width : int
        Width of the timestep field of output events (the counter wraps), 1..32.
    input_shift : int
        Left shift of the accumulator on its way to the neuron, 0..16 (finer thresholds
        than the weights' own scale allows).
    bias : bool
        Per-neuron bias registers (signed ``acc_width`` bits, bus region 3), added to the
        shifted accumulator every timestep.
    synapses : {"sum", "xylo"}
        ``"sum"``: the accumulator collects a timestep's weighted events and is cleared
        after the sweep. ``"xylo"`` (model ``xylo`` only): SynSense Xylo's synapses, as
        XyloSim's (:class:`~neurocore_hw.xylo_network.XyloNetwork`): the accumulator *is*
        the neuron's synaptic current ``syn`` (``acc_width`` = the neuron's width,
        ``acc_overflow="saturate"``), every event adds its weight shifted left by
        ``weight_shift`` with its own saturation, the sweep writes the decayed ``syn``
        back into it, and a neuron that fired ``c`` times adds its recurrent row (shifted
        by ``recurrent_shift``) times ``c`` at the start of the *next* timestep, after
        that timestep's input events, in neuron order. Output events carry the count.
    weight_shift, recurrent_shift : int
        ``synapses="xylo"``: left shift of input rows and of recurrent rows, 0..8.
    """

    params: object
    neurons: int
    inputs: int
    weight_width: int = 8
    recurrent: bool = False
    acc_width: int | None = None
    acc_overflow: str = "wrap"
    input_port: str | None = None
    time_width: int = 16
    input_shift: int = 0
    bias: bool = False
    synapses: str = "sum"
    weight_shift: int = 0
    recurrent_shift: int = 0

    def __post_init__(self):
        entry = model_of(self.params)  # TypeError for a non-model
        check_int("neurons", self.neurons, MIN_NEURONS, MAX_NEURONS)
        check_int("inputs", self.inputs, 1, 65536)
        check_int("weight_width", self.weight_width, 2, 16)
        if not isinstance(self.recurrent, bool):
            raise TypeError(f"recurrent must be a bool, got {self.recurrent!r}")
        ports = {p.name: p for p in self.params.input_ports()}
        name = next(iter(ports)) if self.input_port is None else self.input_port
        if name not in ports:
            raise ValueError(f"input_port {name!r} is not an input of model "
                             f"{entry.name!r}; inputs: {', '.join(ports)}")
        port = ports[name]
        if not port.signed:
            raise ValueError(f"input_port {name!r} of model {entry.name!r} is unsigned; "
                             "the accumulator needs a signed port")
        object.__setattr__(self, "input_port", name)
        check_choice("synapses", self.synapses, SYNAPSES)
        if self.synapses == "xylo":
            self._check_xylo(entry.name)
        elif self.weight_shift or self.recurrent_shift:
            raise ValueError("weight_shift and recurrent_shift are for synapses='xylo'")
        if self.acc_width is None:
            object.__setattr__(self, "acc_width", port.width)
        check_int("acc_width", self.acc_width, self.weight_width, port.width)
        check_choice("acc_overflow", self.acc_overflow, OVERFLOW_MODES)
        check_int("time_width", self.time_width, 1, 32)
        check_int("input_shift", self.input_shift, 0, 16)
        if not isinstance(self.bias, bool):
            raise TypeError(f"bias must be a bool, got {self.bias!r}")

    def _check_xylo(self, model: str) -> None:
        if model != "xylo":
            raise ValueError(f"synapses='xylo' needs model 'xylo', got {model!r}")
        width = self.params.width
        if self.acc_width not in (None, width):
            raise ValueError(f"synapses='xylo': the accumulator is the neuron's syn, "
                             f"acc_width must be {width}, got {self.acc_width}")
        object.__setattr__(self, "acc_width", width)
        if self.acc_overflow != "saturate":
            raise ValueError("synapses='xylo' saturates every add: acc_overflow='saturate'")
        check_int("weight_width", self.weight_width, 2, 8)
        if self.input_shift or self.bias:
            raise ValueError("synapses='xylo' has no input_shift or bias registers (the "
                             "neuron has its own bias)")
        check_int("weight_shift", self.weight_shift, 0, 8)
        check_int("recurrent_shift", self.recurrent_shift, 0, 8)

    @property
    def xylo(self) -> bool:
        """Xylo's synapses (``synapses="xylo"``)."""
        return self.synapses == "xylo"

    @property
    def model(self) -> str:
        """Registered name of the neuron model."""
        return model_of(self.params).name

    @property
    def rows(self) -> int:
        """Rows of the weight memory: ``inputs`` (+ ``neurons`` if recurrent)."""
        return self.inputs + (self.neurons if self.recurrent else 0)

    @property
    def sources(self) -> int:
        """Number of AER input sources the host may send (``inputs``)."""
        return self.inputs

    @property
    def source_bits(self) -> int:
        """Width of the AER input's source field: indexes ``inputs .. 2**source_bits - 1``
        fit the port but name no source; the core drops and counts them."""
        return max(1, (self.inputs - 1).bit_length())


class NetworkResult(NamedTuple):
    """What :func:`run_network` returns.

    Attributes
    ----------
    spikes : numpy.ndarray of bool, shape (T, N)
        Spike raster.
    aer : numpy.ndarray of int64, shape (K, 2) or (K, 3)
        Output events ``(timestep mod 2**time_width, neuron)`` in the order the core
        emits them; with ``synapses="xylo"`` a third column, the spike count.
    state : NamedTuple
        Final neuron state (int64 arrays).
    acc : numpy.ndarray of int64, shape (N,)
        Accumulators after the last timestep (the recurrent rows of its spikes; with
        ``synapses="xylo"`` the decayed ``syn``, the recurrent rows still to come).
    counts : numpy.ndarray of int64, shape (N,)
        With ``synapses="xylo"``: the last timestep's spike counts, whose recurrent rows
        the next timestep adds (zeros otherwise).
    dropped : int
        Input events dropped because their source names no input (``invalid="drop"``),
        what the core's status register counts (saturating at ``DROPPED_MAX``).
    """

    spikes: np.ndarray
    aer: np.ndarray
    state: tuple
    acc: np.ndarray
    dropped: int = 0
    counts: np.ndarray | None = None


def validate_weights(config: CoreConfig, weights) -> np.ndarray:
    """Check a ``rows x neurons`` integer weight matrix against ``weight_width``."""
    w = np.asarray(weights)
    if w.shape != (config.rows, config.neurons):
        raise ValueError(f"weights must have shape ({config.rows}, {config.neurons}) "
                         f"(rows x neurons), got {w.shape}")
    return check_range("weights", w, config.weight_width).astype(np.int64, copy=False)


def events_from_arrays(step, source, steps: int) -> list[np.ndarray]:
    """Per-timestep source lists from flat ``(step, source)`` arrays (arrival order kept).

    Parameters
    ----------
    step, source : array_like of int
        Timestep each event is used in (``0..steps-1``, non-decreasing) and its source.
    steps : int
        Number of timesteps.
    """
    step = np.asarray(step)
    source = np.asarray(source)
    if step.shape != source.shape or step.ndim != 1:
        raise ValueError("event step and source must be 1-D arrays of the same length")
    if step.size and not np.issubdtype(step.dtype, np.integer):
        raise TypeError(f"event steps must be integers, got {step.dtype}")
    if step.size and (step.min() < 0 or step.max() >= steps):
        raise ValueError(f"event steps must lie in 0..{steps - 1}")
    if np.any(np.diff(step) < 0):
        raise ValueError("event steps must be non-decreasing (events are in arrival order)")
    bounds = np.searchsorted(step, np.arange(steps + 1))
    return [source[bounds[k]:bounds[k + 1]] for k in range(steps)]


def events_to_arrays(events: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """Flat ``(step, source)`` int64 arrays of per-timestep source lists."""
    steps = [np.full(len(e), k, dtype=np.int64) for k, e in enumerate(events)]
    flat = [np.asarray(e, dtype=np.int64).reshape(-1) for e in events]
    if not flat:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(steps), np.concatenate(flat)


def _add_rows(acc: np.ndarray, weights: np.ndarray, rows: np.ndarray, width: int,
              mode: str, times=None) -> np.ndarray:
    """``acc`` after adding ``weights[rows]`` (each times ``times[k]`` if given) one row at a
    time under ``mode``."""
    if not len(rows):
        return acc
    if times is not None:
        lo, hi = int_range(width)
        for r, c in zip(rows, times):
            acc = np.clip(acc + weights[r] * c, lo, hi)
        return acc
    if mode == "wrap":  # modular: one sum, one wrap
        return overflow(acc + weights[rows].sum(axis=0), width, "wrap")
    lo, hi = int_range(width)
    for r in rows:
        acc = np.clip(acc + weights[r], lo, hi)
    return acc


def validate_bias(config: CoreConfig, bias) -> np.ndarray:
    """The bias registers' values (zeros if omitted): ``[neurons]`` signed ``acc_width``-bit
    integers, only for a core with ``bias``."""
    if bias is None:
        return np.zeros(config.neurons, np.int64)
    if not config.bias:
        raise ValueError("bias values given for a core without bias registers (bias=True)")
    b = np.asarray(bias)
    if b.shape != (config.neurons,):
        raise ValueError(f"bias must have shape ({config.neurons},), got {b.shape}")
    return check_range("bias", b, config.acc_width).astype(np.int64, copy=False)


def _run_xylo(config: CoreConfig, w: np.ndarray, lists: list, state, acc: np.ndarray,
              first_step: int, dropped: int, counts) -> NetworkResult:
    """:func:`run_network` with Xylo's synapses (``config.synapses == "xylo"``)."""
    n, p = config.neurons, config.params
    entry = model_of(p)
    w_in = w[:config.inputs] << config.weight_shift
    w_rec = w[config.inputs:] << config.recurrent_shift if config.recurrent else None
    last = np.zeros(n, np.int64) if counts is None else np.asarray(counts, np.int64)
    if last.shape != (n,) or (last.size and (last.min() < 0 or last.max() > p.max_spikes)):
        raise ValueError(f"counts must be {n} values in 0..{p.max_spikes}")
    width, tmask = config.acc_width, (1 << config.time_width) - 1
    steps = len(lists)
    spikes = np.zeros((steps, n), dtype=bool)
    aer = []
    for k in range(steps):
        acc = _add_rows(acc, w_in, lists[k], width, "saturate")
        if w_rec is not None:
            fired = np.flatnonzero(last)
            acc = _add_rows(acc, w_rec, fired, width, "saturate", times=last[fired])
        state, spike = entry.step(p, state._replace(syn=acc), i_in=0)
        acc, last = state.syn, np.asarray(state.count, np.int64)
        spikes[k] = spike
        fired = np.flatnonzero(last)
        aer.append(np.stack([np.full(len(fired), (first_step + k) & tmask), fired,
                             last[fired]], axis=1))
    state = type(state)(*(np.asarray(x, dtype=np.int64) for x in state))
    return NetworkResult(spikes, np.concatenate(aer).astype(np.int64), state, acc, dropped,
                         last)


#: The core's dropped-event counter saturates here (16 bits).
DROPPED_MAX = (1 << 16) - 1


def run_network(config: CoreConfig, weights, events: Sequence, steps: int, *,
                state=None, acc=None, first_step: int = 0, bias=None,
                invalid: str = "raise", dropped: int = 0, counts=None) -> NetworkResult:
    """Run the core's network bit-true for ``steps`` timesteps.

    Parameters
    ----------
    config : CoreConfig
        The core.
    weights : array_like of int, shape (rows, neurons)
        Signed ``weight_width``-bit weights; row ``s`` is source ``s``.
    events : sequence of array_like of int
        ``events[k]``: the input sources delivered before timestep ``k`` starts, in
        arrival order (at most ``steps`` lists; missing ones are empty).
    steps : int
        Timesteps to run, >= 1.
    state : NamedTuple, optional
        Initial neuron state (the model's reset state by default).
    acc : array_like of int, optional
        Initial accumulators (zeros by default).
    first_step : int
        Number of the first timestep (for the output events' timestep field, when a run
        continues an earlier one).
    bias : array_like of int, shape (neurons,), optional
        The bias registers (a core with ``bias``; zeros by default).
    invalid : {"raise", "drop"}
        An event whose source fits the AER port (``< 2**config.source_bits``) but names
        no input (``>= inputs``): an error, or dropped and counted as the core does.
    dropped : int
        The dropped-event counter at the start (for a run that continues another).
    counts : array_like of int, shape (N,), optional
        ``synapses="xylo"``: the spike counts of the timestep before the first (their
        recurrent rows come first); zeros by default.

    Returns
    -------
    NetworkResult

    Raises
    ------
    ValueError
        Shapes, widths or source indexes out of range.
    """
    entry = model_of(config.params)
    check_int("steps", steps, 1, 1 << 40)
    check_int("first_step", first_step, 0, 1 << 62)
    n, p = config.neurons, config.params
    w = validate_weights(config, weights)
    b = validate_bias(config, bias)
    if len(events) > steps:
        raise ValueError(f"{len(events)} event lists for {steps} timesteps")
    check_choice("invalid", invalid, ("raise", "drop"))
    check_int("dropped", dropped, 0, DROPPED_MAX)
    top = config.inputs if invalid == "raise" else 1 << config.source_bits
    lists = []
    for k, e in enumerate(events):
        e = np.asarray(e).reshape(-1)
        if e.size and (not np.issubdtype(e.dtype, np.integer)
                       or e.min() < 0 or e.max() >= top):
            raise ValueError(f"timestep {k}: event sources must be integers in "
                             f"0..{top - 1}")
        e = e.astype(np.int64)
        if invalid == "drop":
            dropped = min(DROPPED_MAX, dropped + int(np.count_nonzero(e >= config.inputs)))
            e = e[e < config.inputs]
        lists.append(e)
    lists += [np.zeros(0, np.int64)] * (steps - len(lists))
    if state is None:
        state = entry.initial_state(p, n)
    else:
        state = type(state)(*(np.asarray(x, dtype=np.int64).copy() for x in state))
        for s, x in zip(p.state_ports(), state):
            if x.shape != (n,):
                raise ValueError(f"state {s.name} must have shape ({n},), got {x.shape}")
            check_range(s.name, x, s.width, s.signed)
    acc = (np.zeros(n, np.int64) if acc is None
           else check_range("acc", np.asarray(acc), config.acc_width).astype(np.int64))
    if acc.shape != (n,):
        raise ValueError(f"acc must have shape ({n},), got {acc.shape}")
    zeros = np.zeros(n, np.int64)
    others = {q.name: zeros for q in p.input_ports() if q.name != config.input_port}
    spikes = np.zeros((steps, n), dtype=bool)
    aer = []
    tmask = (1 << config.time_width) - 1
    if config.xylo:
        return _run_xylo(config, w, lists, state, acc, first_step, dropped, counts)
    if counts is not None:
        raise ValueError("counts are for synapses='xylo'")
    for k in range(steps):
        acc = _add_rows(acc, w, lists[k], config.acc_width, config.acc_overflow)
        a_in = acc
        if config.input_shift or config.bias:
            a_in = overflow((acc << config.input_shift) + b, config.acc_width,
                            config.acc_overflow)
        state, spike = entry.step(p, state, **{config.input_port: a_in}, **others)
        spike = np.asarray(spike, dtype=bool)
        spikes[k] = spike
        fired = np.flatnonzero(spike)
        aer.append(np.stack([np.full(len(fired), (first_step + k) & tmask), fired], axis=1))
        acc = zeros.copy()
        if config.recurrent:
            acc = _add_rows(acc, w, config.inputs + fired, config.acc_width,
                            config.acc_overflow)
    state = type(state)(*(np.asarray(x, dtype=np.int64) for x in state))
    return NetworkResult(spikes, np.concatenate(aer).astype(np.int64), state, acc, dropped)


class BatchResult(NamedTuple):
    """What :func:`run_network_batch` returns.

    Attributes
    ----------
    spikes : numpy.ndarray of bool, shape (T, B, N)
    state : NamedTuple
        Final neuron state, int64 arrays ``[B, N]``.
    acc : numpy.ndarray of int64, shape (B, N)
        Accumulators after the last timestep.
    batched : bool
        Whether the one-product-per-step path ran (else a loop over samples).
    """

    spikes: np.ndarray
    state: tuple
    acc: np.ndarray
    batched: bool


def run_network_batch(config: CoreConfig, weights, x, *, bias=None) -> BatchResult:
    """:func:`run_network` for ``B`` samples at once, from the model's reset state.

    Sample ``b``'s input events of timestep ``k`` are the sources ``s`` with ``x[k, b, s]
    > 0``, each ``x[k, b, s]`` times, in ascending order (what :func:`run_network` gets
    from ``events[k]``). Where no order of row adds can reach the accumulator's range
    (or the accumulator wraps: modular, order-free) a step is one matrix product over the
    batch and the model's kernel over ``B x N`` neurons
    (:class:`~neurocore_hw.batch.BatchPopulation`); otherwise each sample runs through
    :func:`run_network` in turn. Both equal :func:`run_network` bit for bit.

    Parameters
    ----------
    config : CoreConfig
    weights : array_like of int, shape (rows, neurons)
    x : array_like of int, shape (T, B, inputs)
        Event counts per step, sample and source (spikes: 0/1).
    bias : array_like of int, shape (neurons,), optional
        The bias registers (a core with ``bias``).

    Returns
    -------
    BatchResult

    Raises
    ------
    ValueError, TypeError
        Shapes, types or values out of range.
    """
    w = validate_weights(config, weights)
    b = validate_bias(config, bias)
    x = np.asarray(x)
    if x.dtype.kind not in "biu":
        raise TypeError(f"event counts must be integers, got dtype {x.dtype}")

    if x.ndim != 3 or x.shape[2] != config.inputs or 0 in x.shape:
        raise ValueError(f"x has shape {x.shape}; the core takes [T, B, {config.inputs}]")
    if x.min() < 0:
        raise ValueError("event counts must be >= 0")
    steps, batch, n = x.shape[0], x.shape[1], config.neurons
    count = int(x.max())
    w_in, w_rec = w[:config.inputs], w[config.inputs:] if config.recurrent else None
    worst = np.abs(w_in).sum(axis=0) * count
    if w_rec is not None:
        worst = worst + np.abs(w_rec).sum(axis=0)
    exact = not config.xylo and (config.acc_overflow == "wrap"
                                 or worst.max() <= int_range(config.acc_width)[1])
    if exact and w_rec is None:
        return _feedforward_batch(config, w_in, b, x, count)
    if exact:
        pop = BatchPopulation(config.params, batch, w_in, bias=b, rec_weight=w_rec,
                              shift=config.input_shift, acc_width=config.acc_width,
                              acc_overflow=config.acc_overflow, input_port=config.input_port,
                              source_max=count, spiking=True)
        spikes = np.empty((steps, batch, n), dtype=bool)
        for k in range(steps):
            np.copyto(pop.source, x[k], casting="unsafe")
            spikes[k] = pop.step()
        state = type(pop.state)(*(r for _, r in pop.registers()))
        acc = np.zeros((batch, n), np.int64)
        if w_rec is not None:
            acc = overflow(spikes[-1].astype(np.int64) @ w_rec, config.acc_width,
                           config.acc_overflow)
        return BatchResult(spikes, state, acc, True)
    runs = [run_network(config, w, [np.repeat(np.arange(config.inputs), x[k, s])
                                    for k in range(steps)], steps,
                        bias=b if config.bias else None) for s in range(batch)]
    state = type(runs[0].state)(*(np.stack(f) for f in zip(*(r.state for r in runs))))
    return BatchResult(np.stack([r.spikes for r in runs], axis=1), state,
                       np.stack([r.acc for r in runs]), False)


#: Neuron-steps per chunk of the feed-forward batched path (sums of a chunk at once).
CHUNK_ELEMENTS = 1 << 22


def _feedforward_batch(config: CoreConfig, w_in, bias, x, count: int) -> BatchResult:
    """No recurrence: every step's sums are known up front, so a chunk of steps is one
    matrix product and the engine's fast path (the model's block kernel) runs the chunk
    over ``B x N`` neurons."""
    from .engine import run

    steps, batch, n = x.shape[0], x.shape[1], config.neurons
    lo, hi = int_range(config.acc_width)
    bound = (int((np.abs(w_in).sum(axis=0) * count).max()) << config.input_shift) + int(
        np.abs(bias).max())
    dtype = np.float32 if bound < 1 << 24 else np.float64 if bound < 1 << 53 else np.int64
    matrix = (w_in << config.input_shift).astype(dtype)
    # the narrowest integer type the sums need (the engine reads any integer type)
    top = max(bound, -lo, hi)
    idtype = np.int16 if top < 1 << 15 else np.int32 if top < 1 << 31 else np.int64
    spikes = np.empty((steps, batch, n), dtype=bool)
    state = None
    chunk = max(1, CHUNK_ELEMENTS // (batch * n))
    for t0 in range(0, steps, chunk):
        t1 = min(steps, t0 + chunk)
        sums = x[t0:t1].reshape(-1, config.inputs).astype(dtype) @ matrix
        a_in = sums.astype(idtype)
        if config.bias:
            a_in += bias.astype(idtype)
        if bound > min(-lo, hi):
            a_in = overflow(a_in, config.acc_width, config.acc_overflow)
        res = run(config.params, {config.input_port: a_in.reshape(t1 - t0, batch * n)},
                  state=state)  # every other input is 0
        spikes[t0:t1] = res.spikes.reshape(t1 - t0, batch, n)
        state = res.state
    state = type(state)(*(np.asarray(f, np.int64).reshape(batch, n) for f in state))
    return BatchResult(spikes, state, np.zeros((batch, n), np.int64), True)
