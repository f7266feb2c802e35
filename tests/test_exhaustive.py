"""Exhaustive equivalence at narrow formats: every combination of state register values
and inputs through the datapath (amaranth.sim and its Verilog under Verilator) against
the golden step -- equivalence at that format, not a sample."""

import dataclasses

import numpy as np
import pytest
from conftest import BUILD_ROOT, evaluate_datapath

from neurocore_hw.registry import MODELS
from rtl_gen.unit import datapath_for
from rtl_gen.verify.exhaustive import (
    _boundaries,
    _classes,
    _golden,
    _limits,
    all_vectors,
    datapath_top,
    run_exhaustive,
    run_sampled,
    sampled_vectors,
)
from rtl_gen.verify.mutation import apply_mutant, find_mutants

#: Per model a format narrow enough to enumerate (the rest: see docs/verification.md).
NARROW = {
    "lif": dict(width=4, frac=1, v_rest=0, v_reset=-2, v_threshold=5, leak_k=1, gain_k=3,
                refractory=1),
    "if": dict(width=5, frac=1, v_threshold=9, v_reset=-3),
    "li": dict(width=5, frac=2, leak_k=3, gain_k=5),
    "psu_lif": dict(width=5, frac=2, v_threshold=9, leak_k=3, gain_k=5),
    "alif": dict(width=4, frac=1, v_threshold=5, leak_k=1, adapt_k=1, beta_k=1, jump=2,
                 gain_k=3),
    "shift_lif": dict(width=5, frac=2, dash_syn=1, dash_mem=2, v_threshold=9),
    "homeostatic_lif": dict(width=4, frac=1, leak_k=1, gain_k=3, v_reset=-2, th_init=3,
                            th_min=1, th_max=7, rate_frac=4, rate_shift=1, target=3,
                            eta_shift=1),
    "xylo": dict(width=4, frac=0, dash_syn=1, dash_mem=0, v_threshold=2, bias=-1,
                 max_spikes=3),
    "exp_lif": dict(width=5, frac=2, v_th=4, delta_k=2, delta_inv_k=8, mem_k=1, syn_k=1,
                    exp_table_bits=2, exp_mant_frac=6),
    "adex": dict(width=4, frac=2, v_th=4, delta_k=4, delta_inv_k=4, mem_k=1, syn_k=1,
                 coupling_k=3, ada_k=1, jump=2, exp_table_bits=2, exp_mant_frac=6),
    "coba_lif": dict(width=5, frac=1, g_width=3, g_frac=3, v_rest=-2, v_reset=-6, v_th=3,
                     e_exc=12, e_inh=-14, gl_k=2, cm_k=4, syn_e_k=1, syn_i_k=2),
    "frac_lif": dict(width=4, frac=1, coef_frac=4, alpha_k=11, history=3, leak_k=2,
                     gain_k=21, v_th=3, v_reset=-2),
    "sc_sng": dict(),
    "sc_decoder": dict(log2_length=3),
}


def narrow(name):
    base = MODELS[name].presets[MODELS[name].default_preset]
    return dataclasses.replace(base, **NARROW[name])


@pytest.mark.parametrize("name", sorted(NARROW))
def test_datapath_equals_step_on_every_vector(name):
    """amaranth.sim and Verilator: spike and every next state equal the golden step for
    every state and input combination of the narrow format."""
    params = narrow(name)
    vectors = all_vectors(params)
    expected = _golden(params, vectors)
    got = evaluate_datapath(datapath_for(params), params,
                            {k[3:]: v for k, v in vectors.items() if k.startswith("st_")},
                            {k: v for k, v in vectors.items() if not k.startswith("st_")})
    for signal, want in expected.items():
        key = "spike" if signal == "spike" else f"{signal}_next"
        bad = np.flatnonzero(got[key] != want)
        assert bad.size == 0, f"amaranth.sim {signal} wrong at vector {bad[:5]}"
    result = run_exhaustive(params, build_root=BUILD_ROOT)
    assert result.passed, result.first_mismatch
    assert result.vectors == 1 << result.bits == len(expected["spike"])
    assert result.bits >= 10


def test_exhaustive_check_has_teeth():
    """A datapath one leak step off (leak_k 2 instead of 1) fails on some vector, and a
    format too wide to enumerate is refused naming its size."""
    params = narrow("lif")
    wrong = datapath_top(dataclasses.replace(params, leak_k=2))
    result = run_exhaustive(params, build_root=BUILD_ROOT, verilog_text=wrong)
    assert not result.passed and result.mismatches > 0
    with pytest.raises(ValueError, match=r"izhikevich: 2\^48 combinations"):
        all_vectors(MODELS["izhikevich"].presets["rs"])


@pytest.mark.parametrize("name", sorted(MODELS))
def test_datapath_equals_step_at_every_kind_of_state(name):
    """At the default preset's format: 131,072 random, small, corner and boundary
    (state, input) vectors -- any state, not only those reachable from reset, since the
    core's bus writes any state word -- through the datapath's Verilog equal the golden
    step."""
    params = MODELS[name].presets[MODELS[name].default_preset]
    result = run_sampled(params, build_root=BUILD_ROOT)
    assert result.passed, result.first_mismatch
    assert result.vectors == 1 << 17


def test_sampled_vectors_hold_corners_and_boundaries():
    """The sample is reproducible, has exactly ``count`` vectors inside every port's range,
    every corner of every port, and boundary pairs: adjacent codes of one port across
    which the golden class changes."""
    params = MODELS["cuba_lif"].presets["loihi"]
    a, b = sampled_vectors(params, 4096, seed=5), sampled_vectors(params, 4096, seed=5)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["a_in"], sampled_vectors(params, 4096, seed=6)["a_in"])
    ports = {f"st_{s.name}": s for s in params.state_ports()}
    ports.update({p.name: p for p in params.input_ports()})
    for name, port in ports.items():
        lo, hi = _limits(port)
        assert len(a[name]) == 4096 and lo <= a[name].min() and a[name].max() <= hi
        assert {lo, lo + 1, -1, 0, 1, hi - 1, hi} <= set(a[name].tolist())
    pairs = _boundaries(params, 1024, np.random.default_rng(5))
    assert 300 <= len(pairs["a_in"]) <= 1024
    cls = _classes(params, pairs)
    first, second = slice(0, None, 2), slice(1, None, 2)
    assert np.all(cls[first] != cls[second])
    steps = sum(np.abs(pairs[k][second] - pairs[k][first]) for k in pairs)
    assert np.all(steps == 1)  # one port, one code apart


@pytest.mark.cosim
def test_sampled_check_catches_a_compare_one_code_off():
    """cuba_lif (loihi): the current's wrap compare ``u_sum > 2^23`` made ``>=`` differs
    from the golden step only when the sum is exactly 2^23; the boundary vectors find it."""
    params = MODELS["cuba_lif"].presets["loihi"]
    text = datapath_top(params)
    (mutant,) = [m for m in find_mutants(text) if m.operator == "relation"
                 and m.original.strip() == "$signed(u_sum) > $signed(25'h0800000)"]
    result = run_sampled(params, build_root=BUILD_ROOT,
                         verilog_text=apply_mutant(text, mutant))
    assert not result.passed and result.mismatches > 0
