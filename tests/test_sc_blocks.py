"""The registered stochastic-computing blocks: per-clock golden models against the
vectorized library, exactness of the low-discrepancy schemes, and whole streams bit-exact
under Verilator (datapath == step in amaranth.sim is in the contract suite)."""

import numpy as np
import pytest
from conftest import BUILD_ROOT

from neurocore_hw import sc
from neurocore_hw.engine import run
from neurocore_hw.models import sc_add, sc_decoder, sc_lif, sc_mul, sc_sng, sc_xor_neuron
from neurocore_hw.registry import MODELS
from neurocore_hw.stimulus import make_stimulus

BLOCKS = ("sc_sng", "sc_mul", "sc_add", "sc_decoder", "sc_lif", "sc_xor_neuron")
CASES = [(b, preset) for b in BLOCKS for preset in MODELS[b].presets]


def constant(value, length):
    return np.full((length, 1), value, dtype=np.int64)


@pytest.mark.parametrize("preset", list(sc_sng.PRESETS))
def test_sng_equals_library_streams(preset):
    p = sc_sng.PRESETS[preset]
    length, x = 3000, 77 << (p.width - 8)
    bits = run(p, {"x": constant(x, length)}).spikes[:, 0]
    if p.source == "lfsr":
        rand = sc.lfsr_sequence(p.width, [p.seed], length, p.taps == "mirror")[:, 0]
    else:
        rand = sc.vdc_sequence(p.width, length, p.seed)
    assert np.array_equal(bits, rand < x)
    assert abs(bits.mean() - x / 2 ** p.width) < 0.03


def test_mul_and_add_equal_library_gates():
    length, x, y = 4000, 150, 90
    p = sc_mul.PRESETS["lfsr8_and"]
    ra = sc.lfsr_sequence(8, [p.seed_a], length)[:, :1]
    rb = sc.lfsr_sequence(8, [p.seed_b], length, mirror=True)[:, :1]
    a, b = sc.pack(ra < x), sc.pack(rb < y)
    got = run(p, {"x": constant(x, length), "y": constant(y, length)}).spikes
    assert np.array_equal(sc.pack(got), sc.sc_and(a, b))
    q = sc_add.PRESETS["lfsr8"]
    rs = sc.lfsr_sequence(8, [q.seed_s], length)[:, :1]
    got = run(q, {"x": constant(x, length), "y": constant(y, length)}).spikes
    assert np.array_equal(sc.pack(got), sc.sc_mux(sc.pack(rs < 128), a, b))


def test_low_discrepancy_schemes_are_exact_over_a_period():
    rng = np.random.default_rng(1)
    mul, add = sc_mul.PRESETS["vdc8_and"], sc_add.PRESETS["vdc8"]
    for x, y in rng.integers(0, 256, (20, 2)):
        prod = run(mul, {"x": constant(x, 256), "y": constant(y, 256)}).spikes.sum()
        # exhaustively over all 256 x 256 codes the error is at most 2.78 (measured)
        assert abs(prod - x * y / 256) <= 2.78, (x, y, prod)
        total = run(add, {"x": constant(x, 512), "y": constant(y, 512)}).spikes.sum()
        assert total == x + y


def test_decoder_counts_windows():
    p = sc_decoder.PRESETS["l64"]
    bits = (np.random.default_rng(2).random((640, 1)) < 0.3).astype(np.int64)
    out = run(p, {"stream": bits}, record=True)
    done = np.flatnonzero(out.spikes[:, 0])
    assert np.array_equal(done, np.arange(63, 640, 64))
    assert np.array_equal(out.traces["value"][done, 0], bits.reshape(10, 64).sum(axis=1))


def test_bitstream_neurons_are_lif_on_the_stream():
    """sc_lif and the XOR neuron equal the LIF golden step driven by the library streams."""
    length = 2000
    p = sc_lif.PRESETS["lfsr8"]
    bits = sc.lfsr_sequence(8, [p.seed], length)[:, :1] < 100
    want = run(p.lif, {"i_in": bits * p.input_scale}, record=True)
    got = run(p, {"x": constant(100, length)}, record=True)
    assert np.array_equal(got.spikes, want.spikes) and want.spikes.sum() > 20
    assert np.array_equal(got.traces["v"], want.traces["v"])
    q = sc_xor_neuron.PRESETS["lfsr8"]
    d1 = sc.lfsr_sequence(8, [q.seed_a], length)[:, :1] < 200
    d2 = sc.lfsr_sequence(8, [q.seed_b], length, mirror=True)[:, :1] < 60
    got = run(q, {"x1": constant(200, length), "x2": constant(60, length)})
    want = run(q.lif, {"i_in": (d1 ^ d2) * q.input_scale})
    assert np.array_equal(got.spikes, want.spikes) and want.spikes.sum() > 20


def test_xor_neuron_computes_xor():
    """Fires for one active input, stays quiet for none or both."""
    q = sc_xor_neuron.PRESETS["vdc8"]
    counts = {}
    for x1, x2 in ((0, 0), (255, 0), (0, 255), (255, 255)):
        counts[(x1, x2)] = run(q, {"x1": constant(x1, 1024),
                                   "x2": constant(x2, 1024)}).spikes.sum()
    assert counts[(0, 0)] == 0 and counts[(255, 255)] <= 5
    assert counts[(255, 0)] > 50 and counts[(0, 255)] > 50


@pytest.mark.parametrize("bad, match", [
    (lambda: sc_sng.SNGParams(seed=0), "seed"),
    (lambda: sc_sng.SNGParams(width=33), "width"),
    (lambda: sc_mul.SCMulParams(seed_b=0), "seed_b|seed"),
    (lambda: sc_add.SCAddParams(seed_s=1), "seed_s"),
    (lambda: sc_lif.SCLIFParams(input_scale=1 << 20), "input_scale"),
    (lambda: sc_decoder.DecoderParams(0), "log2_length"),
])
def test_bad_params(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


@pytest.mark.cosim
@pytest.mark.parametrize("block, preset", CASES)
def test_cosim_whole_streams(block, preset):
    from rtl_gen.verify.unit import run_cosim

    p, cycles, seed = MODELS[block].presets[preset], 100_000, 5000 + len(block + preset)
    stim = make_stimulus(p, cycles, seed)
    golden = run(p, {k: v[:, None] for k, v in stim.inputs.items()}, record=True,
                 en=stim.en, rst=stim.rst)
    assert 0.01 < golden.spikes.mean() < 0.99 or block == "sc_decoder"
    result = run_cosim(p, preset=preset, cycles=cycles, seed=seed, build_root=BUILD_ROOT,
                       golden=golden, mode="bulk")
    assert result.passed and result.cycles == cycles, result.first_mismatch


@pytest.mark.cosim
def test_cosim_catches_wrong_taps(monkeypatch):
    """Teeth: expected streams from the mirrored taps where the RTL uses the table's."""
    from rtl_gen.verify.unit import run_cosim

    real = sc_sng.advance  # the golden model's source step (the RTL does not use it)

    def flipped(source, width, rand, taps="table"):
        return real(source, width, rand, "mirror" if taps == "table" else "table")

    monkeypatch.setattr(sc_sng, "advance", flipped)
    result = run_cosim(sc_sng.PRESETS["lfsr8"], preset="lfsr8", cycles=5_000, seed=1,
                       build_root=BUILD_ROOT, mode="bulk")
    assert not result.passed and result.mismatches > 100
