"""LIF golden model: hand-computed steps, validation, kernel == step, float reference."""

import dataclasses

import numpy as np
import pytest
from conftest import random_lif_params

from neurocore_hw.fixed import int_range
from neurocore_hw.model import StatefulModel
from neurocore_hw.models import lif
from neurocore_hw.models.lif import LIFParams, LIFReal, LIFState
from neurocore_hw.real import Format

Q88 = lif.PRESETS["sc_lif_q8_8"]
SAT = lif.PRESETS["q4_4_saturate"]
NEAR = lif.PRESETS["q12_12_nearest"]


def one(params, v, refrac, i_in, noise=0):
    state, spike = lif.step(params, LIFState(np.array([v]), np.array([refrac])),
                            np.array([i_in]), np.array([noise]))
    return int(state.v[0]), int(state.refrac[0]), bool(spike[0])


# Expected values worked out by hand from the equations in the module docstring.
@pytest.mark.parametrize("params, v, refrac, i_in, noise, want", [
    # leak floor(-100*16/256) = -7, drive 512*16/256 = 32 -> 125
    (Q88, 100, 0, 512, 0, (125, 0, False)),
    # leak floor(-4000/256) = -16, drive 32 -> 266 >= 256: fire
    (Q88, 250, 0, 512, 0, (0, 2, True)),
    # refractory: count down, v held at v_rest, no spike however large the input
    (Q88, 0, 2, 32767, 32767, (0, 1, False)),
    # wrap: 32767 - 2048 + 2047 + 10 = 32776 -> -32760
    (Q88, 32767, 0, 32767, 10, (-32760, 0, False)),
    # saturate high then fire: 100 - 21 + 168 + 127 = 374 -> 127 >= 40
    (SAT, 100, 0, -128, 127, (-24, 3, True)),
    # saturate low: -100 + 17 - 167 - 128 = -378 -> -128 (wrap would give -122)
    (SAT, -100, 0, 127, -128, (-128, 0, False)),
    # nearest: (-2048 - 1) * 1234 / 4096 = -617.30 -> -617 (floor would be -618)
    (NEAR, 1, 0, 0, 0, (1 - 617, 0, False)),
    # exact product: drive 4096 * 5000 / 4096 = 5000, leak (0 * 1234) = 0
    (NEAR, -2048, 0, 4096, 0, (-2048 + 5000, 0, False)),
])
def test_hand_computed_steps(params, v, refrac, i_in, noise, want):
    assert one(params, v, refrac, i_in, noise) == want


def test_floor_vs_nearest_differ_where_expected():
    floor = dataclasses.replace(NEAR, rounding="floor")
    assert one(floor, 1, 0, 0) == (1 - 618, 0, False)


def test_threshold_is_inclusive():
    p = LIFParams(leak_k=0, gain_k=256)  # v_next = v + i_in exactly
    assert one(p, 0, 0, 255) == (255, 0, False)
    assert one(p, 0, 0, 256) == (0, 2, True)


def test_refractory_zero_fires_every_step():
    p = LIFParams(leak_k=0, gain_k=256, refractory=0)
    neuron = StatefulModel(p, 1)
    assert [bool(neuron.step(i_in=300)[0]) for _ in range(4)] == [True] * 4
    assert p.refrac_width == 1


@pytest.mark.parametrize("field, value", [
    ("width", 1), ("width", 33), ("frac", 16), ("frac", -1), ("leak_k", 257),
    ("leak_k", -1), ("v_threshold", 1 << 15), ("gain_k", -(1 << 15) - 1),
    ("refractory", 65536), ("refractory", -1), ("overflow", "clip"), ("rounding", "up"),
])
def test_params_reject_out_of_range(field, value):
    with pytest.raises(ValueError, match=field):
        dataclasses.replace(Q88, **{field: value})


def test_params_reject_wrong_types():
    with pytest.raises(TypeError, match="width"):
        LIFParams(width=16.0)
    with pytest.raises(TypeError, match="leak_k"):
        LIFParams(leak_k=True)


