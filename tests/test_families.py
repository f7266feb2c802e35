"""The neuron families IF, LI, ALIF, shift-leak LIF and homeostatic LIF: each golden step
against an independent Python-int transcription (datapath == step in amaranth.sim is in
the contract suite), and each preset bit-exact under Verilator for 50,000 cycles with its
overflow paths exercised."""

import numpy as np
import pytest
from conftest import BUILD_ROOT, evaluate_datapath

from neurocore_hw.cli import main
from neurocore_hw.engine import run
from neurocore_hw.fixed import int_range
from neurocore_hw.registry import MODELS
from neurocore_hw.stimulus import make_stimulus
from rtl_gen.unit import datapath_for

FAMILIES = ("if", "li", "alif", "shift_lif", "homeostatic_lif")
CASES = [(f, preset) for f in FAMILIES for preset in MODELS[f].presets]


def _reduce(x, w, mode, bound):
    if not bound:
        return x
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    if mode == "saturate":
        return max(lo, min(hi, x))
    return ((x - lo) % (1 << w)) + lo


def _rshift(x, s, rounding):
    return (x + (1 << (s - 1))) >> s if rounding == "nearest" and s else x >> s


def t_if(p, st, i, bound=True):
    (v,) = st
    v1 = _reduce(v + i, p.width, p.overflow, bound)
    if v1 >= p.v_threshold:
        after = p.v_reset if p.reset == "value" else _reduce(v1 - p.v_threshold, p.width,
                                                              p.overflow, bound)
        return (after,), True
    return (v1,), False


def t_li(p, st, i, bound=True):
    (v,) = st
    r = p.rounding
    v1 = v - _rshift(v * p.leak_k, p.frac, r) + _rshift(i * p.gain_k, p.frac, r)
    return (_reduce(v1, p.width, p.overflow, bound),), False


def t_alif(p, st, i, bound=True):
    v, a = st
    r, w = p.rounding, p.width
    th = p.v_threshold + _rshift(a * p.beta_k, p.frac, r)
    v1 = _reduce(v - _rshift(v * p.leak_k, p.frac, r) + _rshift(i * p.gain_k, p.frac, r), w,
                 "saturate", bound)
    spike = v1 >= th
    v2 = _reduce(v1 - th, w, "saturate", bound) if spike else v1
    a2 = _reduce(a - _rshift(a * p.adapt_k, p.frac, r) + (p.jump if spike else 0), w,
                 "saturate", bound)
    return (v2, a2), spike


def t_shift_lif(p, st, i, bound=True):
    syn, v = st

    def dstep(x, s):
        d = x >> s
        return 1 if d == 0 and x > 0 else d

    syn = _reduce(syn - dstep(syn, p.dash_syn) + i, p.width, "saturate", bound)
    v = _reduce(v - dstep(v, p.dash_mem) + syn, p.width, "saturate", bound)
    spike = v >= p.v_threshold
    return (syn, v - p.v_threshold if spike else v), spike


def t_homeostatic_lif(p, st, i, bound=True):
    v, th, rate = st
    v1 = _reduce(v - ((v * p.leak_k) >> p.frac) + ((i * p.gain_k) >> p.frac), p.width,
                 "saturate", bound)
    spike = v1 >= th
    rate = rate + ((((1 << p.rate_frac) if spike else 0) - rate) >> p.rate_shift)
    th = th + ((rate - p.target) >> p.eta_shift)
    if bound:
        th = max(p.th_min, min(p.th_max, th))
    return (p.v_reset if spike else v1, th, rate), spike


TRANSCRIBE = {"if": t_if, "li": t_li, "alif": t_alif, "shift_lif": t_shift_lif,
              "homeostatic_lif": t_homeostatic_lif}


