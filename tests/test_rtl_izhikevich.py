"""Izhikevich datapath (amaranth.sim) against the golden step, on random states."""

import numpy as np
import pytest
from conftest import evaluate_datapath, run_unit

from neurocore_hw.engine import run
from neurocore_hw.models import izhikevich as iz
from neurocore_hw.models.izhikevich import IzhikevichParams, IzhikevichState
from rtl_gen.izhikevich import IzhikevichDatapath

FORMATS = {"default": {}, "w12_floor": dict(width=12, frac=3, coef_frac=12, rounding="floor"),
           "w24": dict(width=24, frac=14, coef_frac=24), "w32": dict(width=32, frac=20,
                                                                     coef_frac=20)}


def vectors(p, rng, n=250):
    lo, hi = -(1 << (p.width - 1)), (1 << (p.width - 1)) - 1
    k = p.codes()
    v = np.concatenate([rng.integers(lo, hi, n, endpoint=True),
                        rng.integers(-90 << p.frac, 40 << p.frac, n),  # physiological
                        [lo, hi, 0, -1, k["VPEAK"] - 1, k["VPEAK"]]])
    u = np.concatenate([rng.integers(lo, hi, n, endpoint=True),
                        rng.integers(-20 << p.frac, 20 << p.frac, n), [lo, hi, hi, lo, 0, 0]])
    i = np.concatenate([rng.integers(lo, hi, n, endpoint=True),
                        rng.integers(-5 << p.frac, 30 << p.frac, n), [hi, lo, 0, hi, 0, 0]])
    return v, u, i


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("name", list(iz.PAPER))
def test_datapath_matches_step(name, fmt):
    p = IzhikevichParams(*iz.PAPER[name], **FORMATS[fmt])
    v, u, i = vectors(p, np.random.default_rng(len(name) + len(fmt)))
    want, spike = iz.step(p, IzhikevichState(v, u), i)
    got = evaluate_datapath(IzhikevichDatapath(params=p), p, {"v": v, "u": u}, {"i_in": i})
    assert spike.any() and not spike.all()
    for signal, expected in (("v_next", want.v), ("u_next", want.u),
                             ("spike", spike.astype(np.int64))):
        bad = np.flatnonzero(got[signal] != expected)
        assert bad.size == 0, (f"{signal}[{bad[0]}]: v={v[bad[0]]} u={u[bad[0]]} "
                               f"i={i[bad[0]]} expected {expected[bad[0]]}, "
                               f"got {got[signal][bad[0]]}")


def test_datapath_rejects_per_neuron_params():
    with pytest.raises(ValueError, match="scalar a, b, c, d"):
        IzhikevichDatapath(params=iz.mixed(["rs", "fs"], 2))
    with pytest.raises(TypeError, match="IzhikevichParams"):
        IzhikevichDatapath(params=object())


def test_golden_mutation_is_caught(monkeypatch):
    """Teeth: the 70 mV (140 * 0.5) constant off by one LSB in the golden model."""
    p = iz.PRESETS["rs"]
    real_codes = IzhikevichParams.codes

    def broken(self):
        codes = real_codes(self)
        codes["K140"] += 1
        return codes

    v, u, i = vectors(p, np.random.default_rng(1), n=50)
    got = evaluate_datapath(IzhikevichDatapath(params=p), p, {"v": v, "u": u}, {"i_in": i})
    monkeypatch.setattr(IzhikevichParams, "codes", broken)
    want, _ = iz.step(p, IzhikevichState(v, u), i)
    assert (got["v_next"] != want.v).sum() > 10


def test_two_cycle_unit_matches_its_schedule_model():
    """amaranth.sim: the two-cycle unit equals run_two_cycle on every clock."""
    from neurocore_hw.stimulus import make_stimulus
    from rtl_gen.izhikevich import IzhikevichTwoCycleUnit

    p = iz.PRESETS["ch"]
    stim = make_stimulus(p, 1200, seed=4)
    want = iz.run_two_cycle(p, stim.inputs["i_in"], en=stim.en, rst=stim.rst)
    got = run_unit(IzhikevichTwoCycleUnit(params=p), stim, ("spike", "v", "u"))
    assert want["spike"].sum() > 20
    for name in got:
        assert np.array_equal(got[name], want[name]), name


def test_two_cycle_schedule_equals_engine_every_second_clock():
    p = iz.PRESETS["fs"]
    i = np.random.default_rng(2).integers(-5 << p.frac, 25 << p.frac, 600)
    twice = np.repeat(i[::2], 2)  # the unit latches i_in on the first clock of a step
    out = iz.run_two_cycle(p, twice, en=np.ones(600, bool), rst=np.zeros(600, bool))
    golden = run(p, {"i_in": i[::2, None]}, record=True)
    assert np.array_equal(out["v"][1::2], golden.traces["v"][:, 0])
    assert np.array_equal(out["u"][1::2], golden.traces["u"][:, 0])
    assert np.array_equal(out["spike"][1::2], golden.spikes[:, 0]) and golden.spikes.any()
    assert not out["spike"][0::2].any()
