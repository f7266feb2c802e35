"""The conductance-based LIF (``coba_lif``, Norse's CobaLIF): the golden step against an
independent Python-int transcription, each preset bit-exact under Verilator for 20,000
cycles with conductance saturation exercised, the products' widths at the extremes, and
the fixed point against the float reference. (The products' DSP mapping is measured by
``neurocore-hw synth coba_lif --target all``, docs/models/coba_lif.md.)"""

import dataclasses

import numpy as np
import pytest
from conftest import BUILD_ROOT, evaluate_datapath

from neurocore_hw.engine import run
from neurocore_hw.fidelity import match_spikes
from neurocore_hw.fixed import int_range
from neurocore_hw.models import coba_lif
from neurocore_hw.stimulus import make_stimulus
from rtl_gen.unit import datapath_for

PRESETS = list(coba_lif.PRESETS)


def transcribe(p, v, g_e, g_i, x, bound=True):
    """One step in Python ints (``bound=False``: nothing saturates)."""
    def rs(y, s):
        return (y + (1 << (s - 1))) >> s if p.rounding == "nearest" else y >> s

    top = (1 << p.g_width) - 1 if bound else 1 << 62

    def cond(g, inc, k):
        g = min(g + inc, top)
        return g - rs(g * k, p.g_frac)

    g_e, g_i = cond(g_e, max(x, 0), p.syn_e_k), cond(g_i, max(-x, 0), p.syn_i_k)
    c = p.gl_k * (p.v_rest - v) + g_e * (p.e_exc - v) + g_i * (p.e_inh - v)
    v1 = v + rs(c * p.cm_k, 2 * p.g_frac)
    if bound:
        v1 = max(-(1 << (p.width - 1)), min((1 << (p.width - 1)) - 1, v1))
    spike = v1 > p.v_th
    return (p.v_reset if spike else v1, g_e, g_i), spike


def _vectors(p, rng, n=500):
    def draw(width, signed):
        lo, hi = int_range(width, signed)
        corners = [lo, lo + 1, 0, 1, hi - 1, hi] + ([-1] if signed else [])
        return np.concatenate([rng.integers(lo, hi, n, endpoint=True),
                               rng.integers(max(lo, -hi // 32), hi // 32 + 1, n),
                               rng.choice(corners, 80)])
    st = {"v": draw(p.width, True), "g_e": draw(p.g_width, False),
          "g_i": draw(p.g_width, False)}
    return st, draw(p.g_width, True)


@pytest.mark.parametrize("preset", PRESETS)
def test_step_equals_transcription(preset):
    p = coba_lif.PRESETS[preset]
    st, x = _vectors(p, np.random.default_rng(31))
    new, spike = coba_lif.step(p, coba_lif.CobaLIFState(**st), i_in=x)
    for k in range(len(x)):
        args = (int(st["v"][k]), int(st["g_e"][k]), int(st["g_i"][k]), int(x[k]))
        got = ((int(new.v[k]), int(new.g_e[k]), int(new.g_i[k])), bool(spike[k]))
        assert got == transcribe(p, *args), args
    assert spike.any() and not spike.all()


def test_extreme_products_in_amaranth_sim():
    """Every combination of extreme v, g_e, g_i and input through the datapath in
    amaranth.sim equals the step: the products and the current's width hold at the
    corners (a current one bit too narrow would wrap here)."""
    p = coba_lif.PRESETS["norse"]
    vs = np.array([-(1 << 15), -(1 << 15) + 1, -1, 0, 1, (1 << 15) - 1])
    gs = np.array([0, 1, (1 << 16) - 2, (1 << 16) - 1])
    xs = np.array([-(1 << 15), -1, 0, 1, (1 << 15) - 1])
    grid = np.array(np.meshgrid(vs, gs, gs, xs, indexing="ij")).reshape(4, -1)
    st = {"v": grid[0], "g_e": grid[1], "g_i": grid[2]}
    got = evaluate_datapath(datapath_for(p), p, st, {"i_in": grid[3]})
    new, spike = coba_lif.step(p, coba_lif.CobaLIFState(**st), i_in=grid[3])
    assert np.array_equal(got["spike"], spike)
    for name in ("v", "g_e", "g_i"):
        assert np.array_equal(got[f"{name}_next"], getattr(new, name)), name
    v, ge, gi = (x.astype(object) for x in grid[:3])  # Python ints: the current unrounded
    c = p.gl_k * (p.v_rest - v) + ge * (p.e_exc - v) + gi * (p.e_inh - v)
    assert max(abs(int(x)) for x in c) >= 1 << (p.g_width + p.width)


def coverage(p, stim, golden):
    """Spikes, and steps where a saturation mattered (conductance top or membrane)."""
    names = ("v", "g_e", "g_i")
    init = coba_lif.MODEL.initial_state(p, 1)
    prev = {n: np.concatenate([getattr(init, n), golden.traces[n][:-1, 0]]) for n in names}
    events = 0
    for c in np.flatnonzero(stim.en & ~stim.rst):
        args = (*(int(prev[n][c]) for n in names), int(stim.inputs["i_in"][c]))
        events += transcribe(p, *args) != transcribe(p, *args, bound=False)
    return int(golden.spikes.sum()), events


@pytest.mark.cosim
@pytest.mark.parametrize("preset", PRESETS)
def test_cosim_bit_exact(preset):
    from rtl_gen.verify.unit import run_cosim

    p, cycles, seed = coba_lif.PRESETS[preset], 20_000, 7000 + len(preset)
    stim = make_stimulus(p, cycles, seed)
    golden = run(p, {"i_in": stim.inputs["i_in"][:, None]}, record=True, en=stim.en,
                 rst=stim.rst)
    spikes, events = coverage(p, stim, golden)
    assert spikes >= 500 and events >= 20, (spikes, events)
    assert (golden.traces["g_e"] == (1 << p.g_width) - 1).sum() == 0  # decays below top
    result = run_cosim(p, preset=preset, cycles=cycles, seed=seed, build_root=BUILD_ROOT,
                       golden=golden, mode="bulk")
    assert result.passed and result.cycles == cycles, result.first_mismatch


def test_fixed_point_follows_the_float_reference():
    """At the ``norse`` preset the fixed point matches >= 95 % of the float reference's
    spikes (quantized constants read as reals) within one step over a sweep of constant
    excitatory inputs; at Q12.4 with Q12.12 conductances (the conductances' resolution
    is what counts), fewer."""
    p = coba_lif.PRESETS["norse"]
    current = np.broadcast_to(np.linspace(0.001, 0.004, 16), (2000, 16))

    def agreement(params):
        codes = np.round(current * (1 << params.g_frac)).astype(np.int64)
        ref = coba_lif.reference(params, codes / (1 << params.g_frac))[0]
        return match_spikes(ref, run(params, {"i_in": codes}).spikes)["matched_fraction"]

    good = agreement(p)
    assert good >= 0.95, good
    coarse = dataclasses.replace(coba_lif.PRESETS["q12_4"])
    assert agreement(coarse) < good
