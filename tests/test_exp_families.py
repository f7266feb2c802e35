"""The exponential families, ExpIF (``exp_lif``) and AdEx (``adex``): each golden step
against an independent Python-int transcription, the exponential's input clip proven
exact, every membrane code through the datapath's Verilog (both ends of the exponential:
zero, clipped and
saturated), each preset bit-exact under Verilator for 20,000 cycles with its
saturations exercised, and the float reference against the fixed point."""

import dataclasses
import functools
import math

import numpy as np
import pytest
from conftest import BUILD_ROOT

from neurocore_hw.engine import run
from neurocore_hw.fidelity import match_spikes
from neurocore_hw.fixed import int_range
from neurocore_hw.fixed_exp import ExpParams, fixed_exp
from neurocore_hw.models.exp_lif import exp_params, exp_x_width
from neurocore_hw.registry import MODELS
from neurocore_hw.stimulus import make_stimulus

FAMILIES = ("exp_lif", "adex")
CASES = [(f, preset) for f in FAMILIES for preset in MODELS[f].presets]


def _sat(x, w):
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    return max(lo, min(hi, x))


def _rs(x, s, rounding):
    return (x + (1 << (s - 1))) >> s if rounding == "nearest" else x >> s


@functools.cache
def _exp_code(p, x):
    """The exponential of one unclipped argument code, through a 24-bit-input exp (the
    transcription does not clip: clipping must not matter)."""
    wide = dataclasses.replace(exp_params(p), in_width=24)
    return int(fixed_exp(wide, [max(-(1 << 23), min((1 << 23) - 1, x))])[0])


def transcribe(p, v, i, i_in, a=None, bound=True):
    """One step in Python ints (``bound=False``: no saturation of v, i_j, a)."""
    f, r, w = p.frac, p.rounding, p.width
    sat = (lambda x: _sat(x, w)) if bound else (lambda x: x)
    i_j = sat(i + i_in)
    x = _rs((v - p.v_th) * p.delta_inv_k, f, r)
    e = _rs(_exp_code(p, x) * p.delta_k, f, r)
    drive = (p.v_leak - v) + e + i_j - (a or 0)
    v1 = sat(v + _rs(drive * p.mem_k, f, r))
    spike = v1 > p.v_th
    out = [p.v_reset if spike else v1, i_j - _rs(i_j * p.syn_k, f, r)]
    if a is not None:
        target = _rs(p.coupling_k * (v - p.v_leak), f, r)
        out.append(sat(a + _rs((target - a) * p.ada_k, f, r) + (p.jump if spike else 0)))
    return tuple(out), spike


