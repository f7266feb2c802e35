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
from neurocore_hw.models import izhikevich, lif, lif_fast
from neurocore_hw.models.lif import LIFParams


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
    entry = params.model
    state = entry.initial_state(params, n)
    spikes = np.empty((steps, n), dtype=bool)
    for t in range(steps):
        state, spike = entry.step(params, state, **{k: v[t] for k, v in inputs.items()})
        spikes[t] = spike
    return spikes, state


def random_state(params, rng, n):
    """Any valid initial state: v over its whole range, every counter value the
    refractory register can hold (also above ``refractory``)."""
    lo, hi = int_range(params.width)
    return lif.LIFState(rng.integers(lo, hi, n, endpoint=True),
                        rng.integers(0, 1 << params.refrac_width, n) * (rng.random(n) < 0.3))


def step_loop_from(params, inputs, state, steps):
    spikes = np.empty((steps, len(state.v)), dtype=bool)
    for t in range(steps):
        state, spikes[t] = lif.step(params, state, **{k: v[t] for k, v in inputs.items()})
    return spikes, state


@pytest.mark.parametrize("kernel", ["table", "arithmetic"])
def test_lif_fast_kernels_on_random_formats_and_states(kernel, rng, monkeypatch):
    """Each fast LIF kernel, forced, against the pure step: random formats (16-bit ones
    among them: the int16 drive of the arithmetic kernel), full-range and small inputs,
    noise, random initial states, block and chunk edges inside the run."""
    monkeypatch.setattr(lif_fast, "TABLE_MAX_NEURONS", 10**9 if kernel == "table" else 0)
    monkeypatch.setattr(engine, "BLOCK_NEURONS", 16)
    monkeypatch.setattr(engine, "CHUNK_ELEMENTS", 5 * 16)
    used = []
    for cls in (lif_fast.LIFTableKernel, lif_fast.LIFArithmeticKernel):
        def counted(self, d, spikes, real=cls.run, cls=cls):
            used.append(cls)
            real(self, d, spikes)
        monkeypatch.setattr(cls, "run", counted)
    widths = set()
    for _ in range(40):
        p = random_lif_params(rng, narrow=True)
        inputs = random_inputs(p, rng, 30, 37)
        if rng.random() < 0.5:  # without noise: the table spans only the drive's range
            del inputs["noise_in"]
        state = random_state(p, rng, 37)
        result = run(p, inputs, state=state)
        spikes, final = step_loop_from(p, inputs, state, 30)
        assert np.array_equal(result.spikes, spikes), p
        assert np.array_equal(result.state.v, final.v), p
        assert np.array_equal(result.state.refrac, final.refrac), p
        widths.add(p.width)
    expected = lif_fast.LIFTableKernel if kernel == "table" else lif_fast.LIFArithmeticKernel
    assert used.count(expected) >= 0.8 * len(used)  # tables too large fall back
    assert 16 in widths and len(widths) > 5


@pytest.mark.parametrize("kernel", ["table", "arithmetic"])
@pytest.mark.parametrize("width, overflow", [(16, "wrap"), (16, "saturate"), (6, "wrap"),
                                             (6, "saturate")])
