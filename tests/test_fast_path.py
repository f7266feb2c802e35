"""The engine's fast path stays bit-identical to the straightforward pure step.

For every registered model and preset, ``engine.run`` (block kernels where the model has
one, else the in-place kernel) is compared with a plain loop over the model's pure
``step`` on random full-range inputs: every spike and the final state.
"""

import numpy as np
import pytest
from conftest import random_lif_params

from neurocore_hw import engine
from neurocore_hw.engine import run
from neurocore_hw.fixed import int_range
from neurocore_hw.models import lif
from neurocore_hw.registry import MODELS, model_for_params

CASES = [(name, preset) for name, entry in MODELS.items() for preset in entry.presets]


def random_inputs(params, rng, steps, n):
    """Full-range codes for half the neurons, small codes (near threshold dynamics) for
    the rest, per input port."""
    inputs = {}
    for port in params.input_ports():
        lo, hi = int_range(port.width) if port.signed else (0, (1 << port.width) - 1)
        wide = rng.integers(lo, hi, (steps, n), endpoint=True)
        small = rng.integers(max(lo, -(1 << port.frac)), min(hi, 1 << (port.frac + 1)),
                             (steps, n), endpoint=True)
        inputs[port.name] = np.where(np.arange(n) % 2 == 0, wide, small)
    return inputs


def step_loop(params, inputs, steps, n):
    entry = model_for_params(params)
    state = entry.initial_state(params, n)
    spikes = np.empty((steps, n), dtype=bool)
    for t in range(steps):
        state, spike = entry.step(params, state, **{k: v[t] for k, v in inputs.items()})
        spikes[t] = spike
    return spikes, state


@pytest.mark.parametrize("model, preset", CASES, ids=[f"{m}-{p}" for m, p in CASES])
def test_engine_equals_step_loop(model, preset, monkeypatch):
    """Small blocks and chunks, so block and chunk edges fall inside the run."""
    monkeypatch.setattr(engine, "BLOCK_NEURONS", 24)
    monkeypatch.setattr(engine, "CHUNK_ELEMENTS", 7 * 24)  # 7 steps per chunk
    params = MODELS[model].presets[preset]
    rng = np.random.default_rng(abs(hash((model, preset))) % 2**32)
    inputs = random_inputs(params, rng, 60, 61)
    result = run(params, inputs)
    spikes, state = step_loop(params, inputs, 60, 61)
    assert np.array_equal(result.spikes, spikes)
    for name, a, b in zip(state._fields, result.state, state):
        assert np.array_equal(a, b), name


def test_lif_block_kernel_on_random_params(rng, monkeypatch):
    """Random LIF formats (the block kernel takes every width <= 16), including
    refractory periods above 127 (int16 counter) and non-zero noise."""
    monkeypatch.setattr(engine, "BLOCK_NEURONS", 16)
    monkeypatch.setattr(engine, "CHUNK_ELEMENTS", 5 * 16)
    taken = 0
    for _ in range(60):
        p = random_lif_params(rng)
        if p.width > 16:
            continue
        taken += 1
        inputs = random_inputs(p, rng, 40, 37)
        result = run(p, inputs)
        spikes, state = step_loop(p, inputs, 40, 37)
        assert np.array_equal(result.spikes, spikes), p
        assert np.array_equal(result.state.v, state.v) and np.array_equal(
            result.state.refrac, state.refrac), p
    assert taken >= 20


def test_block_kernel_is_used_and_declines_wide_formats(monkeypatch):
    """The fast path really runs for 16-bit LIF (a broken kernel is noticed) and the
    24-bit preset falls back to the general kernel."""
    calls = []
    real = lif.LIFBlockKernel.run

    def broken(self, d, spikes):
        calls.append(len(d))
        real(self, d, spikes)
        spikes[:] = False

    monkeypatch.setattr(lif.LIFBlockKernel, "run", broken)
    inputs = {"i_in": np.full((30, 5), 3000)}
    fast = run(lif.PRESETS["sc_lif_q8_8"], inputs)
    assert calls and not fast.spikes.any()
    assert lif.block_kernel(lif.PRESETS["q12_12_nearest"], 4) is None
    wide = run(lif.PRESETS["q12_12_nearest"], {"i_in": np.full((30, 5), 3000)})
    assert sum(calls) == 30 and wide.spikes.any()
