"""Mutation analysis (rtl_gen.verify.mutation): the mutants, the schema that holds them, the
bench that replays the stimulus per mutant, the Yosys equivalence check, the command."""

import json
import re

import pytest
from conftest import BUILD_ROOT

from neurocore_hw.cli import main
from neurocore_hw.models import adex, alif, cuba_lif, lif, sc_sng
from rtl_gen.emit import emit_verilog
from rtl_gen.verify.exhaustive import datapath_top
from rtl_gen.verify.mutation import (
    OPERATORS,
    MutationReport,
    _datapath_mutants,
    _mutated_signal,
    _state_check,
    apply_mutant,
    equivalent,
    equivalent_from_reset,
    equivalent_structural,
    find_mutants,
    markdown,
    mutant_schema,
    run_mutation,
)
from rtl_gen.verify.unit import run_cosim

LIF = lif.PRESETS["sc_lif_q8_8"]


def _pick(mutants, operator, original, mutated):
    """The one mutant of ``operator`` whose texts contain ``original`` / ``mutated``."""
    found = [m for m in mutants if m.operator == operator and original in m.original
             and mutated in m.mutated and m.original.replace(original, mutated, 1) ==
             m.mutated]
    assert len(found) == 1, [m.describe() for m in found]
    return found[0]


@pytest.fixture(scope="module")
def lif_mutants():
    verilog = emit_verilog(LIF)
    mutants = find_mutants(verilog)
    return verilog, mutants, {
        # the threshold compare made strict (caught only at v_next == threshold)
        "compare": _pick(mutants, "relation", ">= $signed(10'h100)", "> $signed(10'h100)"),
        # the refractory count loaded on a spike one less
        "refractory": _pick(mutants, "constant", "2'h2", "2'h1"),
        # a padding nibble below the bits a floor shift drops: no effect at all
        "padding": _pick(mutants, "constant", "i_in, 4'h0", "i_in, 4'h1"),
    }


def test_lif_mutants_cover_every_operator_class_once_per_line(lif_mutants):
    verilog, mutants, _ = lif_mutants
    assert [m.index for m in mutants] == list(range(1, len(mutants) + 1))
    assert {m.operator for m in mutants} == set(OPERATORS) - {"shift"}  # LIF: no shifts
    lines = verilog.split("\n")
    for m in mutants:
        changed = [i for i, (a, b) in enumerate(zip(lines, apply_mutant(verilog, m)
                                                     .split("\n"))) if a != b]
        assert changed == [m.line], m.describe()
    # the enable and reset conditions of the registered shell are mutated too
    assert sum(m.operator == "condition" for m in mutants) == 6


def test_schema_without_a_mutant_is_the_design_and_needs_unique_names(lif_mutants):
    verilog, mutants, _ = lif_mutants
    schema = mutant_schema(verilog, mutants)
    assert schema.count("integer neurocore_mutant;") == 2  # the unit and its datapath
    assert all(re.search(rf"neurocore_mutant == {m.index}\b", schema) for m in mutants)
    with pytest.raises(ValueError, match="mut_orig_"):
        mutant_schema(verilog.replace("in_refrac", "mut_orig_3"), mutants)


@pytest.mark.cosim
def test_schema_bench_counts_each_mutant_like_the_plain_mutant(lif_mutants):
    """Replaying the stimulus per mutant inside one simulation gives, for each mutant,
    exactly the mismatches of that mutant's own Verilog run alone; the padding mutant
    none."""
    verilog, mutants, chosen = lif_mutants
    schema = mutant_schema(verilog, mutants)
    indices = tuple(m.index for m in chosen.values())
    res = run_cosim(LIF, verilog=schema, mode="bulk", cycles=20_000, seed=7,
                    build_root=BUILD_ROOT, mutants=indices)
    assert res.passed and res.mismatches == 0
    assert set(res.mutant_mismatches) == set(indices)
    assert res.mutant_mismatches[chosen["padding"].index] == 0
    for name in ("compare", "refractory"):
        m = chosen[name]
        alone = run_cosim(LIF, verilog=apply_mutant(verilog, m), mode="bulk",
                          cycles=20_000, seed=7, build_root=BUILD_ROOT)
        assert res.mutant_mismatches[m.index] == alone.mismatches > 0, name
    with pytest.raises(ValueError, match="schema"):
        run_cosim(LIF, mode="bulk", cycles=100, mutants=indices)


@pytest.mark.cosim
def test_yosys_proves_the_equivalent_mutant_and_not_the_others(lif_mutants):
    verilog, _, chosen = lif_mutants
    top = "neurocore_lif"
    assert equivalent(verilog, verilog, top) is True
    assert equivalent(verilog, apply_mutant(verilog, chosen["padding"]), top) is True
    assert equivalent(verilog, apply_mutant(verilog, chosen["compare"]), top) is False
    assert equivalent(verilog, apply_mutant(verilog, chosen["refractory"]), top) is False
    # from reset: the compare mutant differs within a few cycles (a real difference)
    assert equivalent_from_reset(verilog, apply_mutant(verilog, chosen["compare"]),
                                 top) is False