def test_lif_fast_kernels_at_the_extremes(kernel, width, overflow, monkeypatch):
    """Every pair of extreme membrane and extreme drive (gain and noise at both ends of
    the range, no leak), where wrap-around and saturation decide: the clip bounds of the
    table's reduced drive and the int16 drive of the arithmetic kernel."""
    monkeypatch.setattr(lif_fast, "TABLE_MAX_NEURONS", 10**9 if kernel == "table" else 0)
    lo, hi = int_range(width)
    edges = np.array([lo, lo + 1, lo + 2, -1, 0, 1, hi - 2, hi - 1, hi])
    for gain, leak, frac in ((hi, 0, 0), (lo, 0, 0), (1, 0, 0), (hi, 1, width - 1)):
        p = LIFParams(width=width, frac=frac, v_rest=lo, v_reset=lo, v_threshold=hi,
                      leak_k=leak, gain_k=gain, refractory=1, overflow=overflow)
        v0, i_in, noise = (a.ravel() for a in np.meshgrid(edges, edges, edges))
        state = lif.LIFState(v0, np.zeros_like(v0))
        for inputs in ({"i_in": np.stack([i_in, i_in[::-1]]),
                        "noise_in": np.stack([noise] * 2)},
                       {"i_in": np.stack([i_in, i_in[::-1]])}):
            result = run(p, inputs, state=state)
            spikes, final = step_loop_from(p, inputs, state, 2)
            assert np.array_equal(result.spikes, spikes), p
            assert np.array_equal(result.state.v, final.v), p


def test_lif_block_kernel_on_random_params(rng, monkeypatch):
    """Random LIF formats of every width (the fast kernels take width <= 16), including
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


@pytest.mark.parametrize("kernel, n", [("LIFTableKernel", 5), ("LIFArithmeticKernel", 9000)])
def test_block_kernel_is_used_and_declines_wide_formats(kernel, n, monkeypatch):
    """The fast path really runs for 16-bit LIF -- the table kernel for small blocks, the
    arithmetic one for large -- (a broken kernel is noticed) and the 24-bit preset falls
    back to the general kernel."""
    calls = []
    cls = getattr(lif_fast, kernel)
    real = cls.run

    def broken(self, d, spikes):
        calls.append(len(d))
        real(self, d, spikes)
        spikes[:] = False

    monkeypatch.setattr(cls, "run", broken)
    inputs = {"i_in": np.full((30, n), 3000)}
    fast = run(lif.PRESETS["sc_lif_q8_8"], inputs)
    assert sum(calls) == 30 and not fast.spikes.any()
    slow = run(lif.PRESETS["sc_lif_q8_8"], inputs, fast=False)  # the in-place kernel
    assert sum(calls) == 30 and slow.spikes.any()
    assert lif_fast.block_kernel(lif.PRESETS["q12_12_nearest"], 4) is None
    wide = run(lif.PRESETS["q12_12_nearest"], {"i_in": np.full((30, n), 3000)})
    assert sum(calls) == 30 and wide.spikes.any()


def test_transition_tables_decline_what_does_not_fit():
    """Width above 16 or a table above TABLE_MAX_ENTRIES (long refractory period at 16
    bits): no table, and the arithmetic kernel takes the block."""
    assert lif_fast.transition_tables(lif.PRESETS["q12_12_nearest"]) is None
    long_refractory = lif.LIFParams(refractory=100)
    assert lif_fast.transition_tables(long_refractory) is None
    assert isinstance(lif_fast.block_kernel(long_refractory, 10),
                      lif_fast.LIFArithmeticKernel)
    tables = lif_fast.transition_tables(lif.PRESETS["sc_lif_q8_8"])
    assert len(tables.next_state) == 393_215  # 2**17 - 1 normal, spiked, 3 counter values
    assert not tables.next_state.flags.writeable and tables.reduce == "mask"
    quiet = lif_fast.transition_tables(lif.PRESETS["sc_lif_q8_8"], noise=False)
    assert (quiet.e_lo, quiet.e_hi, quiet.reduce) == (-2048, 2047, None)  # i_in >> 4
    assert len(quiet.next_state) == 2**16 - 1 + 4096 * 5


def test_engine_rejects_bad_initial_state():
    p = lif.PRESETS["sc_lif_q8_8"]
    inputs = {"i_in": np.zeros((2, 3), dtype=np.int16)}
    with pytest.raises(ValueError, match=r"state v\[1\] = 40000 is outside"):
        run(p, inputs, state=lif.LIFState(np.array([0, 40000, 0]), np.zeros(3, int)))
    with pytest.raises(ValueError, match=r"state refrac\[0\] = 4 is outside .* 2-bit"):
        run(p, inputs, state=lif.LIFState(np.zeros(3, int), np.array([4, 0, 0])))
    with pytest.raises(TypeError, match="state v must hold integers"):
        run(p, inputs, state=lif.LIFState(np.zeros(3), np.zeros(3, int)))
    with pytest.raises(ValueError, match="state must have 2 fields"):
        run(p, inputs, state=(np.zeros(3, int),))
    with pytest.raises(ValueError, match=r"state v has shape \(5,\), expected a scalar or "
                       r"\(3,\)"):
        run(p, inputs, state=lif.LIFState(np.zeros(5, int), np.zeros(3, int)))
    with pytest.raises(ValueError, match=r"state refrac has shape \(1, 3\)"):
        run(p, inputs, state=lif.LIFState(np.zeros(3, int), np.zeros((1, 3), int)))
    scalar = run(p, inputs, state=lif.LIFState(7, 0))  # a scalar is every neuron's value
    assert np.array_equal(scalar.state.v, run(p, inputs, state=lif.LIFState(
        np.full(3, 7), np.zeros(3, int))).state.v)


def test_engine_refuses_masked_inputs():
    """A masked array's mask would be ignored: refused, naming the input and the fix."""
    p = lif.PRESETS["sc_lif_q8_8"]
    data = np.ma.masked_array(np.full((2, 3), 100, dtype=np.int16), mask=False)
    data[0, 1] = np.ma.masked
    with pytest.raises(TypeError, match=r"i_in is a masked array.*numpy.ma.filled"):
        run(p, {"i_in": data})


