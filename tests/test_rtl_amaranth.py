"""amaranth.sim equivalence (fast tier): the RTL against the golden step."""

import dataclasses

import numpy as np
import pytest
from conftest import evaluate_datapath, random_lif_params, run_unit

from neurocore_hw.engine import run
from neurocore_hw.fixed import int_range, shift_right
from neurocore_hw.models import lif
from neurocore_hw.models.lif import LIFState
from neurocore_hw.stimulus import make_stimulus
from rtl_gen.arith import csd_digits
from rtl_gen.lif import LIFDatapath
from rtl_gen.unit import NeuronUnit


def threshold_vectors(params, rng, n=20):
    """Vectors whose v_next (before overflow) is v_threshold - 1, v_threshold or + 1."""
    lo, hi = int_range(params.width)
    v = rng.integers(lo, hi, n, endpoint=True)
    i_in = rng.integers(lo, hi, n, endpoint=True) >> (params.width // 2)
    partial = (v + shift_right((params.v_rest - v) * params.leak_k, params.frac,
                               params.rounding)
               + shift_right(i_in * params.gain_k, params.frac, params.rounding))
    vs, ins, noises = [], [], []
    for d in (-1, 0, 1):
        noise = params.v_threshold + d - partial
        ok = (noise >= lo) & (noise <= hi)
        vs.append(v[ok]), ins.append(i_in[ok]), noises.append(noise[ok])
    return np.concatenate(vs), np.concatenate(ins), np.concatenate(noises)


def check_datapath(params, rng, n=300):
    lo, hi = int_range(params.width)
    corners = np.array([lo, lo + 1, -1, 0, 1, hi - 1, hi])
    v = np.concatenate([rng.integers(lo, hi, n, endpoint=True), np.repeat(corners, 7)])
    i_in = np.concatenate([rng.integers(lo, hi, n, endpoint=True), np.tile(corners, 7)])
    noise = np.concatenate([rng.integers(lo, hi, n, endpoint=True),
                            rng.choice(corners, 49)])
    edge = threshold_vectors(params, rng)
    v, i_in, noise = (np.concatenate([a, b]) for a, b in zip((v, i_in, noise), edge))
    refrac = rng.integers(0, 1 << params.refrac_width, v.size)
    refrac[: v.size // 2] = 0  # half the random vectors take the integrate path
    refrac[v.size - edge[0].size:] = 0  # and every threshold vector
    want, spike = lif.step(params, LIFState(v, refrac), i_in, noise)
    got = evaluate_datapath(LIFDatapath(params=params), params, {"v": v, "refrac": refrac},
                            {"i_in": i_in, "noise_in": noise})
    for name, expected in (("v_next", want.v), ("refrac_next", want.refrac),
                           ("spike", spike.astype(np.int64))):
        bad = np.flatnonzero(got[name] != expected)
        assert bad.size == 0, (f"{params}: {name} vector {bad[0]}: inputs v={v[bad[0]]} "
                               f"refrac={refrac[bad[0]]} i_in={i_in[bad[0]]} "
                               f"noise={noise[bad[0]]}; expected {expected[bad[0]]}, "
                               f"got {got[name][bad[0]]}")


@pytest.mark.parametrize("preset", list(lif.PRESETS))
def test_datapath_presets(preset, rng):
    check_datapath(lif.PRESETS[preset], rng)


@pytest.mark.parametrize("seed", range(12))
def test_datapath_random_params(seed):
    rng = np.random.default_rng(seed)
    check_datapath(random_lif_params(rng), rng, n=150)


def test_unit_with_en_and_rst_matches_engine():
    params = lif.PRESETS["q4_4_saturate"]
    stim = make_stimulus(params, 1500, seed=3)
    golden = run(params, {k: v[:, None] for k, v in stim.inputs.items()}, record=True,
                 en=stim.en, rst=stim.rst)
    got = run_unit(NeuronUnit(params=params), stim, ("spike", "v", "refrac"))
    assert golden.spikes.sum() > 20 and stim.rst[1:].any() and not stim.en.all()
    assert np.array_equal(got["spike"], golden.spikes[:, 0])
    assert np.array_equal(got["v"], golden.traces["v"][:, 0])
    assert np.array_equal(got["refrac"], golden.traces["refrac"][:, 0])


def test_golden_mutation_is_caught(rng, monkeypatch):
    """Teeth: a golden model with an off-by-one threshold no longer matches the RTL."""
    params = lif.PRESETS["sc_lif_q8_8"]
    real_step = lif.step

    def broken(p, state, i_in=0, noise_in=0):
        return real_step(dataclasses.replace(p, v_threshold=p.v_threshold + 1), state,
                         i_in, noise_in)

    monkeypatch.setattr(lif, "step", broken)
    with pytest.raises(AssertionError, match="expected"):
        check_datapath(params, rng, n=3000)


@pytest.mark.parametrize("k", [0, 1, -1, 3, 7, 240, -21, 1234, 5000, 0x55555555, -(1 << 31)])
def test_csd_digits_are_exact_and_non_adjacent(k):
    digits = csd_digits(k)
    assert sum(sign << shift for shift, sign in digits) == k
    shifts = [s for s, _ in digits]
    assert all(b - a >= 2 for a, b in zip(shifts, shifts[1:]))


def test_datapath_rejects_wrong_params():
    with pytest.raises(TypeError, match="LIFParams"):
        LIFDatapath(params=object())
