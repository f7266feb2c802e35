"""The model contract, checked for every registered model, preset and hardware variant.

A model's tests come from registering it: golden step == engine kernel == fast path;
datapath == step in amaranth.sim on random and extreme register values; signatures ==
PortSpecs; the Verilog header == the module's ports; Verilator bit-exact (default preset,
every variant). Per-family test files keep only what is specific to the family.
"""

import dataclasses
import re

import numpy as np
import pytest
from conftest import BUILD_ROOT, evaluate_datapath

from neurocore_hw import engine
from neurocore_hw.engine import run
from neurocore_hw.fixed import int_range
from neurocore_hw.model import StatefulModel, model_of
from neurocore_hw.registry import MODELS
from neurocore_hw.stimulus import make_stimulus
from rtl_gen.emit import emit_verilog
from rtl_gen.hardware import datapath_signature, hardware_for, unit_signature, unit_state_ports
from rtl_gen.unit import build_unit, datapath_for

PRESETS = [(name, preset) for name, m in MODELS.items() for preset in m.presets]
UNITS = [(name, m.default_preset, v) for name, m in MODELS.items()
         for v in (None, *hardware_for(m.presets[m.default_preset]).variants)]


def _params(name, preset):
    return MODELS[name].presets[preset]


def _span(port):
    return int_range(port.width) if port.signed else (0, (1 << port.width) - 1)


def _random_codes(port, rng, shape):
    """Uniform codes with the port's extremes and 0 mixed in."""
    lo, hi = _span(port)
    codes = rng.integers(lo, hi, shape, endpoint=True)
    corners = np.array([lo, hi, 0, min(hi, 1), max(lo, -1)])
    mask = rng.random(shape) < 0.2
    codes[mask] = rng.choice(corners, int(mask.sum()))
    return codes


@pytest.mark.parametrize("name, preset", PRESETS)
def test_params_know_their_model(name, preset):
    params = _params(name, preset)
    assert params.model is MODELS[name] and model_of(params) is MODELS[name]
    assert [f for f in MODELS[name].initial_state(params, 2)._fields] == \
        [s.name for s in params.state_ports()]


@pytest.mark.parametrize("name, preset", PRESETS)
def test_step_equals_kernel_and_fast_path(name, preset, monkeypatch):
    """The pure step loop, the in-place kernel and the block kernel (small blocks and
    chunks, so their edges fall inside the run) give the same spikes and state."""
    monkeypatch.setattr(engine, "BLOCK_NEURONS", 24)
    monkeypatch.setattr(engine, "CHUNK_ELEMENTS", 7 * 24)
    params = _params(name, preset)
    rng = np.random.default_rng(sum(map(ord, name + preset)))
    steps, n = 60, 61
    inputs = {}
    for port in params.input_ports():  # full range for even neurons, near-threshold small
        lo, hi = _span(port)           # codes (up to 2 in the port's units) for odd ones
        small = rng.integers(max(lo, -(1 << port.frac)), min(hi, 1 << (port.frac + 1)),
                             (steps, n), endpoint=True)
        wide = _random_codes(port, rng, (steps, n))
        inputs[port.name] = np.where(np.arange(n) % 2 == 0, wide, small)
    pop = StatefulModel(params, n)
    spikes = np.array([pop.step(**{k: v[t] for k, v in inputs.items()}) for t in range(steps)])
    for fast in (True, False):
        result = run(params, inputs, fast=fast)
        assert np.array_equal(result.spikes, spikes), f"fast={fast}"
        for field, a, b in zip(pop.state._fields, result.state, pop.state):
            assert np.array_equal(a, b), (field, fast)


@pytest.mark.parametrize("name, preset", PRESETS)
def test_datapath_equals_step(name, preset):
    """amaranth.sim: every ``<state>_next`` and ``spike`` of the datapath equals the golden
    step on random register values and inputs, extremes included."""
    params = _params(name, preset)
    model = params.model
    rng = np.random.default_rng(sum(map(ord, preset)))
    states = {s.name: _random_codes(s, rng, 64) for s in params.state_ports()}
    inputs = {p.name: _random_codes(p, rng, 64) for p in params.input_ports()}
    state = model.initial_state(params, 64)
    new, spike = model.step(params, type(state)(**states), **inputs)
    got = evaluate_datapath(datapath_for(params), params, states, inputs)
    assert np.array_equal(got["spike"], spike.astype(np.int64))
    for s in params.state_ports():
        bad = np.flatnonzero(got[f"{s.name}_next"] != getattr(new, s.name))
        assert bad.size == 0, f"{s.name}_next wrong at vector {bad[:5]}"


