"""Bit-exact co-simulation of the emitted Verilog under Verilator (the product).

Every output and state register is compared on every cycle. The stimulus mixes
realistic and full-range inputs, extremes, pinned (overflow) segments, reset pulses and
enable gaps; the coverage asserts below prove each of those actually happened.
"""

import dataclasses
import re

import numpy as np
import pytest
from conftest import BUILD_ROOT, REPO

from neurocore_hw.cli import main
from neurocore_hw.engine import run
from neurocore_hw.fixed import int_range, shift_right
from neurocore_hw.models import lif
from neurocore_hw.models.lif import LIFParams
from neurocore_hw.stimulus import make_stimulus
from rtl_gen import lif as rtl_lif
from rtl_gen.emit import emit_verilog
from rtl_gen.verify.unit import run_cosim

pytestmark = pytest.mark.cosim

WIDE = LIFParams(width=32, frac=31, v_rest=-(1 << 30), v_reset=-(1 << 31),
                 v_threshold=1 << 30, leak_k=(1 << 26) + 12345, gain_k=(1 << 31) - 1,
                 refractory=100, overflow="saturate", rounding="nearest")
CASES = [(name, params, 50_000) for name, params in lif.PRESETS.items()]
CASES.append(("w32_frac31_saturate_nearest", WIDE, 20_000))


def coverage(params, cycles, seed):
    """What the stimulus exercised, measured on the golden trace."""
    stim = make_stimulus(params, cycles, seed)
    golden = run(params, {k: v[:, None] for k, v in stim.inputs.items()}, record=True,
                 en=stim.en, rst=stim.rst)
    lo, hi = int_range(params.width)
    # state before each cycle, and the pre-overflow sum of the integrate path
    v_before = np.concatenate([[params.v_rest], golden.traces["v"][:-1, 0]])
    refrac_before = np.concatenate([[0], golden.traces["refrac"][:-1, 0]])
    total = (v_before + shift_right((params.v_rest - v_before) * params.leak_k, params.frac,
                                    params.rounding)
             + shift_right(stim.inputs["i_in"] * params.gain_k, params.frac, params.rounding)
             + stim.inputs["noise_in"])
    integrating = stim.en & ~stim.rst & (refrac_before == 0)
    return {
        "spikes": int(golden.spikes.sum()),
        "refractory_cycles": int((golden.traces["refrac"][:, 0] > 0).sum()),
        "en_low": int((~stim.en).sum()),
        "resets": int(stim.rst.sum()),
        "input_extremes": int(sum(((x == lo) | (x == hi)).sum()
                                  for x in stim.inputs.values())),
        "overflows": int((integrating & ((total < lo) | (total > hi))).sum()),
    }


@pytest.mark.parametrize("name, params, cycles", CASES, ids=[c[0] for c in CASES])
def test_bit_exact(name, params, cycles):
    seed = 1000 + CASES.index((name, params, cycles))
    cov = coverage(params, cycles, seed)
    assert cov["spikes"] >= 50 and cov["refractory_cycles"] >= 50, cov
    assert cov["en_low"] >= 100 and cov["resets"] >= 3 and cov["input_extremes"] >= 1000, cov
    assert cov["overflows"] >= 50, cov
    result = run_cosim(params, preset=name, cycles=cycles, seed=seed, build_root=BUILD_ROOT)
    assert result.cycles == cycles
    assert result.passed, result.first_mismatch


@pytest.mark.parametrize("name", list(lif.PRESETS))
def test_fast_variant_bit_exact(name):
    """The ``fast`` unit (input term staged a clock ahead, carry-save loop, threshold
    test from the sums' top bits) against its cycle model, through overflow."""
    params = lif.PRESETS[name]
    seed = 2000 + list(lif.PRESETS).index(name)
    cov = coverage(params, 30_000, seed)
    assert cov["spikes"] >= 50 and cov["overflows"] >= 50 and cov["resets"] >= 3, cov
    result = run_cosim(params, preset=name, cycles=30_000, seed=seed, variant="fast",
                       build_root=BUILD_ROOT, mode="bulk")
    assert result.passed, result.first_mismatch


