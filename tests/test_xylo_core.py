"""A population core with Xylo's synapses (``CoreConfig(synapses="xylo")``): its golden
model equals the Xylo network (XyloSim's semantics, ``neurocore_hw.xylo_network``), and
the RTL core equals its golden model on every output event under Verilator."""

import numpy as np
import pytest

from neurocore_hw.models.xylo import PRESETS, XyloParams
from neurocore_hw.network import CoreConfig, run_network, run_network_batch
from neurocore_hw.xylo_network import XyloNetwork


def _case(rng, n_in=12, n=20, steps=30, rails=False):
    """Mixed-sign int8 weights (with rails: large ones, so per-event saturation and
    its order decide) and Poisson-like event counts."""
    scale = 127 if rails else 40
    w_in = rng.integers(-scale, scale, (n_in, n), endpoint=True)
    w_rec = rng.integers(-scale, scale, (n, n), endpoint=True) * (rng.random((n, n)) < 0.3)
    x = rng.poisson(0.8 if rails else 0.4, (steps, n_in)).clip(0, 15)
    return w_in, w_rec, x


def _events(x):
    return [np.repeat(np.arange(x.shape[1]), x[k]) for k in range(len(x))]


@pytest.mark.parametrize("rails", [False, True])
def test_golden_core_equals_the_xylo_network(rails, rng):
    """The core's golden model (input events one by one, recurrent rows times the count
    at the next step) against XyloNetwork's hidden layer: every count, the final syn and
    v."""
    hidden = PRESETS["hidden"]
    for shifts in ((0, 0), (3, 1), (8, 8)):
        w_in, w_rec, x = _case(rng, rails=rails)
        net = XyloNetwork(w_in, w_rec, np.zeros((w_in.shape[1], 1), np.int64), hidden,
                          PRESETS["output"], shift_in=shifts[0], shift_rec=shifts[1])
        want = net.run(x, record=True)
        config = CoreConfig(params=hidden, neurons=w_in.shape[1], inputs=w_in.shape[0],
                            recurrent=True, acc_overflow="saturate", synapses="xylo",
                            weight_shift=shifts[0], recurrent_shift=shifts[1])
        got = run_network(config, np.vstack([w_in, w_rec]), _events(x), len(x))
        counts = np.zeros_like(want.hidden[:, 0])
        for t, i, c in got.aer:
            counts[t, i] = c
        assert np.array_equal(counts, want.hidden[:, 0])
        assert np.array_equal(got.acc, want.traces["hidden_syn"][-1, 0])
        assert np.array_equal(got.state.v, want.traces["hidden_v"][-1, 0])
        assert np.array_equal(got.counts, want.hidden[-1, 0])
    assert (want.hidden > 1).any()  # multi-spike steps were exercised


def test_golden_core_check_has_teeth(rng):
    """One saturating add per step (the plain core's order) instead of one per event
    differs from the Xylo network at the rails."""
    hidden = PRESETS["hidden"]
    w_in, w_rec, x = _case(rng, rails=True)
    config = CoreConfig(params=hidden, neurons=w_in.shape[1], inputs=w_in.shape[0],
                        recurrent=True, acc_overflow="saturate", synapses="xylo",
                        weight_shift=8, recurrent_shift=8)
    good = run_network(config, np.vstack([w_in, w_rec]), _events(x), len(x))
    summed = [np.array(sorted(e, key=lambda c: -np.sign(w_in[c]).sum())) for e in _events(x)]
    reordered = run_network(config, np.vstack([w_in, w_rec]), summed, len(x))
    assert not np.array_equal(good.aer, reordered.aer)