def _random_izhikevich(rng) -> izhikevich.IzhikevichParams | None:
    """A random valid Izhikevich format (width 12..17, any frac and coef_frac, both
    roundings), paper (a, b, c, d) or random a and b; None if the format is invalid."""
    width = int(rng.integers(12, 18))
    a, b, c, d = list(izhikevich.PAPER.values())[int(rng.integers(0, 7))]
    if rng.random() < 0.3:
        a, b = float(rng.uniform(0.001, 2.0)), float(rng.uniform(-4.0, 4.0))
    try:
        return izhikevich.IzhikevichParams(
            a, b, c, d, width=width, frac=int(rng.integers(0, width - 7)),
            coef_frac=int(rng.integers(8, 33)),
            rounding=str(rng.choice(["floor", "nearest"])))
    except ValueError:  # a coefficient out of range, or int64 too narrow for the golden model
        return None


def _izhikevich_cases(rng, params, steps=12, n=64):
    """Random state and input for half the neurons; for the rest every pair of extreme
    v and u (most negative, -1, 0, 1, most positive) under extreme inputs."""
    lo, hi = int_range(params.width)
    edges = np.array([lo, lo + 1, -1, 0, 1, hi - 1, hi])
    v = np.concatenate([rng.integers(lo, hi, n - 49, endpoint=True), np.repeat(edges, 7)])
    u = np.concatenate([rng.integers(lo, hi, n - 49, endpoint=True), np.tile(edges, 7)])
    i_in = np.concatenate([rng.integers(lo, hi, (steps, n - 49), endpoint=True),
                           np.tile(edges[[0, 6, 3, 0, 6, 3, 4]], (steps, 7))], axis=1)
    return izhikevich.IzhikevichState(v, u), {"i_in": i_in}


def _narrow_equals_step(rng, formats=60) -> tuple[int, set]:
    """Run the engine (forced small blocks) on random formats; return how many took the
    int32 kernel and which products it split. Asserts equality with the pure step."""
    taken, split = 0, set()
    for _ in range(formats):
        p = _random_izhikevich(rng)
        if p is None:
            continue
        products = izhikevich._narrow_products(p)
        if products is None:
            continue
        taken += 1
        split |= {name for name, product in products.items() if product.split}
        state, inputs = _izhikevich_cases(rng, p)
        result = run(p, inputs, state=state)
        ref, spikes = state, []
        for t in range(len(inputs["i_in"])):
            ref, spike = izhikevich.step(p, ref, inputs["i_in"][t])
            spikes.append(spike)
        assert np.array_equal(result.spikes, np.array(spikes)), p
        assert np.array_equal(result.state.v, ref.v), p
        assert np.array_equal(result.state.u, ref.u), p
    return taken, split


