"""The network mode (golden model of the population core) against a scalar reference."""

import numpy as np
import pytest

from neurocore_hw.fixed import int_range
from neurocore_hw.network import (
    CoreConfig,
    events_from_arrays,
    events_to_arrays,
    run_network,
    validate_weights,
)
from neurocore_hw.registry import get_model, resolve_params

LIF = resolve_params("lif", "sc_lif_q8_8", {"gain_k": 256})


def reference(config, weights, events, steps, state, acc):
    """Plain-Python network: one accumulator and one row add at a time, in the order
    docs/core.md states; the neuron update is the model's own step."""
    entry = get_model(config.model)
    lo, hi = int_range(config.acc_width)
    n, mod = config.neurons, 1 << config.acc_width

    def add(acc, row):
        out = []
        for a, w in zip(acc, weights[row]):
            s = int(a) + int(w)
            if config.acc_overflow == "saturate":
                s = min(max(s, lo), hi)
            else:
                s = (s - lo) % mod + lo
            out.append(s)
        return out

    acc = [int(a) for a in acc]
    aer, raster = [], []
    for k in range(steps):
        for s in (events[k] if k < len(events) else []):
            acc = add(acc, int(s))
        zeros = np.zeros(n, np.int64)
        inputs = {p.name: zeros for p in config.params.input_ports()}
        inputs[config.input_port] = np.array(acc, np.int64)
        state, spike = entry.step(config.params, state, **inputs)
        raster.append(np.asarray(spike, bool))
        fired = [j for j in range(n) if spike[j]]
        aer += [(k % (1 << config.time_width), j) for j in fired]
        acc = [0] * n
        if config.recurrent:
            for j in fired:
                acc = add(acc, config.inputs + j)
    return np.array(raster), aer, state, acc


def random_case(config, steps, seed):
    rng = np.random.default_rng(seed)
    lo, hi = int_range(config.weight_width)
    weights = rng.integers(lo, hi + 1, (config.rows, config.neurons))
    events = [rng.integers(0, config.inputs, rng.poisson(6)) for _ in range(steps)]
    return weights, events


@pytest.mark.parametrize("recurrent", [False, True])
@pytest.mark.parametrize("mode", ["wrap", "saturate"])
def test_network_equals_scalar_reference(recurrent, mode):
    config = CoreConfig(params=LIF, neurons=24, inputs=10, recurrent=recurrent,
                        acc_width=9, acc_overflow=mode, time_width=4)
    weights, events = random_case(config, 40, seed=3)
    got = run_network(config, weights, events, 40)
    state = get_model("lif").initial_state(LIF, 24)
    spikes, aer, final, acc = reference(config, weights, events, 40, state,
                                        np.zeros(24, np.int64))
    assert got.spikes.sum() > 20  # the case exercises spikes (and recurrence)
    np.testing.assert_array_equal(got.spikes, spikes)
    assert [tuple(e) for e in got.aer.tolist()] == aer
    np.testing.assert_array_equal(got.acc, acc)
    for a, b in zip(got.state, final):
        np.testing.assert_array_equal(a, b)
    assert got.aer[:, 0].max() < 16  # the timestep field wraps at time_width bits


def test_saturation_follows_arrival_order():
    config = CoreConfig(params=LIF, neurons=16, inputs=3, acc_width=8,
                        acc_overflow="saturate")
    weights = np.zeros((3, 16), np.int64)
    weights[0], weights[1] = 100, -100
    a = run_network(config, weights, [[0, 0, 1]], 1).state.v
    b = run_network(config, weights, [[1, 0, 0]], 1).state.v
    # 100 + 100 saturates at 127, -100 -> 27; -100 + 100 + 100 = 100: input 27 vs 100
    assert a[0] != b[0]
    wrap = CoreConfig(params=LIF, neurons=16, inputs=3, acc_width=8, acc_overflow="wrap")
    assert (run_network(wrap, weights, [[0, 0, 1]], 1).state.v
            == run_network(wrap, weights, [[1, 0, 0]], 1).state.v).all()


def test_initial_state_and_continuation():
    config = CoreConfig(params=LIF, neurons=16, inputs=4, recurrent=True)
    weights, events = random_case(config, 30, seed=5)
    whole = run_network(config, weights, events, 30)
    first = run_network(config, weights, events[:10], 10)
    rest = run_network(config, weights, events[10:], 20, state=first.state, acc=first.acc,
                       first_step=10)
    np.testing.assert_array_equal(np.vstack([first.spikes, rest.spikes]), whole.spikes)
    np.testing.assert_array_equal(np.vstack([first.aer, rest.aer]), whole.aer)
    np.testing.assert_array_equal(rest.acc, whole.acc)


def test_other_models_and_input_port():
    izh = resolve_params("izhikevich")
    config = CoreConfig(params=izh, neurons=16, inputs=4)
    assert config.input_port == "i_in" and config.acc_width == 16
    weights, events = random_case(config, 5, seed=1)
    run_network(config, weights, events, 5)
    lif_noise = CoreConfig(params=LIF, neurons=16, inputs=4, input_port="noise_in")
    assert lif_noise.input_port == "noise_in"


