"""``neurocore-hw plot`` and ``cosim --dump``: figures from the commands' outputs, and the
RTL's own per-cycle outputs written beside the golden model's."""

import re

import numpy as np
import pytest
from conftest import REPO

from neurocore_hw.cli import main
from neurocore_hw.cli.plot import figure
from neurocore_hw.models import lif
from rtl_gen.emit import emit_verilog

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def trace(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "in.npz"
    np.savez(path, i_in=rng.integers(0, 600, (400, 12)))
    out = tmp_path / "trace.npz"
    assert main(["simulate", "lif", "--input", str(path), "--out", str(out)]) == 0
    return out


def test_plot_raster_and_traces_of_a_simulate_output(trace, tmp_path, capsys):
    png = tmp_path / "fig.png"
    assert main(["plot", str(trace), "-o", str(png)]) == 0  # default: the spike raster
    assert png.read_bytes()[:8] == PNG
    assert main(["plot", str(trace), "--raster", "spike", "--traces", "v", "--neurons",
                 "0:4", "--steps", "100:300", "-o", str(tmp_path / "fig.svg")]) == 0
    assert (tmp_path / "fig.svg").read_text().lstrip().startswith("<?xml")


def test_plot_counts_the_entries_that_differ_from_compare(trace, tmp_path):
    data = dict(np.load(trace))
    other = dict(data, v=data["v"].copy())
    other["v"][50:60, 3] += 1  # ten entries
    fig = figure(data, traces="v", compare=other, neurons="0:12")
    assert re.search(r"\b10 entries differ", fig._suptitle.get_text())
    fig = figure(data, traces="v", compare=other, neurons="0:3")  # outside the range
    assert re.search(r"\b0 entries differ", fig._suptitle.get_text())


@pytest.mark.parametrize("args, match", [
    (["--raster", "nothing"], "no array 'nothing'"),
    (["--traces", "v", "--steps", "300:100"], "outside 0:400"),
    (["--traces", "v", "--neurons", "a:b"], "takes A:B"),
])
def test_plot_bad_options_are_one_line(trace, tmp_path, capsys, args, match):
    png = tmp_path / "fig.png"
    assert main(["plot", str(trace), *args, "-o", str(png)]) == 2
    err = capsys.readouterr().err
    assert match in err and err.count("\n") == 1 and not png.exists()


def test_plot_refuses_an_unknown_figure_format(trace, tmp_path, capsys):
    assert main(["plot", str(trace), "-o", str(tmp_path / "fig.jpg")]) == 2
    assert ".png, .svg or .pdf" in capsys.readouterr().err


@pytest.mark.cosim
def test_cosim_dump_holds_the_rtl_outputs(tmp_path, capsys, monkeypatch):
    """The dump is what the RTL gave: equal to the golden file for the real unit, and for
    a unit whose refractory constant is wrong, different exactly where the bench counted
    mismatches."""
    monkeypatch.chdir(REPO)
    base = ["cosim", "lif", "--cycles", "3000", "--mode", "bulk"]
    assert main([*base, "--dump", str(tmp_path / "good")]) == 0
    folder = tmp_path / "good" / "lif-sc_lif_q8_8"
    rtl, golden = np.load(folder / "rtl.npz"), np.load(folder / "golden.npz")
    assert set(rtl.files) == {"spike", "v", "refrac"}
    assert {"en", "rst", "i_in", "noise_in"} <= set(golden.files)
    for name in rtl.files:
        assert np.array_equal(rtl[name], golden[name]) and rtl[name].shape == (3000,)
    bad_v = tmp_path / "bad.v"
    bad_v.write_text(emit_verilog(lif.PRESETS["sc_lif_q8_8"]).replace(
        "spike ? 2'h2 : 2'h0", "spike ? 2'h1 : 2'h0"))
    capsys.readouterr()
    assert main([*base, "--verilog", str(bad_v), "--dump", str(tmp_path / "bad")]) == 1
    counted = int(re.search(r"lif\s+sc_lif_q8_8\s+3000\s+(\d+)", capsys.readouterr().out)[1])
    folder = tmp_path / "bad" / "lif-sc_lif_q8_8"
    rtl, golden = np.load(folder / "rtl.npz"), np.load(folder / "golden.npz")
    assert sum(int((rtl[n] != golden[n]).sum()) for n in rtl.files) == counted > 0