def test_izhikevich_int32_kernel_on_random_formats(rng, monkeypatch):
    """The int32 Izhikevich kernel (products split where int32 needs it) equals the pure
    int64 step on random formats, states and inputs at their extremes, block and chunk
    edges inside the run; it really runs, and splits each wide product somewhere."""
    monkeypatch.setattr(engine, "BLOCK_NEURONS", 24)
    monkeypatch.setattr(engine, "CHUNK_ELEMENTS", 5 * 24)
    runs = []
    real = izhikevich.IzhikevichNarrowKernel.run

    def counted(self, d, spikes):
        runs.append(d.dtype)
        real(self, d, spikes)

    monkeypatch.setattr(izhikevich.IzhikevichNarrowKernel, "run", counted)
    taken, split = _narrow_equals_step(rng, formats=120)
    assert taken >= 40 and runs and all(dtype == np.int32 for dtype in runs)
    assert {"K2", "B", "A"} <= split


def test_izhikevich_kernel_choice():
    """Every paper preset takes the int32 kernel; 24-bit formats the int64 one; per-neuron
    parameters none (the engine's in-place kernel)."""
    for params in izhikevich.PRESETS.values():
        assert isinstance(izhikevich.block_kernel(params, 8),
                          izhikevich.IzhikevichNarrowKernel)
    wide = izhikevich.IzhikevichParams(width=24, frac=12, coef_frac=16)
    assert isinstance(izhikevich.block_kernel(wide, 8), izhikevich.IzhikevichBlockKernel)
    with pytest.raises(ValueError, match="int32 cannot hold"):
        izhikevich.IzhikevichNarrowKernel(wide, 8)
    assert izhikevich.block_kernel(izhikevich.mixed(["rs", "fs"], 4), 4) is None


@pytest.mark.parametrize("mutant", ["no_inner_rounding", "no_split", "one_floor"])
def test_izhikevich_int32_kernel_check_has_teeth(mutant, rng, monkeypatch):
    """Kernels with the split done wrong fail the comparison: the low part's rounding
    term left out, the product formed unsplit in int32 (it wraps), or the two floors of
    the split taken as one shift of the sum."""
    real = izhikevich._Product.into

    def broken(self, x, out, low, high):
        if self.split is None:
            return real(self, x, out, low, high)
        if mutant == "no_split":
            np.multiply(x, self.coef, out)
            np.add(out, self.half, out)
            np.right_shift(out, self.shift_by + self.split_by, out)
            return None
        np.bitwise_and(x, self.mask, low)
        np.multiply(low, self.coef, low)
        if mutant == "one_floor":  # (h K 2**m + l K + half) >> s: h K 2**m wraps, ...
            np.add(low, self.half, low)  # ... or l K's floor is taken once only
            np.right_shift(x, self.split_by, high)
            np.multiply(high, self.coef, high)
            np.left_shift(high, self.split_by, high)
            np.add(high, low, out)
            np.right_shift(out, self.shift_by + self.split_by, out)
            return None
        np.right_shift(low, self.split_by, low)  # no_inner_rounding
        np.right_shift(x, self.split_by, high)
        np.multiply(high, self.coef, high)
        np.add(high, low, out)
        if self.shift_by:
            np.right_shift(out, self.shift_by, out)
        return None

    monkeypatch.setattr(izhikevich._Product, "into", broken)
    with pytest.raises(AssertionError):
        _narrow_equals_step(rng, formats=120)