def test_events_arrays_round_trip():
    events = [np.array([3, 1]), np.array([], np.int64), np.array([2])]
    step, source = events_to_arrays(events)
    assert step.tolist() == [0, 0, 2] and source.tolist() == [3, 1, 2]
    back = events_from_arrays(step, source, 4)
    assert [e.tolist() for e in back] == [[3, 1], [], [2], []]
    with pytest.raises(ValueError, match="non-decreasing"):
        events_from_arrays([1, 0], [0, 0], 3)
    with pytest.raises(ValueError, match="0..2"):
        events_from_arrays([3], [0], 3)


@pytest.mark.parametrize("kwargs, match", [
    ({"neurons": 8}, "neurons"),
    ({"inputs": 0}, "inputs"),
    ({"weight_width": 1}, "weight_width"),
    ({"acc_width": 17}, "acc_width"),
    ({"acc_width": 4}, "acc_width"),
    ({"acc_overflow": "clip"}, "acc_overflow"),
    ({"input_port": "bias"}, "input_port"),
    ({"time_width": 0}, "time_width"),
])
def test_config_errors(kwargs, match):
    base = {"params": LIF, "neurons": 16, "inputs": 4}
    with pytest.raises(ValueError, match=match):
        CoreConfig(**{**base, **kwargs})


def test_config_rejects_unsigned_port_and_non_model():
    with pytest.raises(ValueError, match="unsigned"):
        CoreConfig(params=resolve_params("sc_sng"), neurons=16, inputs=4)
    with pytest.raises(TypeError):
        CoreConfig(params=object(), neurons=16, inputs=4)
    with pytest.raises(TypeError, match="recurrent"):
        CoreConfig(params=LIF, neurons=16, inputs=4, recurrent=1)


def test_run_errors():
    config = CoreConfig(params=LIF, neurons=16, inputs=4, weight_width=4)
    good = np.zeros((4, 16), np.int64)
    with pytest.raises(ValueError, match="shape"):
        validate_weights(config, np.zeros((5, 16), np.int64))
    with pytest.raises(ValueError, match="weights"):
        run_network(config, good + 8, [], 1)
    with pytest.raises(ValueError, match="sources"):
        run_network(config, good, [[4]], 1)
    with pytest.raises(ValueError, match="event lists"):
        run_network(config, good, [[0], [1]], 1)
    with pytest.raises(ValueError, match="acc"):
        run_network(config, good, [], 1, acc=np.zeros(3, np.int64))


@pytest.mark.parametrize("case", ["lif_rec_saturate", "lif_wrap_counts", "cuba_shift_bias",
                                  "lif_saturates_part_way", "li_readout", "cuba_ff_bias",
                                  "lif_ff_wrap"])
def test_batched_network_equals_run_network_per_sample(case, monkeypatch):
    """run_network_batch against run_network on each sample: every spike, the final state
    and accumulators; the one-product path where it is exact, the loop where saturation
    depends on the order of the row adds."""
    from neurocore_hw import network
    from neurocore_hw.network import run_network_batch

    monkeypatch.setattr(network, "CHUNK_ELEMENTS", 7 * 5 * 16)  # chunk edges inside the run
    rng = np.random.default_rng(len(case))
    configs = {
        "lif_rec_saturate": (CoreConfig(params=LIF, neurons=24, inputs=10, recurrent=True,
                                        acc_overflow="saturate"), 1, True),
        "lif_wrap_counts": (CoreConfig(params=LIF, neurons=20, inputs=6, recurrent=True,
                                       acc_width=9), 3, True),
        "cuba_shift_bias": (CoreConfig(params=resolve_params("cuba_lif", "w16_subtract"),
                                       neurons=16, inputs=8, recurrent=True, acc_width=10,
                                       acc_overflow="saturate", input_shift=1, bias=True),
                            1, True),
        "lif_saturates_part_way": (CoreConfig(params=LIF, neurons=16, inputs=12,
                                              acc_width=9, acc_overflow="saturate"), 2, False),
        "li_readout": (CoreConfig(params=resolve_params("li"), neurons=16, inputs=5,
                                  input_shift=4), 1, True),
        "cuba_ff_bias": (CoreConfig(params=resolve_params("cuba_lif", "w16"), neurons=16,
                                    inputs=8, acc_width=10, acc_overflow="saturate",
                                    input_shift=2, bias=True), 2, True),
        "lif_ff_wrap": (CoreConfig(params=LIF, neurons=24, inputs=9, acc_width=9), 3, True),
    }
    config, top, batched = configs[case]
    lo, hi = int_range(config.weight_width)
    w = rng.integers(lo, hi + 1, (config.rows, config.neurons))
    if case in ("cuba_shift_bias", "cuba_ff_bias"):
        w //= 4
    x = rng.integers(0, top + 1, (40, 5, config.inputs)) * (rng.random((40, 5, 1)) < 0.4)
    alo, ahi = int_range(config.acc_width)
    bias = rng.integers(alo // 2, ahi // 2, config.neurons) if config.bias else None
    got = run_network_batch(config, w, x, bias=bias)
    assert got.batched == batched
    for b in range(5):
        events = [np.repeat(np.arange(config.inputs), x[k, b]) for k in range(40)]
        want = run_network(config, w, events, 40, bias=bias)
        assert np.array_equal(got.spikes[:, b], want.spikes), b
        assert all(np.array_equal(a[b], c) for a, c in zip(got.state, want.state)), b
        assert np.array_equal(got.acc[b], want.acc), b
    assert got.spikes.any() or case == "li_readout"
    assert got.state[0].any()
