"""The stochastic-computing blocks' fast path (``neurocore_hw/models/sc_fast.py``) stays
bit-identical to each block's pure ``step``: every preset, full-range inputs, block and
chunk edges inside the run, from reset (one source value per clock for the population)
and from random per-neuron source registers (the clock-by-clock fallback); planted bugs
fail the same check."""

import pytest
from test_family_kernels import _check, _draw, _random_state

from neurocore_hw.models import sc_fast
from neurocore_hw.registry import MODELS

SC = ("sc_sng", "sc_mul", "sc_add", "sc_decoder", "sc_lif", "sc_xor_neuron")
CASES = [(m, preset) for m in SC for preset in MODELS[m].presets]


def _inputs(p, rng, steps, n):
    return {q.name: _draw(q, rng, (steps, n)) for q in p.input_ports()}


@pytest.mark.parametrize("model, preset", CASES)
def test_sc_kernel_from_reset_equals_the_step(model, preset, rng, small_blocks, monkeypatch):
    """From reset: the shared-source path (counted: it must run), 300 clocks (a decoder
    window of 64 closes several times; LFSRs of 8 bits wrap)."""
    used = []
    real = sc_fast.SCBlockKernel._sequences
    monkeypatch.setattr(sc_fast.SCBlockKernel, "_sequences",
                        lambda self, steps: used.append(steps) or real(self, steps))
    p = MODELS[model].presets[preset]
    n, steps = 37, 300
    _check(p, _inputs(p, rng, steps, n), p.model.initial_state(p, n), steps)
    assert sum(used) == steps * 3  # three blocks of 16, 16 and 5 neurons


@pytest.mark.parametrize("model, preset", CASES)
def test_sc_kernel_from_random_registers_equals_the_step(model, preset, rng, small_blocks):
    p = MODELS[model].presets[preset]
    n, steps = 37, 40
    _check(p, _inputs(p, rng, steps, n), _random_state(p, rng, n), steps)


MUTANTS = {
    "no mirrored taps": lambda real: (
        lambda self, name, value: real(self, "ra" if name == "rb" else name, value)),
    "one clock late": lambda real: (lambda self, name, value: real(self, name, real(
        self, name, value))),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_sc_kernel_check_has_teeth(mutant, rng, small_blocks, monkeypatch):
    monkeypatch.setattr(sc_fast, "_TABLES", {})  # next-value tables from the mutant
    monkeypatch.setattr(sc_fast.SCBlockKernel, "_advance",
                        MUTANTS[mutant](sc_fast.SCBlockKernel._advance))
    p = MODELS["sc_mul"].presets["lfsr8_and"]
    with pytest.raises(AssertionError):
        _check(p, _inputs(p, rng, 100, 37), p.model.initial_state(p, 37), 100)
