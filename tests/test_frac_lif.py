"""The fractional-order LIF (``frac_lif``): the Grunwald-Letnikov weights on both sides
(independent derivations, equal), the golden step against a Python-int transcription,
the history window ending exactly after K steps, each preset bit-exact under Verilator
for 20,000 cycles with every history register compared, and the truncated window's
error shrinking as K grows."""

import dataclasses
import math

import numpy as np
import pytest
from conftest import BUILD_ROOT

from neurocore_hw.engine import run
from neurocore_hw.fixed import int_range
from neurocore_hw.models import frac_lif
from neurocore_hw.stimulus import make_stimulus
from rtl_gen.frac_lif import memory_weights

PRESETS = list(frac_lif.PRESETS)


@pytest.mark.parametrize("coef_frac", [4, 12, 16, 20])
def test_weights_equal_on_both_sides(coef_frac):
    """For orders across (0, 1] and windows up to 64 the golden weights equal the
    hardware's; alpha = 1 is forward Euler (c_1 = 1, the rest 0)."""
    one = 1 << coef_frac
    for alpha_k in sorted({1, one // 7, one // 3, one // 2, 3 * one // 4, one - 1, one}):
        p = dataclasses.replace(frac_lif.PRESETS["a07_k16"], coef_frac=coef_frac,
                                alpha_k=alpha_k, history=64, leak_k=0, gain_k=0)
        assert frac_lif.weights(p) == tuple(memory_weights(alpha_k, coef_frac, 64))
        for k in (1, 3, 17):
            tail = dataclasses.replace(p, history=k, window="tail")
            assert frac_lif.weights(tail) == tuple(memory_weights(alpha_k, coef_frac, k,
                                                                  "tail"))
            assert abs(sum(frac_lif.weights(tail)) - one) <= k
    p = dataclasses.replace(p, alpha_k=one)
    assert frac_lif.weights(p) == (one,) + (0,) * 63


def test_full_history_weights_sum_to_one():
    """The memory weights of order alpha are positive and sum toward 1, the rest after K
    values falling as ``K^-alpha / Gamma(1 - alpha)`` (the window's leak)."""
    for alpha in (0.3, 0.7, 0.95):
        partial = np.cumsum(frac_lif.gl_weights(alpha, 100_000))
        assert np.all(np.diff(partial) > 0) and partial[-1] < 1.0
        for k in (1000, 100_000):
            rest = k ** -alpha / math.gamma(1 - alpha)
            assert abs((1 - partial[k - 1]) / rest - 1) < 0.02, (alpha, k)


def transcribe(p, past, x, bound=True):
    """One step in Python ints."""
    acc = p.gain_k * x - p.leak_k * past[0]
    for c, h in zip(memory_weights(p.alpha_k, p.coef_frac, p.history, p.window), past):
        acc += c * h
    s = p.coef_frac
    v1 = (acc + (1 << (s - 1))) >> s if p.rounding == "nearest" else acc >> s
    if bound:
        v1 = max(-(1 << (p.width - 1)), min((1 << (p.width - 1)) - 1, v1))
    spike = v1 >= p.v_th
    return (p.v_reset if spike else v1, *past[:-1]), spike


@pytest.mark.parametrize("preset", PRESETS)
def test_step_equals_transcription(preset):
    p = frac_lif.PRESETS[preset]
    rng = np.random.default_rng(41)
    lo, hi = int_range(p.width)
    n = 600
    regs = [np.concatenate([rng.integers(lo, hi, n // 2, endpoint=True),
                            rng.integers(lo // 16, hi // 16, n // 2 - 20),
                            rng.choice([lo, hi, 0, -1, 1], 20)]) for _ in range(p.history)]
    x = rng.integers(lo, hi, n, endpoint=True)
    state = frac_lif.initial_state(p, n)
    new, spike = frac_lif.step(p, type(state)(*regs), i_in=x)
    for k in range(n):
        want = transcribe(p, [int(r[k]) for r in regs], int(x[k]))
        assert (tuple(int(a[k]) for a in new), bool(spike[k])) == want, k
    assert spike.any() and not spike.all()


def test_history_window_ends_after_k_steps():
    """A value in the oldest register (K steps old) acts through the last weight only,
    once, and leaves the state: the window ends exactly there. Through the datapath too."""
    from conftest import evaluate_datapath

    from rtl_gen.unit import datapath_for

    for preset in PRESETS:
        p = dataclasses.replace(frac_lif.PRESETS[preset], leak_k=0)
        x = np.array([(1 << (p.width - 1)) - 1, -(1 << (p.width - 1)), 77])
        regs = {s.name: np.zeros(3, np.int64) for s in p.state_ports()}
        regs[p.state_ports()[-1].name] = x
        new, _ = frac_lif.step(p, frac_lif.initial_state(p, 3)._replace(**regs), i_in=0)
        c_k, s = frac_lif.weights(p)[-1], p.coef_frac
        half = 1 << (s - 1) if p.rounding == "nearest" else 0
        assert list(new.v) == [min((c_k * int(v) + half) >> s, p.v_th - 1) if
                               (c_k * int(v) + half) >> s < p.v_th else p.v_reset
                               for v in x]
        assert all(not np.any(getattr(new, f) == x) for f in new._fields[1:])
        got = evaluate_datapath(datapath_for(p), p, regs, {"i_in": np.zeros(3, np.int64)})
        assert np.array_equal(got["v_next"], new.v)


def coverage(p, stim, golden):
    """Spikes, and steps where the saturation mattered (none at these presets: the
    weights, leak and gain add to less than 1 in magnitude, so the sum cannot leave the
    range; the every-state and narrow exhaustive checks drive the rails)."""
    names = [s.name for s in p.state_ports()]
    init = frac_lif.initial_state(p, 1)
    prev = {n: np.concatenate([getattr(init, n), golden.traces[n][:-1, 0]]) for n in names}
    events = 0
    for c in np.flatnonzero(stim.en & ~stim.rst):
        past, x = [int(prev[n][c]) for n in names], int(stim.inputs["i_in"][c])
        events += transcribe(p, past, x) != transcribe(p, past, x, bound=False)
    return int(golden.spikes.sum()), events


@pytest.mark.cosim
@pytest.mark.parametrize("preset", PRESETS)
def test_cosim_bit_exact(preset):
    from rtl_gen.verify.unit import run_cosim

    p, cycles, seed = frac_lif.PRESETS[preset], 20_000, 8000 + len(preset)
    stim = make_stimulus(p, cycles, seed)
    golden = run(p, {"i_in": stim.inputs["i_in"][:, None]}, record=True, en=stim.en,
                 rst=stim.rst)
    spikes, events = coverage(p, stim, golden)
    assert spikes >= 500 and events == 0, (spikes, events)
    oldest = golden.traces[p.state_ports()[-1].name][:, 0]
    assert len(np.unique(oldest)) > 500  # the window's last register carries the run
    result = run_cosim(p, preset=preset, cycles=cycles, seed=seed, build_root=BUILD_ROOT,
                       golden=golden, mode="bulk")
    assert result.passed and result.cycles == cycles, result.first_mismatch


def test_longer_windows_follow_the_full_history_better():
    """Against the float64 reference with the full history (alpha 0.5, where memory
    matters most), the float model truncated to K values loses spike agreement for small
    K and gains it back as K grows; the fixed point at K = 64 is closer than at K = 4."""
    from neurocore_hw.fidelity import match_spikes

    real = frac_lif.FracLIFReal(alpha=0.5)
    current = np.broadcast_to(np.linspace(1.2, 3.0, 12), (600, 12))
    full = frac_lif.reference(real, current)[0]

    def agree(k):
        return match_spikes(full, frac_lif.reference(real, current, history=k)[0])[
            "matched_fraction"]

    scores = [agree(k) for k in (4, 16, 64, 256)]
    assert scores[0] < scores[1] < scores[2] <= scores[3] and scores[3] > 0.9, scores

    def fixed(k):
        base = dataclasses.replace(frac_lif.PRESETS["a05_k8_tail"], history=k,
                                   window="truncate")
        p, _ = real.quantize(None, base)
        codes = np.round(current * (1 << p.frac)).astype(np.int64)
        return match_spikes(full, run(p, {"i_in": codes}).spikes)["matched_fraction"]

    assert fixed(64) > fixed(4)
    # the tail window (older past on the oldest value) keeps more at alpha 0.5
    tail = match_spikes(full, frac_lif.reference(real, current, history=8,
                                                 window="tail")[0])["matched_fraction"]
    assert tail > agree(8) + 0.1, (tail, agree(8))


def serial_coverage(p, stim):
    """What a run of the serial unit's cycle model reaches: finished steps, spikes,
    resets that land inside a step, ``en`` ignored inside a step, steps begun with the
    history memory partly written since reset (masked words) and after it was full
    (the ring wrapped)."""
    from rtl_gen.frac_lif import run_serial

    trace = run_serial(p, stim.inputs["i_in"], en=stim.en, rst=stim.rst)
    k, period = p.history, p.history + 2
    counts = dict(steps=0, spikes=int(trace["spike"].sum()), reset_in_step=0,
                  en_in_step=0, partial=0, wrapped=0)
    phase, written = 0, 0
    for t in range(stim.en.size):
        if stim.rst[t]:
            counts["reset_in_step"] += phase != 0
            phase, written = 0, 0
        elif phase == 0:
            if stim.en[t]:
                counts["partial" if written < k - 1 else "wrapped"] += 1
                phase = 1
        else:
            counts["en_in_step"] += bool(stim.en[t])
            phase = (phase + 1) % period
            if phase == 0:
                counts["steps"] += 1
                written += 1
    return counts


@pytest.mark.cosim
@pytest.mark.parametrize("preset, history, cycles", [
    ("a07_k16", None, 20_000), ("a05_k8_tail", None, 20_000), ("a09_k4_q12", None, 20_000),
    ("a07_k16", 1, 20_000), ("a07_k16", 2, 20_000), ("a07_k16", 64, 131_072)])
def test_serial_unit_bit_exact(preset, history, cycles):
    """The time-multiplexed unit (history in block RAM, one multiply-accumulate per
    clock) under Verilator equals its cycle model on every clock: ``v``, ``spike`` and
    every history word as the multiplier reads it (all K - 1 of them every step), with
    resets inside steps, ``en`` inside steps, the memory partly written since reset and
    the ring wrapped, at K = 1 (no memory), 2, 4, 8, 16 and 64."""
    from rtl_gen.verify.unit import run_cosim

    p = frac_lif.PRESETS[preset]
    if history is not None:
        p = dataclasses.replace(p, history=history)
    seed = 8100 + p.history
    got = serial_coverage(p, make_stimulus(p, cycles, seed))
    assert got["steps"] >= cycles // (p.history + 2) // 2 and got["spikes"] >= 20, got
    assert got["reset_in_step"] >= 2 and got["en_in_step"] >= 1000, got
    if p.history > 1:
        assert got["partial"] >= 10 and got["wrapped"] >= 20, got
    result = run_cosim(p, preset=preset, cycles=cycles, seed=seed, build_root=BUILD_ROOT,
                       variant="serial", mode="bulk")
    assert result.passed and result.cycles == cycles, result.first_mismatch


@pytest.mark.cosim
def test_serial_unit_without_the_reset_mask_fails():
    """The memory is not cleared by reset; the count of words written since reset masks
    the rest. The same Verilog with that mask removed (every word read as written)
    fails the co-simulation: the stimulus reads stale words after resets."""
    from rtl_gen.emit import emit_verilog
    from rtl_gen.verify.unit import run_cosim

    p = frac_lif.PRESETS["a09_k4_q12"]
    text = emit_verilog(p, "serial")
    assert text.count("{ 1'h0, filled }") == 1
    broken = text.replace("{ 1'h0, filled }", "3'h3")
    result = run_cosim(p, cycles=20_000, seed=8104, build_root=BUILD_ROOT, variant="serial",
                       verilog=broken, mode="bulk")
    assert not result.passed and result.mismatches > 0


def test_serial_unit_is_refused_by_the_host_link():
    """The UART host link sends every state register after a step; the serial unit's
    history is in memory, so the link (and `board`) refuse it in one line, exit 2."""
    from neurocore_hw.cli import main
    from rtl_gen.hostlink import HostLink

    with pytest.raises(ValueError, match="keeps part of its state in memory"):
        HostLink(params=frac_lif.PRESETS["a07_k16"], divisor=4, variant="serial")
    assert main(["board", "icebreaker", "frac_lif", "--variant", "serial"]) == 2
