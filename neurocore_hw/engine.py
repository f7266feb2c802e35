"""Run any registered model over inputs shaped ``[T, N]``, vectorized over neurons.

The loop runs over time; each step is a handful of in-place NumPy ufuncs on length-N
arrays through the model's kernel, with no allocation per step. Optional ``en`` and
``rst`` controls reproduce the RTL's clock-enable and synchronous reset, which is how the
co-simulation bench gets its expected trace.

Without controls and recording, models with a block kernel (LIF, Izhikevich) take the
fast path: blocks of :data:`BLOCK_NEURONS` neurons run through every step while their
state stays in cache, the state-independent input side is prepared a chunk of
:data:`CHUNK_ELEMENTS` values at a time, in narrow dtypes where the format allows.
``tests/test_fast_path.py`` holds both paths equal to a loop over the pure ``step``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from .fixed import check_range
from .model import model_of

__all__ = ["BLOCK_NEURONS", "CHUNK_ELEMENTS", "RunResult", "run", "validate_inputs"]


class RunResult(NamedTuple):
    """What :func:`run` returns.

    Attributes
    ----------
    spikes : numpy.ndarray of bool, shape (T, N)
        Spike raster.
    traces : dict of str to numpy.ndarray of int64, shape (T, N)
        State after each step, one array per state field (empty unless recorded).
    state : NamedTuple
        Final state.
    """

    spikes: np.ndarray
    traces: dict[str, np.ndarray]
    state: tuple


def validate_inputs(params, inputs: Mapping[str, object]) -> tuple[dict[str, np.ndarray],
                                                                   tuple[int, int]]:
    """Check input arrays against the model's ports; fill missing ones with zeros.

    Parameters
    ----------
    params : object
        A registered model's ``Params``.
    inputs : Mapping[str, array_like]
        Integer arrays shaped ``[T, N]``, one per input port (at least one).

    Returns
    -------
    arrays : dict of str to numpy.ndarray of int
        One ``[T, N]`` array per input port, in port order, in the caller's integer
        dtype (range-checked; the kernels widen exactly).
    shape : tuple of int
        ``(T, N)``.

    Raises
    ------
    ValueError
        Unknown port, wrong or inconsistent shape, values out of the port's range.
    TypeError
        Non-integer data.
    """
    ports = {p.name: p for p in params.input_ports()}
    unknown = sorted(set(inputs) - set(ports))
    if unknown:
        raise ValueError(f"unknown input {unknown[0]!r}; inputs are: {', '.join(ports)}")
    if not inputs:
        raise ValueError(f"no input given; inputs are: {', '.join(ports)}")
    shape = None
    arrays: dict[str, np.ndarray] = {}
    for name, data in inputs.items():
        port = ports[name]
        arr = check_range(name, data, port.width, port.signed)
        if arr.ndim != 2:
            raise ValueError(f"{name} must be 2-D [T, N], got shape {arr.shape}")
        if shape is None:
            shape = arr.shape
        elif arr.shape != shape:
            raise ValueError(f"{name} has shape {arr.shape}, other inputs have {shape}")
        arrays[name] = arr
    if 0 in shape:
        raise ValueError(f"inputs must have T >= 1 and N >= 1, got shape {shape}")
    zeros = np.broadcast_to(np.zeros(1, dtype=np.int8), shape)  # no memory for absent ports
    return {name: arrays.get(name, zeros) for name in ports}, shape


def _control(name: str, data, shape: tuple[int, int]) -> np.ndarray | None:
    if data is None:
        return None
    arr = np.asarray(data)
    if arr.dtype.kind not in "biu" or (arr.size and not np.isin(arr, (0, 1)).all()):
        raise ValueError(f"{name} must hold 0/1 values")
    if arr.ndim == 1:
        arr = arr[:, None]
    try:
        return np.broadcast_to(arr.astype(bool), shape)
    except ValueError:
        raise ValueError(f"{name} has shape {arr.shape}, inputs have {shape}") from None


def _check_state(params, reset, state, n: int) -> None:
    """Every field given, a scalar or one value per neuron, integer and within its state
    register's range."""
    if len(state) != len(reset):
        raise ValueError(f"state must have {len(reset)} fields "
                         f"({', '.join(reset._fields)}), got {len(state)}")
    ports = {p.name: p for p in params.state_ports()}
    for name, value in zip(reset._fields, state):
        shape = np.shape(value)
        if shape not in ((), (n,)):
            raise ValueError(f"state {name} has shape {shape}, expected a scalar or ({n},): "
                             "one value per neuron of the inputs")
        if name in ports:
            check_range(f"state {name}", value, ports[name].width, ports[name].signed)