@pytest.mark.cosim
def test_a_difference_only_in_unreachable_states_is_equivalent_from_reset():
    """LIF's registered-input variant: a mutant of the reset value of its 17-bit input
    register survives the bench; it is not equivalent from every register state, but
    k-induction from reset proves the difference never reaches an output."""
    verilog = emit_verilog(LIF, "fast")
    found = [m for m in find_mutants(verilog) if m.kind == "const" and m.width == 0
             and m.original == "17'h00000"]
    assert found, "the input register's reset constant"
    mutated = apply_mutant(verilog, found[0])
    assert equivalent(verilog, mutated, "neurocore_lif_fast") is False
    assert equivalent_from_reset(verilog, mutated, "neurocore_lif_fast") is True


@pytest.mark.cosim
def test_mutation_run_kills_every_sng_mutant_and_a_blind_bench_kills_few():
    """The whole analysis on the LFSR number generator: every mutant killed with the
    standard run; a bench that compares two cycles (teeth of the measure itself) misses
    a quarter or more of them."""
    params = sc_sng.PRESETS["lfsr8"]
    full = run_mutation(params, preset="lfsr8", cycles=20_000, jobs=2, build_root=BUILD_ROOT)
    assert len(full.mutants) >= 10 and full.kill_rate == 1.0
    assert full.equivalents + full.killed == len(full.mutants)
    blind = run_mutation(params, preset="lfsr8", cycles=2, long_cycles=0, jobs=1,
                         build_root=BUILD_ROOT, equivalence=False, state_check=False)
    assert blind.killed + blind.count("survived") == len(blind.mutants)
    assert blind.kill_rate <= 0.75 and blind.count("survived") >= 3
    assert blind.to_dict()["survived"] == blind.count("survived")
    again = MutationReport.from_dict(json.loads(json.dumps(blind.to_dict())))
    assert again.to_dict() == blind.to_dict()  # what mutants_page.py merges


@pytest.mark.cosim
def test_a_sample_of_mutants_is_reported_as_one():
    """``sample=4`` runs four of the generator's twelve mutants, drawn by the seed; the
    report and its page say so, with the interval of the estimate."""
    params = sc_sng.PRESETS["lfsr8"]
    runs = [run_mutation(params, preset="lfsr8", cycles=200, long_cycles=0, jobs=1,
                         build_root=BUILD_ROOT, equivalence=False, sample=4, seed=seed)
            for seed in (1, 2)]
    assert [len(r.mutants) for r in runs] == [4, 4]
    assert all(r.population == 12 and r.sampled for r in runs)
    assert [m.index for m in runs[0].mutants] != [m.index for m in runs[1].mutants]
    assert "| 4 of 12 |" in markdown(runs)
    assert MutationReport.from_dict(runs[0].to_dict()).population == 12
    with pytest.raises(ValueError, match="sample"):
        run_mutation(params, sample=0)


@pytest.mark.parametrize("params", [cuba_lif.PRESETS["loihi"], adex.PRESETS["norse"]],
                         ids=["cuba_lif", "adex"])
def test_every_datapath_mutant_has_its_twin_in_the_datapath_wrapper(params):
    """The state check replays a unit's datapath mutant in the wrapped datapath: the same
    change on the same text; the registered shell's mutants have none. AdEx's datapath
    instantiates a submodule (the exponential), named with the top's prefix in each
    file: its mutants have twins too (they had none while that line differed)."""
    verilog = emit_verilog(params)
    mutants = find_mutants(verilog)
    twins = _datapath_mutants(verilog, mutants, datapath_top(params))
    inside = [m for m in mutants if ".datapath" in m.module]
    assert inside and len(inside) < len(mutants)
    assert sorted(twins) == [m.index for m in inside]
    for m in inside:
        twin = twins[m.index]
        assert (twin.operator, twin.original, twin.mutated) == (m.operator, m.original,
                                                                 m.mutated)


@pytest.mark.cosim
def test_the_state_check_kills_a_mutant_no_state_from_reset_shows():
    """ALIF (lsnn): a mutant of the adaptation's overflow compare (an increment added when
    the neuron does NOT spike, seen only when ``a`` is within one jump of 2^15) survives
    the bench from reset -- the rising threshold stops spiking long before -- and the
    datapath check at every state kills it."""
    params = alif.PRESETS["lsnn"]
    verilog = emit_verilog(params)
    mutants = find_mutants(verilog)
    found = [m for m in mutants if m.operator == "ternary"
             and m.original.strip() == "spike ? 9'h100 : 9'h000"]
    assert len(found) == 3  # one copy of the increment per use: max, min, value
    lines = verilog.split("\n")
    # the copy whose sum (next line) only feeds the "> 16'h7fff" compare (the line after)
    (mutant,) = [m for m in found if "> $signed(16'h7fff)" in lines[m.line + 2]]
    schema = mutant_schema(verilog, [mutant])
    bench = run_cosim(params, verilog=schema, top="neurocore_alif", mode="bulk",
                      cycles=50_000, seed=3, build_root=BUILD_ROOT,
                      mutants=(mutant.index,), preset="mutants")
    assert bench.passed and bench.mutant_mismatches[mutant.index] == 0
    counts, exhaustive = _state_check(params, verilog, [mutant], BUILD_ROOT)
    assert counts[mutant.index] > 0 and not exhaustive  # 16-bit states: a sample


