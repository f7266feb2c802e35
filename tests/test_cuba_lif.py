"""CuBa LIF (Loihi CUBA arithmetic): golden model, conformance, datapath, Verilator."""

import numpy as np
import pytest
from conftest import BUILD_ROOT, evaluate_datapath

from neurocore_hw.cli import main
from neurocore_hw.engine import run
from neurocore_hw.models import cuba_lif as cl
from neurocore_hw.models.cuba_lif import CubaLIFParams, CubaLIFState
from neurocore_hw.stimulus import make_stimulus


def loihi_transcription(p, u, v, a_in):
    """The published bit-accurate Loihi CUBA step, one neuron, Python ints, written out
    from the model's description (not from neurocore_hw): ds_offset 1, dm_offset 0; with
    ``reset="subtract"`` the threshold is subtracted instead of zeroing ``v``."""
    def dec(x, d):
        prod = x * (4096 - d)
        mag = abs(prod) >> 12
        return -mag if prod < 0 else mag

    m = 1 << (p.width - 1)
    cur = dec(u, p.du + 1) + (a_in << 6)
    wrapped = cur - 2 * m if cur > m else cur
    wrapped = cur + 2 * m if cur <= -m else wrapped
    volt = max(-m + 1, min(m - 1, dec(v, p.dv) + wrapped + (p.bias_mant << p.bias_exp)))
    spike = volt > (p.vth << 6) and p.reset != "none"  # none: a readout, never fires
    after = volt - (p.vth << 6) if p.reset == "subtract" else 0  # subtract: snnTorch's
    return wrapped, (after if spike else volt), spike


@pytest.mark.parametrize("name", list(cl.PRESETS))
def test_step_equals_loihi_transcription(name):
    p = cl.PRESETS[name]
    rng = np.random.default_rng(len(name))
    half = 1 << (p.width - 1)
    u = np.concatenate([rng.integers(1 - half, half, 400, endpoint=True),
                        [half, 1 - half, 0, 1, -1]])
    v = np.concatenate([rng.integers(1 - half, half - 1, 400, endpoint=True),
                        [half - 1, 1 - half, p.threshold, p.threshold + 1, 0]])
    lo, hi = -(1 << (p.in_width - 1)), (1 << (p.in_width - 1)) - 1
    a = np.concatenate([rng.integers(lo, hi, 400, endpoint=True), [hi, lo, hi, lo, 0]])
    new, spike = cl.step(p, CubaLIFState(u, v), a)
    for k in range(u.size):
        want = loihi_transcription(p, int(u[k]), int(v[k]), int(a[k]))
        assert (int(new.u[k]), int(new.v[k]), bool(spike[k])) == want, k
    if p.reset == "none":  # the readout: above threshold, still no spike and no reset
        assert not spike.any() and (new.v > p.threshold).sum() > 50
    else:
        assert spike.any() and not spike.all()


def test_u_reaches_the_top_of_its_wrapped_range():
    """-2^23 wraps to +2^23, so u needs W + 1 bits (the state port says so)."""
    p = cl.PRESETS["loihi"]
    half = 1 << 23
    # decay(u, 411) + 64 a == -2^23 exactly: a = -2^17, decayed u = 0
    new, _ = cl.step(p, CubaLIFState(np.array([0]), np.array([0])), np.array([-(1 << 17)]))
    assert new.u[0] == half
    assert p.state_ports()[0].width == 25


def test_decay_rounds_toward_zero():
    assert list(cl.decay(np.array([-5, 5, -4096, 4096]), 2048)) == [-2, 2, -2048, 2048]


def test_reference_tracks_golden_until_rounding_matters():
    p = cl.PRESETS["loihi"]
    a = np.full((300, 1), 40.0)
    spikes, u, v = cl.reference(p, a)
    golden = run(p, {"a_in": a.astype(np.int64)}, record=True)
    assert abs(int(golden.spikes.sum()) - int(spikes.sum())) <= 1 and spikes.sum() > 5
    assert np.max(np.abs(golden.traces["u"][:, 0] - u[:, 0])) < 20  # LSBs of 2^6 scale


def test_real_unit_constructors():
    norse = CubaLIFParams.from_norse(tau_syn_inv=200.0, tau_mem_inv=100.0, v_th=1.0)
    assert (norse.du + 1, norse.dv) == (819, 410)  # 4096 * 0.2, 4096 * 0.1
    assert norse.vth == 640  # v_th / (dt tau_mem_inv) = 10, times scale 64
    snn = CubaLIFParams.from_decays(alpha=0.9, beta=0.8, v_th=1.0)
    assert (snn.du + 1, snn.dv, snn.vth) == (410, 819, 64)
    with pytest.raises(ValueError, match="alpha"):
        CubaLIFParams.from_decays(alpha=1.5, beta=0.5, v_th=1.0)
    with pytest.raises(ValueError, match="tau_mem_inv"):
        CubaLIFParams.from_norse(tau_syn_inv=200.0, tau_mem_inv=-1.0, v_th=1.0)