def test_batch_runs_each_sample(rng):
    hidden = PRESETS["hidden"]
    w_in, w_rec, _ = _case(rng)
    config = CoreConfig(params=hidden, neurons=w_in.shape[1], inputs=w_in.shape[0],
                        recurrent=True, acc_overflow="saturate", synapses="xylo")
    x = rng.poisson(0.5, (10, 3, w_in.shape[0]))
    batch = run_network_batch(config, np.vstack([w_in, w_rec]), x)
    for b in range(3):
        one = run_network(config, np.vstack([w_in, w_rec]), _events(x[:, b]), 10)
        assert np.array_equal(batch.spikes[:, b], one.spikes)


@pytest.mark.parametrize("kwargs, message", [
    ({"params": XyloParams(width=16), "acc_overflow": "wrap"}, "acc_overflow='saturate'"),
    ({"params": XyloParams(width=16), "acc_width": 20}, "acc_width must be 16"),
    ({"params": XyloParams(width=16), "weight_width": 9}, "weight_width"),
    ({"params": XyloParams(width=16), "weight_shift": 9}, "weight_shift"),
    ({"params": XyloParams(width=16), "bias": True}, "no input_shift or bias"),
])
def test_xylo_config_refuses_what_xylo_cannot_do(kwargs, message):
    base = {"neurons": 16, "inputs": 4, "acc_overflow": "saturate", "synapses": "xylo"}
    with pytest.raises(ValueError, match=message):
        CoreConfig(**{**base, **kwargs})


def test_xylo_synapses_need_the_xylo_model():
    from neurocore_hw.models.lif import PRESETS as LIF

    with pytest.raises(ValueError, match="needs model 'xylo'"):
        CoreConfig(params=LIF["sc_lif_q8_8"], neurons=16, inputs=4, acc_overflow="saturate",
                   synapses="xylo")
    with pytest.raises(ValueError, match="for synapses='xylo'"):
        CoreConfig(params=LIF["sc_lif_q8_8"], neurons=16, inputs=4, weight_shift=2)


def _xylo_config(params, *, n=24, inputs=10, recurrent=True, shifts=(6, 4)):
    return CoreConfig(params=params, neurons=n, inputs=inputs, recurrent=recurrent,
                      acc_overflow="saturate", synapses="xylo", weight_shift=shifts[0],
                      recurrent_shift=shifts[1], time_width=8)


@pytest.mark.parametrize("preset, recurrent, stall", [("hidden", True, 96), ("bias", True, 0),
                                                      ("output", False, 32)])
def test_xylo_core_cosim_is_bit_exact(preset, recurrent, stall):
    """The RTL core with Xylo's synapses against its golden model under Verilator: every
    output event with its count, every state word and accumulator after every timestep,
    random state and accumulators, bursts that saturate, a stalled output stream."""
    from conftest import BUILD_ROOT

    from rtl_gen.verify.core import random_network, run_core_cosim

    config = _xylo_config(PRESETS[preset], recurrent=recurrent)
    weights, events, state, acc = random_network(config, 40, seed=5, rate=3.0)
    rng = np.random.default_rng(7)  # runs of one source: events with counts up to 31
    events = [np.repeat(e, rng.choice([1, 1, 2, 5, 31, 40], len(e))) for e in events]
    res = run_core_cosim(config, weights, events, 40, state=state, acc=acc, stall=stall,
                         read_every_step=True, build_root=BUILD_ROOT)
    assert res.passed, res.first_mismatch
    assert res.events_out > 20


def test_xylo_core_cosim_has_teeth():
    """A core built without the per-group shift of recurrent rows (the golden model keeps
    it) fails the same co-simulation."""
    from conftest import BUILD_ROOT

    from rtl_gen.core import emit_core
    from rtl_gen.verify.core import random_network, run_core_cosim

    config = _xylo_config(PRESETS["hidden"])
    broken = _xylo_config(PRESETS["hidden"], shifts=(6, 0))
    weights, events, state, acc = random_network(config, 20, seed=6, rate=3.0)
    res = run_core_cosim(config, weights, events, 20, state=state, acc=acc,
                         verilog_text=emit_core(broken), build_root=BUILD_ROOT)
    assert not res.passed and res.mismatches > 0