def test_fast_variant_bench_has_teeth(monkeypatch):
    """Expected values without the one-clock input stage must fail the fast unit."""
    def no_stage(params, i_in, noise_in, en, rst):
        golden = run(params, {"i_in": np.asarray(i_in)[:, None],
                              "noise_in": np.asarray(noise_in)[:, None]},
                     record=True, en=en, rst=rst)
        return {"spike": golden.spikes[:, 0].astype(np.int64), "v": golden.traces["v"][:, 0],
                "refrac": golden.traces["refrac"][:, 0]}

    fast = rtl_lif.HARDWARE.variants["fast"]
    monkeypatch.setattr(rtl_lif, "HARDWARE", dataclasses.replace(
        rtl_lif.HARDWARE, variants={"fast": dataclasses.replace(fast, cycle_model=no_stage)}))
    result = run_cosim(lif.PRESETS["sc_lif_q8_8"], preset="teeth", cycles=5_000, seed=3,
                       variant="fast", build_root=BUILD_ROOT)
    assert not result.passed and result.mismatches > 100


MUTATIONS = {
    # operator: the threshold compare becomes strict (caught only at v_next == threshold)
    "compare": (r">= \$signed\(10'h100\)", "> $signed(10'h100)"),
    # operator: noise is subtracted instead of added
    "noise_sign": (r"\) \+ \$signed\(noise_in\)", ") - $signed(noise_in)"),
    # constant: the refractory period loaded on a spike becomes 1 instead of 2
    "refractory": (r"spike \? 2'h2 : 2'h0", "spike ? 2'h1 : 2'h0"),
}


def mutate(text: str, name: str) -> str:
    pattern, replacement = MUTATIONS[name]
    mutated, count = re.subn(pattern, replacement, text)
    assert count == 1, f"mutation {name} matched {count} times"
    return mutated


def test_bulk_and_per_cycle_benches_agree_and_have_teeth():
    """Both benches pass the real unit and fail the same mutant at the same cycle."""
    params = lif.PRESETS["sc_lif_q8_8"]
    mutant = mutate(emit_verilog(params), "compare")
    first = {}
    for mode in ("cycle", "bulk"):
        good = run_cosim(params, cycles=20_000, seed=11, build_root=BUILD_ROOT, mode=mode)
        assert good.passed and good.cycles == 20_000, (mode, good.first_mismatch)
        bad = run_cosim(params, cycles=20_000, seed=11, build_root=BUILD_ROOT, mode=mode,
                        verilog=mutant)
        assert not bad.passed and bad.first_mismatch.startswith("seed 11 cycle "), mode
        first[mode] = (bad.first_mismatch, bad.mismatches)
    assert first["cycle"] == first["bulk"], first


def test_bulk_mode_limits():
    with pytest.raises(ValueError, match="no waves"):
        run_cosim(lif.PRESETS["sc_lif_q8_8"], cycles=(1 << 17) + 1, mode="bulk",
                  waves=True, waves_dir="unused")
    with pytest.raises(ValueError, match="mode="):
        run_cosim(lif.PRESETS["sc_lif_q8_8"], cycles=10, mode="fast")


def test_bulk_soak_runs_in_segments_and_names_the_failing_seed():
    """A bulk run longer than the bench's memory is split into equal segments with
    successive seeds: the good unit passes every cycle, and a mutant's mismatches are
    exactly those of the two segments run alone (same sizes, seeds 20 and 21)."""
    params = lif.PRESETS["sc_lif_q8_8"]
    cycles = (1 << 17) + 1000
    good = run_cosim(params, cycles=cycles, seed=20, build_root=BUILD_ROOT, mode="bulk")
    assert good.passed and good.cycles == cycles and good.mismatches == 0
    mutant = mutate(emit_verilog(params), "compare")
    bad = run_cosim(params, cycles=cycles, seed=20, build_root=BUILD_ROOT, mode="bulk",
                    verilog=mutant)
    parts = [run_cosim(params, cycles=cycles // 2, seed=seed, build_root=BUILD_ROOT,
                       mode="bulk", verilog=mutant) for seed in (20, 21)]
    assert not bad.passed and bad.cycles == cycles
    assert bad.mismatches == sum(p.mismatches for p in parts) > 0
    assert bad.first_mismatch == next(p.first_mismatch for p in parts if p.first_mismatch)


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_mutated_verilog_fails(mutation):
    """Teeth: one changed operator or constant in the Verilog makes the bench fail."""
    params = lif.PRESETS["sc_lif_q8_8"]
    verilog = mutate(emit_verilog(params), mutation)
    result = run_cosim(params, preset=f"mutant-{mutation}", cycles=20_000, seed=7,
                       verilog=verilog, build_root=BUILD_ROOT)
    assert not result.passed and result.mismatches > 0
    assert re.match(r"seed 7 cycle \d+ signal \w+: expected -?\d+, got -?\d+$",
                    result.first_mismatch)