def run(params, inputs: Mapping[str, object], *, record: bool = False, en=None, rst=None,
        state=None, fast: bool = True) -> RunResult:
    """Simulate a population bit-true over ``T`` steps.

    Parameters
    ----------
    params : object
        A registered model's ``Params``.
    inputs : Mapping[str, array_like]
        Integer arrays ``[T, N]`` per input port; missing ports are zero.
    record : bool
        Record the state after every step.
    en : array_like of 0/1, shape (T,) or (T, N), optional
        Clock enable: where 0 the state holds and no spike is emitted.
    rst : array_like of 0/1, shape (T,) or (T, N), optional
        Synchronous reset (priority over ``en``): state returns to its reset value.
    state : NamedTuple, optional
        Initial state (copied; each field a scalar or ``(N,)`` array within its
        register's range); the model's reset state if omitted.
    fast : bool
        Take the model's block kernel where it has one and nothing is recorded or
        controlled (the default); False always runs the in-place step kernel (the same
        results, for comparison).

    Returns
    -------
    RunResult
        Spikes, optional traces, final state.

    Raises
    ------
    ValueError
        Bad inputs (see :func:`validate_inputs`), controls or initial state.
    TypeError
        Non-integer inputs or state.
    """
    entry = model_of(params)
    arrays, (t_steps, n) = validate_inputs(params, inputs)
    en = _control("en", en, (t_steps, n))
    rst = _control("rst", rst, (t_steps, n))
    reset = entry.initial_state(params, n)
    if state is not None:
        _check_state(params, reset, state, n)
    state = type(reset)(*(np.array(np.broadcast_to(np.asarray(s, dtype=np.int64), (n,)))
                          for s in (reset if state is None else state)))
    if (fast and not record and en is None and rst is None
            and entry.block_kernel is not None):
        spikes = _run_blocked(entry, params, arrays, state, t_steps, n)
        if spikes is not None:
            return RunResult(spikes, {}, state)
    kernel = entry.kernel(params, n)
    spike = np.empty(n, dtype=bool)
    spikes = np.empty((t_steps, n), dtype=bool)
    traces = ({f: np.empty((t_steps, n), dtype=np.int64) for f in state._fields}
              if record else {})
    held = [np.empty(n, dtype=np.int64) for _ in state] if en is not None else None
    for t in range(t_steps):
        if held is not None:
            for h, s in zip(held, state):
                np.copyto(h, s)
        kernel(state, spike, **{name: arr[t] for name, arr in arrays.items()})
        if held is not None:
            hold = ~en[t]
            for h, s in zip(held, state):
                np.copyto(s, h, where=hold)
            spike &= en[t]
        if rst is not None:
            for r, s in zip(reset, state):
                np.copyto(s, r, where=rst[t])
            spike &= ~rst[t]
        spikes[t] = spike
        if record:
            for f, s in zip(state._fields, state):
                traces[f][t] = s
    return RunResult(spikes, traces, state)


#: Neurons per block of the fast path. Measured (LIF, one core, N = 1e5 and 1e6): fewer,
#: longer ufunc calls beat keeping the block in the 1 MiB L2 -- 16,384-neuron blocks ran
#: 347 M/s, 131,072 ran 588-628 M/s at N = 1e5 and 398-417 at N = 1e6, where a single
#: block of all 1e6 neurons fell to 237 (its arrays leave the 32 MiB L3).
BLOCK_NEURONS = 131_072
#: Input elements prepared per chunk (steps per chunk = this // block size, at least 1):
#: 1 MiB of ``int32`` input side, and few preparation calls for small populations. A
#: kernel may ask for less with a ``chunk_elements`` attribute.
CHUNK_ELEMENTS = 262_144


def _run_blocked(entry, params, arrays: dict[str, np.ndarray], state, t_steps: int,
                 n: int) -> np.ndarray | None:
    """The fast path: blocks of neurons run through all steps, input side in chunks.

    Neurons are independent, so a block of :data:`BLOCK_NEURONS` neurons can run every
    step while its state stays in cache, instead of streaming the whole population from
    memory once per step. Returns None when the model's block kernel declines the
    parameters.
    """
    block = min(n, BLOCK_NEURONS)
    kernel = entry.block_kernel(params, block)
    if kernel is None:
        return None
    spikes = np.empty((t_steps, n), dtype=bool)
    for j0 in range(0, n, block):
        j1 = min(n, j0 + block)
        if j1 - j0 != block:
            kernel = entry.block_kernel(params, j1 - j0)
        part = type(state)(*(s[j0:j1] for s in state))
        kernel.load(part)
        elements = min(CHUNK_ELEMENTS, getattr(kernel, "chunk_elements", CHUNK_ELEMENTS))
        chunk = max(1, elements // (j1 - j0))
        for t0 in range(0, t_steps, chunk):
            t1 = min(t_steps, t0 + chunk)
            prepared = kernel.prepare(**{k: a[t0:t1, j0:j1] for k, a in arrays.items()})
            kernel.run(prepared, spikes[t0:t1, j0:j1])
        kernel.store(part)
    return spikes