def random_vectors(p, rng, n=300):
    """Random state and input vectors over each port's full range, plus corners."""
    def draw(port):
        lo, hi = int_range(port.width, port.signed)
        corners = [lo, hi, 0, 1, hi - 1] + ([-1, lo + 1] if port.signed else [])
        return np.concatenate([rng.integers(lo, hi, n, endpoint=True),
                               rng.integers(lo // 64, hi // 64 + 1, n),  # small values
                               rng.choice(corners, 40)])
    states = {s.name: draw(s) for s in p.state_ports()}
    inputs = {q.name: draw(q) for q in p.input_ports()}
    return states, inputs


@pytest.mark.parametrize("family, preset", CASES)
def test_step_equals_transcription(family, preset):
    entry = MODELS[family]
    p = entry.presets[preset]
    states, inputs = random_vectors(p, np.random.default_rng(11))
    state_cls = type(entry.initial_state(p, 1))
    new, spike = entry.step(p, state_cls(**states), **inputs)
    names = [s.name for s in p.state_ports()]
    for k in range(len(spike)):
        st = tuple(int(states[n][k]) for n in names)
        want, want_spike = TRANSCRIBE[family](p, st, int(inputs["i_in"][k]))
        got = tuple(int(getattr(new, n)[k]) for n in names)
        assert (got, bool(spike[k])) == (want, want_spike), (k, st)
    if family != "li":
        assert spike.any() and not spike.all()


def test_datapath_check_has_teeth(monkeypatch):
    """A golden model off by one LSB in the ALIF jump must disagree with the datapath."""
    from neurocore_hw.models import alif

    p = alif.PRESETS["lsnn"]
    states, inputs = random_vectors(p, np.random.default_rng(13))
    got = evaluate_datapath(datapath_for(p), p, states, inputs)
    broken = alif.ALIFParams(**{**p.__dict__, "jump": p.jump + 1})
    new, spike = alif.step(broken, alif.ALIFState(**states), **inputs)
    assert spike.any() and not np.array_equal(got["a_next"], new.a)


def coverage(family, p, stim, golden):
    """Spikes and overflow events (bounded and unbounded transcriptions differ) of a run."""
    names = [s.name for s in p.state_ports()]
    init = MODELS[family].initial_state(p, 1)
    prev = {n: np.concatenate([getattr(init, n), golden.traces[n][:-1, 0]]) for n in names}
    events = 0
    for c in np.flatnonzero(stim.en & ~stim.rst):
        st = tuple(int(prev[n][c]) for n in names)
        i = int(stim.inputs["i_in"][c])
        fn = TRANSCRIBE[family]
        events += fn(p, st, i, bound=True) != fn(p, st, i, bound=False)
    return int(golden.spikes.sum()), events


@pytest.mark.cosim
@pytest.mark.parametrize("family, preset", CASES)
def test_cosim_bit_exact(family, preset):
    from rtl_gen.verify.unit import run_cosim

    p, cycles, seed = MODELS[family].presets[preset], 50_000, 4000 + len(family + preset)
    stim = make_stimulus(p, cycles, seed)
    golden = run(p, {"i_in": stim.inputs["i_in"][:, None]}, record=True, en=stim.en,
                 rst=stim.rst)
    spikes, events = coverage(family, p, stim, golden)
    if family == "li" and p.gain_k <= p.leak_k:  # |v| <= max |i_in| gain/leak: cannot overflow
        assert events == 0
    else:
        assert events >= 20, f"only {events} overflow/clip events"
    assert spikes >= 200 if family != "li" else spikes == 0
    result = run_cosim(p, preset=preset, cycles=cycles, seed=seed, build_root=BUILD_ROOT,
                       golden=golden, mode="bulk")
    assert result.passed and result.cycles == cycles, result.first_mismatch


@pytest.mark.parametrize("family, bad, match", [
    ("if", "reset=halfway", "reset"), ("if", "v_threshold=0", "v_threshold"),
    ("li", "leak_k=300", "leak_k"), ("alif", "frac=15", "frac"),
    ("alif", "jump=-1", "jump"), ("shift_lif", "dash_mem=16", "dash_mem"),
    ("homeostatic_lif", "th_min=5000", "th_max"), ("homeostatic_lif", "rate_shift=13",
                                                    "rate_shift"),
])
def test_bad_params_one_line_exit_2(family, bad, match, capsys):
    args = ["describe", family, "--param", bad]
    if family == "if" and bad == "v_threshold=0":
        args += ["--param", "reset=subtract"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert match in err and "\n" not in err


def test_reference_follows_golden():
    """Float references agree with the golden models where rounding is small."""
    from neurocore_hw.models import alif, homeostatic_lif, if_neuron, li, shift_lif

    current = np.full((400, 1), 0.3)
    p = if_neuron.PRESETS["q8_8"]
    assert if_neuron.reference(p, current)[0].sum() == run(
        p, {"i_in": np.round(current * 256).astype(np.int64)}).spikes.sum()
    p = li.PRESETS["q8_8"]
    ref = li.reference(p, current)
    got = run(p, {"i_in": np.round(current * 256).astype(np.int64)}, record=True)
    assert np.max(np.abs(got.traces["v"][:, 0] / 256 - ref[:, 0])) < 0.02
    for mod, name, scale in ((alif, "lsnn", 256), (homeostatic_lif, "q8_8", 256)):
        p = mod.PRESETS[name]
        drive = np.full((2000, 1), 0.5)
        ref_count = mod.reference(p, drive)[0].sum()
        count = run(p, {"i_in": np.round(drive * scale).astype(np.int64)}).spikes.sum()
        assert ref_count > 10 and abs(count - ref_count) <= 0.15 * ref_count, name
    p = shift_lif.PRESETS["xylo16"]
    drive = np.full((2000, 1), 100.0)
    ref_count = shift_lif.reference(p, drive)[0].sum()
    count = run(p, {"i_in": drive.astype(np.int64)}).spikes.sum()
    assert ref_count > 10 and abs(count - ref_count) <= 0.1 * ref_count


def test_homeostasis_pulls_the_rate_to_target():
    from neurocore_hw.models import homeostatic_lif as hl

    p = hl.PRESETS["q8_8"]
    for drive in (0.3, 1.0):  # weak and strong input end near the same rate
        out = run(p, {"i_in": np.full((20_000, 1), round(drive * 256))})
        rate = out.spikes[-5000:].mean()
        assert abs(rate - p.target / 4096) < 0.02, (drive, rate)