def test_cli_verifies_user_verilog(tmp_path, capsys, monkeypatch):
    """`cosim --verilog` passes the generated file and fails a mutated one (exit 1)."""
    monkeypatch.chdir(REPO)
    good = tmp_path / "good.v"
    bad = tmp_path / "bad.v"
    text = emit_verilog(lif.PRESETS["sc_lif_q8_8"])
    good.write_text(text)
    bad.write_text(mutate(text, "noise_sign"))
    assert main(["cosim", "lif", "--cycles", "3000", "--verilog", str(good)]) == 0
    assert "PASS" in capsys.readouterr().out
    assert main(["cosim", "lif", "--cycles", "3000", "--verilog", str(bad)]) == 1
    captured = capsys.readouterr()
    assert "FAIL" in captured.out and "MISMATCH lif/sc_lif_q8_8: seed 1 cycle" in captured.err


def test_cli_waves(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["cosim", "lif", "--preset", "q4_4_saturate", "--cycles", "200", "--waves",
                 "--waves-dir", str(tmp_path)]) == 0
    dumps = list(tmp_path.rglob("*.fst")) + list(tmp_path.rglob("*.vcd"))
    assert dumps and dumps[0].stat().st_size > 1000


def test_cli_rejects_missing_verilog(capsys):
    assert main(["cosim", "lif", "--verilog", "/nonexistent.v"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cosim_coverage_uses_the_seed():
    p = lif.PRESETS["sc_lif_q8_8"]
    a, b = make_stimulus(p, 500, 1), make_stimulus(p, 500, 2)
    assert np.array_equal(make_stimulus(p, 500, 1).inputs["i_in"], a.inputs["i_in"])
    assert not np.array_equal(a.inputs["i_in"], b.inputs["i_in"])


def test_verilator_runtime_is_compiled_once(tmp_path):
    """The second design in a build root links the cached runtime instead of compiling
    it and includes the runtime's precompiled headers, and still co-simulates
    bit-exactly (the mutation test above shows such a bench can fail); a broken
    precompiled header only costs parsing time."""
    first = run_cosim(lif.PRESETS["sc_lif_q8_8"], cycles=1000, build_root=tmp_path)
    second = run_cosim(lif.PRESETS["q4_4_saturate"], cycles=1000, build_root=tmp_path)
    assert first.passed and second.passed
    logs = [p.read_text() for p in sorted(tmp_path.glob("neurocore_tb-*/build.log"),
                                          key=lambda p: p.stat().st_mtime)]
    assert len(logs) == 2
    assert "verilated.cpp" in logs[0] and "verilated.cpp" not in logs[1]
    assert "verilated_runtime.o" in logs[1]
    # ... and compiles with the runtime's headers precompiled by the first build
    assert "compile_with_header.sh" not in logs[0]
    assert "compile_with_header.sh c++" in logs[1] and "Winvalid-pch" not in logs[1]
    (gch,) = tmp_path.glob("_runtime-*/verilated_all.h.gch")
    # a precompiled header GCC cannot use costs time, never the build: it reads the text
    gch.write_bytes(b"not a precompiled header")
    third = run_cosim(lif.PRESETS["q12_12_nearest"], cycles=1000, build_root=tmp_path)
    assert third.passed
    log = max(tmp_path.glob("neurocore_tb-*/build.log"), key=lambda p: p.stat().st_mtime)
    assert "not a PCH file" in log.read_text()  # GCC's -Winvalid-pch warning
