"""Bit-exact Verilator co-simulation of the Izhikevich unit (>= 50,000 cycles per set)."""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import BUILD_ROOT

from neurocore_hw.engine import run
from neurocore_hw.models import izhikevich as iz
from neurocore_hw.models.izhikevich import IzhikevichParams
from neurocore_hw.stimulus import make_stimulus
from rtl_gen import izhikevich as rtl_iz
from rtl_gen.izhikevich import run_two_cycle
from rtl_gen.verify.unit import run_cosim

pytestmark = pytest.mark.cosim

CASES = {
    "rs": iz.PRESETS["rs"],
    "fs": iz.PRESETS["fs"],
    "ch_w24_floor": IzhikevichParams(*iz.PAPER["ch"], width=24, frac=14, coef_frac=24,
                                     rounding="floor"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bit_exact(name):
    params, cycles, seed = CASES[name], 50_000, 2000 + list(CASES).index(name)
    stim = make_stimulus(params, cycles, seed)
    golden = run(params, {"i_in": stim.inputs["i_in"][:, None]}, record=True,
                 en=stim.en, rst=stim.rst)
    lo, hi = -(1 << (params.width - 1)), (1 << (params.width - 1)) - 1
    # coverage: firing, gaps, resets, and saturation inside the first half-step (the
    # state before each cycle through the half-step with and without saturation)
    assert golden.spikes.sum() >= 500 and (~stim.en).sum() >= 100 and stim.rst.sum() >= 3
    init = iz.initial_state(params, 1)
    v0 = np.concatenate([init.v, golden.traces["v"][:-1, 0]])
    u0 = np.concatenate([init.u, golden.traces["u"][:-1, 0]])
    k = params.codes()
    wide = SimpleNamespace(frac=params.frac, coef_frac=params.coef_frac,
                           rounding=params.rounding, width=62)
    sat_v, sat_u = iz._half_step(params, k, v0, u0, stim.inputs["i_in"])
    raw_v, raw_u = iz._half_step(wide, k, v0, u0, stim.inputs["i_in"])
    assert (sat_v != raw_v).sum() >= 20, "v never saturated"
    result = run_cosim(params, preset=name, cycles=cycles, seed=seed, build_root=BUILD_ROOT,
                       golden=golden, mode="bulk")
    assert result.passed and result.cycles == cycles, result.first_mismatch
    assert np.isin(stim.inputs["i_in"], (lo, hi)).sum() >= 100


def test_two_cycle_variant_bit_exact():
    """The two-cycle unit against its cycle-level model (built from the golden half-step)."""
    params, cycles, seed = iz.PRESETS["rs"], 50_000, 2100
    stim = make_stimulus(params, cycles, seed)
    expected = run_two_cycle(params, stim.inputs["i_in"], en=stim.en, rst=stim.rst)
    assert expected["spike"].sum() >= 500
    result = run_cosim(params, preset="rs", cycles=cycles, seed=seed, build_root=BUILD_ROOT,
                       variant="two_cycle", mode="bulk")
    assert result.passed and result.cycles == cycles, result.first_mismatch


def test_two_cycle_bench_has_teeth(monkeypatch):
    """Expected values one clock late (same Verilog, cached build) must fail the bench."""
    real = run_two_cycle

    def late(*args, **kwargs):
        return {k: np.concatenate([v[:1], v[:-1]]) for k, v in real(*args, **kwargs).items()}

    two = rtl_iz.HARDWARE.variants["two_cycle"]
    monkeypatch.setattr(rtl_iz, "HARDWARE", dataclasses.replace(
        rtl_iz.HARDWARE, variants={"two_cycle": dataclasses.replace(two, cycle_model=late)}))
    result = run_cosim(iz.PRESETS["rs"], preset="rs", cycles=5_000, seed=2100,
                       build_root=BUILD_ROOT, variant="two_cycle")
    assert not result.passed and result.mismatches > 100


@pytest.mark.parametrize("name", ["rs", "ch_w24_floor"])
def test_pipelined_variant_bit_exact(name):
    """The pipelined unit (Fmax variant) against run_multicycle at its clocks per step."""
    from rtl_gen.izhikevich import IzhikevichPipelinedUnit, run_pipelined

    params, cycles, seed = CASES[name], 50_000, 2200 + len(name)
    stim = make_stimulus(params, cycles, seed)
    expected = run_pipelined(params, stim.inputs["i_in"], en=stim.en, rst=stim.rst)
    per_step = IzhikevichPipelinedUnit.cycles_per_step(params)
    assert expected["spike"].sum() >= 50_000 // per_step // 20
    result = run_cosim(params, preset=name, cycles=cycles, seed=seed, build_root=BUILD_ROOT,
                       variant="pipelined", mode="bulk")
    assert result.passed and result.cycles == cycles, result.first_mismatch
