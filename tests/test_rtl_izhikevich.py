"""Izhikevich datapath (amaranth.sim) against the golden step, on random states."""

import numpy as np
import pytest
from conftest import evaluate_datapath, run_unit

from neurocore_hw.engine import run
from neurocore_hw.models import izhikevich as iz
from neurocore_hw.models.izhikevich import IzhikevichParams, IzhikevichState
from rtl_gen.izhikevich import IzhikevichDatapath, run_multicycle, run_two_cycle

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
    want = run_two_cycle(p, stim.inputs["i_in"], en=stim.en, rst=stim.rst)
    got = run_unit(IzhikevichTwoCycleUnit(params=p), stim, ("spike", "v", "u"))
    assert want["spike"].sum() > 20
    for name in got:
        assert np.array_equal(got[name], want[name]), name


def test_two_cycle_schedule_equals_engine_every_second_clock():
    p = iz.PRESETS["fs"]
    i = np.random.default_rng(2).integers(-5 << p.frac, 25 << p.frac, 600)
    twice = np.repeat(i[::2], 2)  # the unit latches i_in on the first clock of a step
    out = run_two_cycle(p, twice, en=np.ones(600, bool), rst=np.zeros(600, bool))
    golden = run(p, {"i_in": i[::2, None]}, record=True)
    assert np.array_equal(out["v"][1::2], golden.traces["v"][:, 0])
    assert np.array_equal(out["u"][1::2], golden.traces["u"][:, 0])
    assert np.array_equal(out["spike"][1::2], golden.spikes[:, 0]) and golden.spikes.any()
    assert not out["spike"][0::2].any()


@pytest.mark.parametrize("name, fmt, levels", [("rs", "default", 2), ("fs", "default", 1),
                                               ("ch", "w12_floor", 3), ("lts", "w24", 2)])
def test_pipelined_unit_matches_its_schedule_model(name, fmt, levels):
    """amaranth.sim: the pipelined unit equals run_multicycle on every clock, incl. the
    saturation corners of the full-range stimulus, resets and enable gaps."""
    from neurocore_hw.stimulus import make_stimulus
    from rtl_gen.izhikevich import IzhikevichPipelinedUnit

    p = IzhikevichParams(*iz.PAPER[name], **FORMATS[fmt])
    cycles = IzhikevichPipelinedUnit.cycles_per_step(p, levels)
    stim = make_stimulus(p, 400 * cycles, seed=5)
    want = run_multicycle(p, stim.inputs["i_in"], en=stim.en, rst=stim.rst, cycles=cycles)
    got = run_unit(IzhikevichPipelinedUnit(params=p, levels=levels), stim,
                   ("spike", "v", "u", "busy"))
    assert want["spike"].sum() > 10
    for signal in ("spike", "v", "u"):
        bad = np.flatnonzero(got[signal] != want[signal])
        assert bad.size == 0, f"{signal} clock {bad[0]}: {want[signal][bad[0]]} != " \
                              f"{got[signal][bad[0]]}"


def test_pipeline_depth_follows_levels():
    from rtl_gen.izhikevich import IzhikevichPipelinedUnit

    p = iz.PRESETS["rs"]
    stages = [IzhikevichPipelinedUnit.half_step_stages(p, n) for n in (1, 2, 3, 6)]
    assert stages == sorted(stages, reverse=True) and stages[0] > stages[-1] >= 1
    assert IzhikevichPipelinedUnit.cycles_per_step(p) == 2 * stages[1] + 3
    with pytest.raises(ValueError, match="levels"):
        IzhikevichPipelinedUnit(params=p, levels=0)


def test_multicycle_schedule_equals_engine_at_every_completed_step():
    p = iz.PRESETS["fs"]
    cycles = 9
    i = np.random.default_rng(3).integers(-5 << p.frac, 25 << p.frac, 200)
    held = np.repeat(i, cycles)  # latched on the first clock of each step
    out = run_multicycle(p, held, en=np.ones(held.size, bool),
                            rst=np.zeros(held.size, bool), cycles=cycles)
    golden = run(p, {"i_in": i[:, None]}, record=True)
    done = slice(cycles - 1, None, cycles)
    assert np.array_equal(out["v"][done], golden.traces["v"][:, 0])
    assert np.array_equal(out["u"][done], golden.traces["u"][:, 0])
    assert np.array_equal(out["spike"][done], golden.spikes[:, 0]) and golden.spikes.any()
    assert out["spike"].sum() == golden.spikes.sum()
    with pytest.raises(ValueError, match="cycles"):
        run_multicycle(p, held, en=held > 0, rst=held < 0, cycles=1)


@pytest.mark.parametrize("fault", ["captures_one_clock_early", "model_one_clock_short"])
def test_pipelined_check_has_teeth(monkeypatch, fault):
    """A unit that reads its half-step one clock before the data arrives (compared with the
    model at the unit's own clocks per step), or a model one clock short, fails.

    (The half-step's sources are held for the whole half-step, so a missing alignment
    register inside the pipeline is functionally harmless; reading early is the failure.)
    """
    from dataclasses import replace

    from neurocore_hw.stimulus import make_stimulus
    from rtl_gen import izhikevich as rtl

    p = iz.PRESETS["rs"]
    if fault == "captures_one_clock_early":
        real = rtl.half_step_pipelined

        def early(*args):
            return tuple(replace(x, stage=x.stage - 1) for x in real(*args))

        monkeypatch.setattr(rtl, "half_step_pipelined", early)
    cycles = rtl.IzhikevichPipelinedUnit.cycles_per_step(p)
    stim = make_stimulus(p, 200 * cycles, seed=6)
    if fault == "model_one_clock_short":
        cycles -= 1
    want = run_multicycle(p, stim.inputs["i_in"], en=stim.en, rst=stim.rst, cycles=cycles)
    got = run_unit(rtl.IzhikevichPipelinedUnit(params=p), stim, ("spike", "v", "u"))
    assert not all(np.array_equal(got[s], want[s]) for s in ("spike", "v", "u"))