def test_kernel_matches_step_on_random_params(rng):
    for _ in range(40):
        p = random_lif_params(rng)
        n, t_steps = 64, 30
        lo, hi = int_range(p.width)
        i_in = rng.integers(lo, hi, (t_steps, n), endpoint=True)
        noise = rng.integers(lo, hi, (t_steps, n), endpoint=True)
        # random (even unreachable) start states exercise every branch
        state = LIFState(rng.integers(lo, hi, n, endpoint=True),
                         rng.integers(0, (1 << p.refrac_width), n))
        kstate = LIFState(state.v.copy(), state.refrac.copy())
        kernel, spike = lif.LIFKernel(p, n), np.empty(n, dtype=bool)
        for t in range(t_steps):
            state, want = lif.step(p, state, i_in[t], noise[t])
            kernel(kstate, spike, i_in[t], noise[t])
            assert np.array_equal(spike, want), p
            assert np.array_equal(kstate.v, state.v) and np.array_equal(kstate.refrac,
                                                                        state.refrac), p


def test_from_real_quantizes_and_reports():
    real = LIFReal(tau_mem=20.0, dt=1.0, resistance=2.0, v_rest=-0.5, v_reset=-0.75,
                   v_threshold=1.0, t_ref=3.4)
    params, q = real.quantize(Format(16, 8))
    assert params.leak_k == round((1 - np.exp(-1 / 20)) * 256) == 12
    assert params.gain_k == round(2 * (1 - np.exp(-1 / 20)) * 256) == 25
    assert (params.v_rest, params.v_reset, params.v_threshold) == (-128, -192, 256)
    assert params.refractory == 3
    assert q["leak_k"].error == pytest.approx(12 / 256 - real.leak)
    assert abs(q["gain_k"].error) <= 0.5 / 256
    with pytest.raises(ValueError, match="tau_mem"):
        LIFReal(tau_mem=0.0)
    with pytest.raises(ValueError, match="v_threshold"):
        LIFReal(v_threshold=200.0).quantize(Format(16, 8))


def test_reference_tracks_golden_model():
    """Quantization cost is small: the Q8.8 model follows the float dynamics closely."""
    real = LIFReal(tau_mem=16.0, dt=1.0, resistance=1.0, v_threshold=1.0, t_ref=2.0)
    params, _ = real.quantize(Format(16, 8))
    rng = np.random.default_rng(7)
    t_steps, n = 2000, 50
    current = rng.uniform(0.5, 2.0, (1, n)) * np.ones((t_steps, 1))
    i_codes = np.round(current * 256).astype(np.int64)
    from neurocore_hw.engine import run
    fixed_spikes = run(params, {"i_in": i_codes}).spikes
    ref_spikes, _ = lif.reference(real, i_codes / 256.0)
    fixed_count, ref_count = fixed_spikes.sum(0), ref_spikes.sum(0)
    assert ref_count.sum() > 1000
    rel = np.abs(fixed_count - ref_count) / np.maximum(ref_count, 1)
    assert np.median(rel) < 0.1, (fixed_count, ref_count)


def test_reference_with_quantized_params_matches_no_spike_subthreshold():
    p = Q88
    i = np.full((200, 1), 128)  # steady state 0.5 < threshold 1.0
    spikes, v = lif.reference(p, i / 256.0)
    assert not spikes.any() and v[-1, 0] == pytest.approx(0.5, abs=1e-3)


def test_stateful_wrapper():
    neuron = StatefulModel(Q88, 3)
    spikes = [neuron.step(i_in=np.array([0, 300, 600])) for _ in range(100)]
    counts = np.sum(spikes, axis=0)
    assert counts[0] == 0 and 0 < counts[1] < counts[2]
    assert neuron.v.shape == (3,)
    neuron.reset()
    assert neuron.v.tolist() == [0, 0, 0] and neuron.refrac.tolist() == [0, 0, 0]
    with pytest.raises(TypeError):
        StatefulModel(object(), 1)
