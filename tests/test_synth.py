"""Synthesis smoke test: the default LIF maps to iCE40 under budget, with no latches."""

import json

import pytest

from neurocore_hw.cli import main
from neurocore_hw.models import lif
from rtl_gen.emit import emit_verilog
from rtl_gen.synth import synthesize

LUT4_BUDGET = 150  # issue: <= 150 LUT4, no DSP for the default LIF


def test_default_lif_ice40_under_budget():
    report = synthesize(emit_verilog(lif.PRESETS["sc_lif_q8_8"]), "neurocore_lif", "ice40")
    assert report.latch == 0 and report.latch_warnings == []
    assert report.dsp == 0
    assert 0 < report.lut <= LUT4_BUDGET, report.cells
    assert report.ff == 16 + 2 + 1  # v, refrac, spike: nothing else is registered
    assert report.yosys_version


def test_latch_check_has_teeth():
    latch = ("module latchy(input en, input [3:0] d, output reg [3:0] q);\n"
             "  always @* if (en) q = d;\nendmodule\n")
    with pytest.raises(RuntimeError, match=r"latch inferred in latchy .*\\q"):
        synthesize(latch, "latchy", "ice40")


def test_unknown_target():
    with pytest.raises(ValueError, match="target='vhdl'"):
        synthesize("", "x", "vhdl")


def test_place_and_route_reports_fmax(capsys):
    """The serial harness places on a UP5K (7 pins) and nextpnr reports Fmax."""
    assert main(["synth", "lif", "--pnr", "up5k", "--seeds", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert 10.0 < result["fmax_median_mhz"] < 300.0
    assert result["utilization"]["SB_IO"][0] == 7
    assert 0 < result["utilization"]["ICESTORM_LC"][0] < 400


def test_unknown_pnr_device():
    assert main(["synth", "lif", "--pnr", "vu9p"]) == 2


def test_resources_page_runs_through_the_explorer_jobs(tmp_path):
    """`make synth`'s measure_all: the explorer's synthesis and place-and-route jobs on a
    2-worker local Dask cluster, cached: the second call runs nothing."""
    from neurocore_hw.sweep import ResultCache
    from rtl_gen.report import measure_all, render_page

    cache = ResultCache(tmp_path / "cache")
    designs = [("lif", "sc_lif_q8_8", None)]
    first = measure_all(designs, jobs=2, cache=cache, progress=False, devices=["up5k"])
    [report] = first
    assert set(report.synth) == {"ice40", "ice40-dsp", "ecp5", "xc7"}
    assert report.synth["ice40"]["lut"] > 0 and report.synth["ice40"]["latch"] == 0
    assert len(report.fmax_mhz["up5k"]) == 1 and report.fmax_mhz["up5k"][0] > 10
    files = sorted(p.name for p in (tmp_path / "cache").rglob("*.json"))
    assert len(files) == 5  # 4 syntheses + 1 place and route
    again = measure_all(designs, jobs=2, cache=cache, progress=False, devices=["up5k"])
    assert again[0].synth == report.synth and again[0].fmax_mhz == report.fmax_mhz
    page = render_page(first, command="test", seeds=1, versions={"yosys": "x"})
    assert f"| lif | sc_lif_q8_8 | - | {report.synth['ice40']['lut']} /" in page