def _vectors(p, rng, n=400):
    def draw(width):
        lo, hi = int_range(width)
        return np.concatenate([rng.integers(lo, hi, n, endpoint=True),
                               rng.integers(lo // 16, hi // 16 + 1, n),
                               rng.choice([lo, lo + 1, -1, 0, 1, hi - 1, hi], 60)])
    return {s.name: draw(s.width) for s in p.state_ports()}, draw(p.width)


@pytest.mark.parametrize("family, preset", CASES)
def test_step_equals_transcription(family, preset):
    entry = MODELS[family]
    p = entry.presets[preset]
    states, i_in = _vectors(p, np.random.default_rng(21))
    new, spike = entry.step(p, entry.state_cls(**states), i_in=i_in)
    names = [s.name for s in p.state_ports()]
    for k in range(len(spike)):
        st = [int(states[n][k]) for n in names]
        want = transcribe(p, *st[:2], int(i_in[k]), *st[2:])
        got = (tuple(int(getattr(new, n)[k]) for n in names), bool(spike[k]))
        assert got == want, (k, st, int(i_in[k]))
    assert spike.any() and not spike.all()


@pytest.mark.parametrize("family, preset", CASES)
def test_exp_input_clip_is_exact(family, preset):
    """Every argument code of a 24-bit exponential, clipped to the derived ``x_width``,
    gives the same output: the clip loses nothing. One bit narrower does lose."""
    p = MODELS[family].presets[preset]
    ep = exp_params(p)
    wide = dataclasses.replace(ep, in_width=ep.in_width + 6)
    codes = np.arange(-(1 << (wide.in_width - 1)), 1 << (wide.in_width - 1))
    lo, hi = int_range(ep.in_width)
    assert np.array_equal(fixed_exp(wide, codes), fixed_exp(ep, np.clip(codes, lo, hi)))
    assert fixed_exp(ep, [lo])[0] == 0 and fixed_exp(ep, [hi])[0] == (1 << p.width) - 1
    short = dataclasses.replace(ep, in_width=ep.in_width - 1)
    lo, hi = int_range(short.in_width)
    assert not np.array_equal(fixed_exp(wide, codes), fixed_exp(short, np.clip(codes, lo, hi)))


def test_exp_width_formula():
    """``x_width`` covers ``[-(frac+2) ln 2, (width-frac+1) ln 2]`` and not much more."""
    for w in range(4, 25):
        for f in range(2, w - 1):
            reach = (1 << (exp_x_width(w, f) - 1 - f))
            assert reach >= max(f + 2, w - f + 1) * math.log(2)
            assert reach < 2 * max(f + 2, w - f + 1) * math.log(2) or reach == 2


def _every_membrane_code(p, rng):
    lo, hi = int_range(p.width)
    v = np.arange(lo, hi + 1)
    vectors = {"st_v": v, "st_i": rng.integers(lo, hi, len(v), endpoint=True),
               "i_in": rng.integers(lo // 8, hi // 8, len(v), endpoint=True)}
    if "a" in [s.name for s in p.state_ports()]:
        vectors["st_a"] = rng.integers(lo // 4, hi // 4, len(v), endpoint=True)
    return vectors


@pytest.mark.cosim
@pytest.mark.parametrize("family", FAMILIES)
def test_every_membrane_code_through_the_verilog(family):
    """Every ``v`` code (with random current, input and adaptation) through the datapath
    under Verilator equals the golden step; among them the exponential is 0, clipped at
    the low end of its input, and saturated. Held against a golden model whose
    exponential is a table instead of the interpolated one, the same Verilog fails."""
    from rtl_gen.verify.exhaustive import datapath_top, run_vectors

    p = MODELS[family].presets["norse"]
    vectors = _every_membrane_code(p, np.random.default_rng(3))
    x = (vectors["st_v"] - p.v_th) * p.delta_inv_k >> p.frac
    lo, hi = int_range(exp_x_width(p.width, p.frac))
    y = fixed_exp(exp_params(p), np.clip(x, lo, hi))
    assert (x < lo).sum() > 100 and (x > 0).sum() > 100
    assert (y == 0).sum() > 100 and (y == (1 << p.width) - 1).sum() > 100
    mismatches, first, _ = run_vectors(p, vectors, build_root=BUILD_ROOT)
    assert mismatches == 0, first
    other = dataclasses.replace(p, exp_method="table")  # the same Verilog (cached build)
    mismatches, _, _ = run_vectors(other, vectors, build_root=BUILD_ROOT,
                                   verilog_text=datapath_top(p))
    assert mismatches > 0


def coverage(family, p, stim, golden):
    """Spikes, steps where a saturation was active (the input jump, the membrane or the
    adaptation outside the register before its clip) and steps where the exponential's
    argument fell below its input range -- vectorized over the run, in numpy ints."""
    names = [s.name for s in p.state_ports()]
    init = MODELS[family].initial_state(p, 1)
    prev = {n: np.concatenate([getattr(init, n), golden.traces[n][:-1, 0]]) for n in names}
    live = stim.en & ~stim.rst
    f, r = p.frac, p.rounding
    lo, hi = int_range(p.width)
    v, i, x = prev["v"], prev["i"], stim.inputs["i_in"].astype(np.int64)
    a = prev.get("a", np.zeros_like(v))
    i_raw = i + x
    i_j = np.clip(i_raw, lo, hi)
    arg = _rs((v - p.v_th) * p.delta_inv_k, f, r)
    wide = dataclasses.replace(exp_params(p), in_width=24)
    e = _rs(fixed_exp(wide, np.clip(arg, -(1 << 23), (1 << 23) - 1)) * p.delta_k, f, r)
    v_raw = v + _rs(((p.v_leak - v) + e + i_j - a) * p.mem_k, f, r)
    active = (i_raw < lo) | (i_raw > hi) | (v_raw < lo) | (v_raw > hi)
    if "a" in prev:
        target = _rs(p.coupling_k * (v - p.v_leak), f, r)
        a_raw = a + _rs((target - a) * p.ada_k, f, r) + np.where(v_raw > p.v_th, p.jump, 0)
        active |= (a_raw < lo) | (a_raw > hi)
    clipped = arg < -(1 << (exp_x_width(p.width, f) - 1))
    return int(golden.spikes.sum()), int((active & live).sum()), int((clipped & live).sum())


@pytest.mark.cosim
@pytest.mark.parametrize("family, preset", CASES)
def test_cosim_bit_exact(family, preset):
    from rtl_gen.verify.unit import run_cosim

    p, cycles, seed = MODELS[family].presets[preset], 20_000, 6000 + len(family + preset)
    stim = make_stimulus(p, cycles, seed)
    golden = run(p, {"i_in": stim.inputs["i_in"][:, None]}, record=True, en=stim.en,
                 rst=stim.rst)
    spikes, events, clipped = coverage(family, p, stim, golden)
    # the exponential's input clip is rare from reset (v within 16 Delta_T of the bottom
    # rail); test_every_membrane_code_through_the_verilog drives it on purpose
    assert spikes >= 500 and events >= 20, (spikes, events, clipped)
    result = run_cosim(p, preset=preset, cycles=cycles, seed=seed, build_root=BUILD_ROOT,
                       golden=golden, mode="bulk")
    assert result.passed and result.cycles == cycles, result.first_mismatch


@pytest.mark.parametrize("family", FAMILIES)
def test_fixed_point_follows_the_float_reference(family):
    """At the ``norse`` preset, the fixed point fires within one step of the float
    reference (quantized constants read as reals) for >= 99 % of its spikes over a sweep
    of constant currents; a 16-entry table without interpolation (4.4 % error) agrees
    less well."""
    entry = MODELS[family]
    p = entry.presets["norse"]
    current = np.broadcast_to(np.linspace(0.22, 0.6, 16), (1000, 16))
    codes = np.round(current * (1 << p.frac)).astype(np.int64)
    ref = entry.reference(p, current)[0]
    good = match_spikes(ref, run(p, {"i_in": codes}).spikes)["matched_fraction"]
    assert good >= 0.99, good
    coarse = dataclasses.replace(p, exp_method="table")
    worse = match_spikes(ref, run(coarse, {"i_in": codes}).spikes)["matched_fraction"]
    assert worse < good


def test_exp_params_are_the_primitives():
    """The family's exponential is the fixed_exp primitive at Q(x_width, frac) ->
    Q(width, frac), with the family's method, table and mantissa."""
    p = MODELS["adex"].presets["bursting"]
    assert exp_params(p) == ExpParams(in_width=exp_x_width(16, 12), in_frac=12, out_width=16,
                                      out_frac=12, method="table", table_bits=6,
                                      mant_frac=16)


@pytest.mark.parametrize("family, bad, match", [
    ("exp_lif", "delta_k=0", "delta_k"), ("exp_lif", "mem_k=5000", "mem_k"),
    ("exp_lif", "exp_method=taylor", "exp_method"), ("exp_lif", "width=30", "width"),
    ("adex", "ada_k=-1", "ada_k"), ("adex", "exp_table_bits=13", "exp_table_bits"),
])
def test_bad_params_one_line_exit_2(family, bad, match, capsys):
    from neurocore_hw.cli import main

    assert main(["describe", family, "--param", bad]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and match in err