@pytest.mark.parametrize("name, preset", PRESETS)
def test_datapath_signature_is_the_portspecs(name, preset):
    params = _params(name, preset)
    dp = datapath_for(params)
    assert dict(dp.signature.members) == dict(datapath_signature(params).members)


@pytest.mark.parametrize("name, preset, variant", UNITS)
def test_unit_signature_and_header_are_the_module(name, preset, variant):
    """Unit ports from the PortSpecs (``busy`` exactly where the variant declares it); the
    Verilog header lists exactly the module's ports besides clk, rst and en."""
    params = _params(name, preset)
    chosen = hardware_for(params).check_variant(variant)
    unit = build_unit(params, variant)
    busy = chosen.busy if chosen else False
    expected = unit_signature(params, busy=busy, states=unit_state_ports(params, variant))
    assert dict(unit.signature.members) == dict(expected.members)
    text = emit_verilog(params, variant)
    header = {m.group(1) for m in re.finditer(r"^//   (?:in |out) (\w+):", text, re.M)}
    top = re.search(r"^module (\w+)\((.*?)\);", text, re.M | re.S)  # a long list wraps
    ports = {p.strip().lstrip("\\") for p in top.group(2).split(",")}
    assert ports - {"clk", "rst", "en"} == header, (sorted(ports), sorted(header))
    assert not ports & {"bit", "rand", "logic", "reg", "wire", "int", "byte", "type"}


def test_header_check_has_teeth():
    """A header that lists a port the module does not have (the old lif_fast ``busy``)
    is caught by the comparison above."""
    params = MODELS["lif"].presets["sc_lif_q8_8"]
    text = emit_verilog(params, "fast").replace(
        "//   out spike: 1 bit, registered\n",
        "//   out spike: 1 bit, registered\n//   out busy: 1 bit, a step is in flight\n")
    header = {m.group(1) for m in re.finditer(r"^//   (?:in |out) (\w+):", text, re.M)}
    top = re.search(r"^module (\w+)\((.*?)\);", text, re.M | re.S)  # a long list wraps
    ports = {p.strip() for p in top.group(2).split(",")}
    assert ports - {"clk", "rst", "en"} != header


@pytest.mark.cosim
@pytest.mark.parametrize("name, preset, variant", UNITS)
def test_verilator_bit_exact(name, preset, variant):
    """The emitted Verilog of every model (default preset) and variant, every output and
    state register on every cycle, under the mixed stimulus (extremes, resets, gaps)."""
    from rtl_gen.verify.unit import run_cosim

    params = _params(name, preset)
    cycles, seed = 20_000, 7000 + len(name)
    stim = make_stimulus(params, cycles, seed)
    assert stim.rst.sum() >= 3 and (~stim.en).sum() >= 100
    result = run_cosim(params, preset=preset, cycles=cycles, seed=seed, variant=variant,
                       build_root=BUILD_ROOT, mode="bulk")
    assert result.passed and result.cycles == cycles, result.first_mismatch


PARALLEL = [(name, preset) for name, preset in PRESETS if MODELS[name].parallel]