@pytest.mark.cosim
def test_at_a_narrow_format_the_state_check_decides_every_datapath_mutant():
    """At a format whose every state and input can be enumerated (the LIF at Q4.1, as in
    tests/test_exhaustive.py) the state check decides each datapath mutant the bench
    leaves: killed, or equivalent by enumeration -- none is left undecided or survives.
    Yosys, independently, proves every mutant the enumeration calls equivalent."""
    from test_exhaustive import narrow

    params = narrow("lif")
    verilog, top = emit_verilog(params), "neurocore_lif"
    report = run_mutation(params, cycles=300, long_cycles=0, equivalence=False,
                          build_root=BUILD_ROOT)
    inside = [m for m in report.mutants if m.module.strip().endswith(".datapath")]
    outcomes = [report.outcomes[m.index] for m in inside]
    assert set(outcomes) == {"killed", "killed-state", "equivalent-exhaustive"}, outcomes
    enumerated = [m for m in inside if report.outcomes[m.index] == "equivalent-exhaustive"]
    for m in enumerated:
        assert equivalent(verilog, apply_mutant(verilog, m), top, timeout=60), m.describe()
    assert report.to_dict()["equivalent_exhaustive"] == len(enumerated)


def test_structural_check_proves_what_the_flat_miter_cannot():
    """cuba_lif (loihi): ``u < 0`` made ``u <= 0`` in front of the decay's multiplier (at
    u = 0 both branches are 0) is proven equivalent through cut points; the clip bound of
    v one code lower (a real difference at a sum of exactly -2^23) and the wrap compare of
    the current made ``>=`` are not."""
    params = cuba_lif.PRESETS["loihi"]
    verilog = emit_verilog(params)
    top = "neurocore_cuba_lif"
    mutants = find_mutants(verilog)

    def check(operator, original, mutated):
        m = next(m for m in mutants if m.operator == operator
                 and m.original.strip() == original and m.mutated.strip() == mutated)
        return equivalent_structural(verilog, apply_mutant(verilog, m), top,
                                     [_mutated_signal(m, verilog, top)])

    assert check("relation", "$signed(u) < $signed(1'h0)", "$signed(u) <= $signed(1'h0)")
    assert check("constant", "$signed(v_sum) < $signed(24'h800001)",
                 "$signed(v_sum) < $signed(24'h800000)") is None
    assert check("relation", "$signed(u_sum) > $signed(25'h0800000)",
                 "$signed(u_sum) >= $signed(25'h0800000)") is None


def test_mutants_command_refuses_bad_options(capsys):
    assert main(["mutants"]) == 2
    assert "needs MODEL" in capsys.readouterr().err
    assert main(["mutants", "--all", "lif"]) == 2
    assert main(["mutants", "lif", "--min-kill-rate", "2"]) == 2
    assert main(["mutants", "lif", "--jobs", "0"]) == 2
    assert main(["mutants", "lif", "--sample", "0"]) == 2


@pytest.mark.cosim
def test_mutants_command_writes_its_report(tmp_path, capsys):
    page, data = tmp_path / "m.md", tmp_path / "m.json"
    assert main(["mutants", "sc_sng", "--markdown", str(page), "--json", str(data)]) == 0
    out = capsys.readouterr().out
    assert "sc_sng" in out and "100.0 %" in out
    assert "| sc_sng | - | lfsr8 |" in page.read_text()
    record = json.loads(data.read_text())[0]
    assert record["kill_rate"] == 1.0 and len(record["outcomes"]) == record["mutants"]


def test_schema_selector_follows_a_wrapped_port_list():
    """A module whose port list wraps (frac_lif's 17 state ports) gets its mutant selector
    after the header's ``);``, not inside the port list (a Verilator syntax error)."""
    from neurocore_hw.models import frac_lif

    text = emit_verilog(frac_lif.PRESETS["a07_k16"])
    schema = mutant_schema(text, find_mutants(text)[:5])
    lines = schema.splitlines()
    for k, line in enumerate(lines):
        if re.match(r"\s*module ", line) and not line.rstrip().endswith(");"):
            close = next(j for j in range(k, len(lines)) if lines[j].rstrip().endswith(");"))
            assert not any("integer" in x for x in lines[k:close + 1])
            assert lines[close + 1].strip().startswith("integer")
            break
    else:
        raise AssertionError("no wrapped module header in frac_lif's Verilog")
