"""Engine: matches the pure step, en/rst semantics, input validation."""

import numpy as np
import pytest
from conftest import random_lif_params

from neurocore_hw.engine import run
from neurocore_hw.fixed import int_range
from neurocore_hw.models import lif

Q88 = lif.PRESETS["sc_lif_q8_8"]


def test_run_matches_step_loop(rng):
    for _ in range(10):
        p = random_lif_params(rng)
        lo, hi = int_range(p.width)
        i_in = rng.integers(lo, hi, (50, 20), endpoint=True)
        result = run(p, {"i_in": i_in}, record=True)
        state = lif.MODEL.initial_state(p, 20)
        for t in range(50):
            state, spike = lif.step(p, state, i_in[t], 0)
            assert np.array_equal(result.spikes[t], spike)
            assert np.array_equal(result.traces["v"][t], state.v)
            assert np.array_equal(result.traces["refrac"][t], state.refrac)
        assert np.array_equal(result.state.v, state.v)


def test_en_holds_state_and_silences_spikes():
    i_in = np.full((6, 1), 4000)
    en = np.array([1, 0, 0, 1, 1, 1])
    full = run(Q88, {"i_in": i_in[[0, 3, 4, 5]]}, record=True)
    gated = run(Q88, {"i_in": i_in}, record=True, en=en)
    assert np.array_equal(gated.traces["v"][[0, 3, 4, 5]], full.traces["v"])
    assert np.array_equal(gated.traces["v"][1:3, 0], [full.traces["v"][0, 0]] * 2)
    assert not gated.spikes[1:3].any()
    assert np.array_equal(gated.spikes[[0, 3, 4, 5]], full.spikes)


def test_rst_overrides_en_and_restores_reset_state():
    p = lif.PRESETS["q4_4_saturate"]
    result = run(p, {"i_in": np.full((5, 2), 60)}, record=True,
                 rst=np.array([0, 0, 1, 0, 0]), en=np.ones(5, dtype=int))
    assert result.traces["v"][2].tolist() == [p.v_rest, p.v_rest]
    assert result.traces["refrac"][2].tolist() == [0, 0] and not result.spikes[2].any()


def test_missing_inputs_are_zero_and_state_can_be_given():
    result = run(Q88, {"noise_in": np.full((3, 2), 100)}, record=True,
                 state=(np.array([10, 20]), np.array([0, 1])))
    assert result.traces["refrac"][0].tolist() == [0, 0]
    assert result.traces["v"][0].tolist() == [10 - 1 + 100, 0]


@pytest.mark.parametrize("inputs, err, match", [
    ({"i_in": np.zeros((3, 2), dtype=np.float64)}, TypeError, "integers"),
    ({"i_in": np.full((3, 2), 1 << 15)}, ValueError, "outside"),
    ({"i_in": np.zeros(3, dtype=int)}, ValueError, "2-D"),
    ({"i_in": np.zeros((3, 2), dtype=int), "noise_in": np.zeros((3, 3), dtype=int)},
     ValueError, "shape"),
    ({"bias": np.zeros((3, 2), dtype=int)}, ValueError, "unknown input 'bias'"),
    ({}, ValueError, "no input"),
    ({"i_in": np.zeros((0, 2), dtype=int)}, ValueError, "T >= 1"),
])
def test_bad_inputs(inputs, err, match):
    with pytest.raises(err, match=match):
        run(Q88, inputs)


def test_bad_controls():
    with pytest.raises(ValueError, match="en must hold 0/1"):
        run(Q88, {"i_in": np.zeros((3, 1), dtype=int)}, en=np.array([0, 2, 1]))
    with pytest.raises(TypeError, match="not the Params"):
        run(object(), {"i_in": np.zeros((3, 1), dtype=int)})


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint8, np.uint64])
def test_narrow_input_dtypes_widen_exactly(dtype):
    """Inputs stay in the caller's dtype; products must still be exact (no int16 wrap)."""
    p = lif.LIFParams(width=16, frac=4, leak_k=3, gain_k=1000, v_threshold=32000)
    info = np.iinfo(dtype)
    lo, hi = max(info.min, -(1 << 15)), min(info.max, (1 << 15) - 1)
    i_in = np.random.default_rng(1).integers(lo, hi, (60, 30), endpoint=True)
    want = run(p, {"i_in": i_in.astype(np.int64)}, record=True)
    got = run(p, {"i_in": i_in.astype(dtype)}, record=True)
    assert np.array_equal(got.traces["v"], want.traces["v"])
    assert np.array_equal(got.spikes, want.spikes)