def test_xylo_core_cosim_compares_the_counts(monkeypatch):
    """A golden model off by one in every output event's count (the neuron and timestep
    right) makes the same co-simulation fail: the count column is compared."""
    from conftest import BUILD_ROOT

    from rtl_gen.verify import core as verify_core

    real = verify_core.run_network

    def off_by_one(*args, **kwargs):
        res = real(*args, **kwargs)
        aer = res.aer.copy()
        aer[:, 2] += 1
        return res._replace(aer=aer)

    monkeypatch.setattr(verify_core, "run_network", off_by_one)
    config = _xylo_config(PRESETS["output"], recurrent=False)
    weights, events, state, acc = verify_core.random_network(config, 20, seed=5, rate=3.0)
    res = verify_core.run_core_cosim(config, weights, events, 20, state=state, acc=acc,
                                     build_root=BUILD_ROOT)
    assert not res.passed and res.mismatches >= res.events_out > 0


def _random_xylo_network(rng, n_in=8, n_hid=20, n_out=5):
    w_in, w_rec, _ = _case(rng, n_in=n_in, n=n_hid, rails=True)
    w_out = rng.integers(-127, 127, (n_hid, n_out), endpoint=True)
    return XyloNetwork(w_in, w_rec, w_out, PRESETS["hidden"], PRESETS["output"],
                       shift_in=5, shift_rec=3, shift_out=6)


def test_xylo_cores_golden_equals_the_network(rng):
    """The two cores' golden models (hidden events to the output core a timestep later,
    padded to the core's 16 neurons) give XyloNetwork's every spike count."""
    from rtl_gen.verify.xylo_chain import golden_xylo_cores

    net = _random_xylo_network(rng)
    x = rng.poisson(0.7, (40, 8))
    hidden, output = golden_xylo_cores(net, x)
    assert len(output.aer) > 10 and (hidden.aer[:, 2] > 1).any()


def test_xylo_chain_cosim_is_bit_exact(rng):
    """The two-core chain (the output core first, the hidden core's events with their
    counts into it) under Verilator: every output event and both cores' final registers;
    a chain built for other shifts fails the same run."""
    from conftest import BUILD_ROOT

    from rtl_gen.verify.xylo_chain import emit_xylo_chain, run_xylo_chain_cosim

    net = _random_xylo_network(rng)
    x = rng.poisson(0.7, (30, 8))
    res = run_xylo_chain_cosim(net, x, stall=64, build_root=BUILD_ROOT)
    assert res.passed, res.first_mismatch
    assert res.events_out > 10
    other = XyloNetwork(net.w_in, net.w_rec, net.w_out, net.hidden, net.output,
                        shift_in=5, shift_rec=3, shift_out=5)
    bad = run_xylo_chain_cosim(net, x, build_root=BUILD_ROOT,
                               verilog_text=emit_xylo_chain(other))
    assert not bad.passed


def test_braille_on_two_xylo_cores_is_bit_exact():
    """The NIR paper's Braille network (noBias_subtract), quantized Xylo-style, on the
    two-core chain under Verilator: one Poisson sample of 48 steps, bit-exact with the
    golden cores, which equal the Xylo network."""
    from conftest import BUILD_ROOT, REPO

    from neurocore_hw.nir import load_graph
    from neurocore_hw.nir.xylo import quantize_xylo
    from rtl_gen.verify.xylo_chain import run_xylo_chain_cosim

    spec = load_graph(REPO.parent / "shared" / "nir" / "braille_noDelay_noBias_subtract.nir")
    net, _ = quantize_xylo(spec, dt=1e-4, threshold=4096)
    rng = np.random.default_rng(3)
    x = (rng.random((48, 12)) < rng.uniform(0.05, 0.3, 12)).astype(np.int64)
    res = run_xylo_chain_cosim(net, x, stall=48, build_root=BUILD_ROOT)
    assert res.passed, res.first_mismatch
    assert res.events_in > 50