@pytest.mark.parametrize("bad, match", [
    (dict(du=4096), "du"), (dict(dv=-1), "dv"), (dict(width=8), "width"),
    (dict(vth=1 << 17), "vth"), (dict(bias_mant=1 << 20, bias_exp=4), "bias_mant"),
    (dict(in_width=19), "in_width"),
])
def test_bad_params(bad, match):
    with pytest.raises(ValueError, match=match):
        CubaLIFParams(**bad)


def test_cli_error_is_one_line(capsys):
    assert main(["describe", "cuba_lif", "--param", "du=5000"]) == 2
    err = capsys.readouterr().err.strip()
    assert "du" in err and "\n" not in err


@pytest.mark.parametrize("name", list(cl.PRESETS))
def test_datapath_matches_step(name):
    from rtl_gen.cuba_lif import CubaLIFDatapath

    p = cl.PRESETS[name]
    rng = np.random.default_rng(9)
    half = 1 << (p.width - 1)
    u = np.concatenate([rng.integers(1 - half, half, 300, endpoint=True),
                        rng.integers(-4000, 4000, 100), [half, 1 - half, 0]])
    v = np.concatenate([rng.integers(1 - half, half - 1, 300, endpoint=True),
                        rng.integers(-4000, 8000, 100), [half - 1, 1 - half, p.threshold]])
    lo, hi = -(1 << (p.in_width - 1)), (1 << (p.in_width - 1)) - 1
    a = np.concatenate([rng.integers(lo, hi, 400, endpoint=True), [hi, lo, 0]])
    want, spike = cl.step(p, CubaLIFState(u, v), a)
    got = evaluate_datapath(CubaLIFDatapath(params=p), p, {"u": u, "v": v}, {"a_in": a})
    assert np.array_equal(got["u_next"], want.u)
    assert np.array_equal(got["v_next"], want.v)
    assert np.array_equal(got["spike"], spike.astype(np.int64))


@pytest.mark.cosim
@pytest.mark.parametrize("name", list(cl.PRESETS))
def test_cosim_bit_exact(name):
    from rtl_gen.verify.unit import run_cosim

    p, cycles, seed = cl.PRESETS[name], 50_000, 3000 + len(name)
    stim = make_stimulus(p, cycles, seed)
    golden = run(p, {"a_in": stim.inputs["a_in"][:, None]}, record=True, en=stim.en,
                 rst=stim.rst)
    half = 1 << (p.width - 1)
    u, v = golden.traces["u"][:, 0], golden.traces["v"][:, 0]
    # coverage: spikes (a readout: none, though v passes the threshold), wrapped current
    # (u_sum beyond the range), clipped membrane
    if p.fires:
        assert golden.spikes.sum() >= 500
    else:
        assert golden.spikes.sum() == 0 and (v > p.threshold).sum() >= 500
    prev_u = np.concatenate([[0], u[:-1]])
    u_sum = cl.decay(prev_u, p.du + 1) + (stim.inputs["a_in"] << 6)
    wraps = ((u_sum > half) | (u_sum <= -half))[stim.en].sum()
    reachable = (1 << (p.in_width - 1 + 6)) * 4096 // (p.du + 1) > half  # steady state
    assert wraps >= 20 if reachable else wraps == 0, f"{wraps} wraps"
    assert (v == 1 - half).sum() >= 20, "v never clipped at the bottom"
    result = run_cosim(p, preset=name, cycles=cycles, seed=seed, build_root=BUILD_ROOT,
                       golden=golden, mode="bulk")
    assert result.passed and result.cycles == cycles, result.first_mismatch


@pytest.mark.cosim
def test_cosim_catches_a_floor_decay(monkeypatch):
    """Teeth: expected values from a decay that floors instead of rounding toward zero
    (the classic mistake) must fail the bench against the real Verilog."""
    from rtl_gen.verify.unit import run_cosim

    monkeypatch.setattr(cl, "decay", lambda x, d: (np.asarray(x, np.int64) * (4096 - d)) >> 12)
    # the engine runs the in-place kernel: its decay floors too
    monkeypatch.setattr(cl.CubaLIFKernel, "_decay",
                        lambda self, x, d, out: np.copyto(out, (x * (4096 - d)) >> 12))
    result = run_cosim(cl.PRESETS["w16"], preset="w16", cycles=10_000, seed=3,
                       build_root=BUILD_ROOT, mode="bulk")
    assert not result.passed and result.mismatches > 100