@pytest.mark.parametrize("name, preset", PARALLEL)
def test_parallel_path_equals_step_loop_where_exact(name, preset):
    """A model's parallel-in-time path (a scan over T) equals the step loop bit for bit
    where the model says it is exact -- on its presets and on the exact special cases
    found by varying each preset -- and refuses ``exact=True`` elsewhere."""
    base = _params(name, preset)
    model = base.model
    rng = np.random.default_rng(sum(map(ord, preset)) + 1)
    variants = [base]
    for field in dataclasses.fields(base):  # the special cases: a field at an end of range
        for value in (0, 1 << getattr(base, "frac", 0)):
            try:
                variants.append(dataclasses.replace(base, **{field.name: value}))
            except (ValueError, TypeError):
                pass
    exact_seen = 0
    for params in variants:
        inputs = {p.name: _random_codes(p, rng, (300, 40)) for p in params.input_ports()}
        inputs = {k: np.where(np.arange(40) % 2, v, v // 64) for k, v in inputs.items()}
        if not model.parallel_exact(params):
            with pytest.raises(ValueError):
                model.parallel(params, **inputs)
            spikes, traces = model.parallel(params, **inputs, exact=False)
            assert spikes.shape == (300, 40)
            continue
        exact_seen += 1
        golden = run(params, inputs, record=True)
        spikes, traces = model.parallel(params, **inputs)
        assert np.array_equal(spikes, golden.spikes)
        for field, trace in traces.items():
            assert np.array_equal(trace, golden.traces[field]), field
    assert exact_seen >= 1


def test_parallel_check_has_teeth():
    """A scan without the saturation (a plain prefix sum) differs from the step loop."""
    from neurocore_hw.models import psu_lif

    p = psu_lif.PSULIFParams(width=8, frac=2, v_threshold=50, leak_k=0, gain_k=4,
                             overflow="saturate")
    x = np.full((100, 3), 100)
    golden = run(p, {"i_in": x}, record=True)
    assert np.array_equal(psu_lif.run_parallel(p, x)[1]["v"], golden.traces["v"])
    wrapped = psu_lif.run_parallel(dataclasses.replace(p, overflow="wrap"), x)[1]["v"]
    assert not np.array_equal(wrapped, golden.traces["v"])


FLOAT_KERNELS = [(name, preset) for name, preset in PRESETS
                 if MODELS[name].float_kernel is not None]


def _float_kernel_mismatch(params, make_kernel, seed: int) -> str | None:
    """Run ``make_kernel(params, n)`` and the step side by side for 40 steps from random
    registers (extremes included) under random full-range inputs; the first difference."""
    model = params.model
    rng = np.random.default_rng(seed)
    n, (port, *_) = 257, params.input_ports()
    state = model.state_cls(*(_random_codes(s, rng, n) for s in params.state_ports()))
    kernel = make_kernel(params, n)
    fstate, spike = kernel.load(state), np.zeros(n, dtype=bool)
    for t in range(40):
        a_in = _random_codes(port, rng, n)
        state, want = model.step(params, state, **{port.name: a_in})
        kernel(fstate, spike, (a_in * kernel.input_scale).astype(np.float64))
        if not np.array_equal(spike, want):
            return f"step {t}: spikes differ"
        for field, a, b in zip(state._fields, kernel.store(fstate), state):
            if not np.array_equal(a, b):
                return f"step {t}: {field} differs"
    return None


@pytest.mark.parametrize("name, preset", FLOAT_KERNELS)
def test_float_kernel_equals_step(name, preset):
    """The layered network's float64 kernel equals the step bit for bit, from registers at
    their extremes (the wrap and clip corrections run)."""
    params = _params(name, preset)
    for seed in range(3):
        assert _float_kernel_mismatch(params, params.model.float_kernel, seed) is None


def test_float_kernel_check_has_teeth():
    """A decay off by one unit, a missing wrap or a missing clip is caught."""
    from neurocore_hw.models import cuba_lif

    class Decay(cuba_lif.CubaLIFFloatKernel):
        def __init__(self, params, n):
            super().__init__(params, n)
            self._kv = (cuba_lif.UNITY - params.dv + 1) / cuba_lif.UNITY

    class NoWrap(cuba_lif.CubaLIFFloatKernel):
        def __init__(self, params, n):
            super().__init__(params, n)
            self._half = float(1 << 40)  # u never out of range

    class NoClip(cuba_lif.CubaLIFFloatKernel):
        def __init__(self, params, n):
            super().__init__(params, n)
            self._vmax = float(1 << 40)

    params = cuba_lif.PRESETS["w16"]
    for broken in (Decay, NoWrap, NoClip):
        assert _float_kernel_mismatch(params, broken, 0) is not None, broken.__name__
