"""Board top levels: constraints, lint, place-and-route at the board clock, and the whole
top level co-simulated over its UART."""

import re
from pathlib import Path

import pytest
from conftest import BUILD_ROOT

from neurocore_hw.models import izhikevich, lif
from rtl_gen.board import BOARDS, CONSTRAINTS, BoardTop, board_verilog, place_and_route_board
from rtl_gen.verify.toolchain import lint

PORTS = ("clk", "rst_n", "rx", "tx", "led")


@pytest.mark.parametrize("board", list(BOARDS))
def test_constraints_pin_every_port(board):
    text = (CONSTRAINTS / BOARDS[board].constraints).read_text()
    pattern = {"pcf": r"set_io\s+(?:-nowarn\s+)?(\w+)", "lpf": r'LOCATE COMP "(\w+)"',
               "xdc": r"get_ports \{ (\w+) \}"}[BOARDS[board].constraints.split(".")[-1]]
    assert sorted(set(re.findall(pattern, text))) == sorted(PORTS)


@pytest.mark.parametrize("board", list(BOARDS))
def test_board_top_lints_clean(board, tmp_path):
    text, top = board_verilog(lif.PRESETS["sc_lif_q8_8"], board)
    for port in PORTS:
        assert re.search(rf"\b(input|output)\b[^;]*\b{port}\b", text), port
    path = tmp_path / "top.v"
    path.write_text(text)
    assert lint(path, top, ("CASEINCOMPLETE",)) == []


def test_baud_error_is_checked():
    with pytest.raises(ValueError, match="off at 12 MHz"):
        BoardTop(params=lif.PRESETS["sc_lif_q8_8"], board="icebreaker", baud=2_600_000)
    with pytest.raises(ValueError, match="board"):
        BoardTop(params=lif.PRESETS["sc_lif_q8_8"], board="de10", baud=115_200)


def test_icebreaker_places_and_routes_with_timing_met():
    report = place_and_route_board(lif.PRESETS["sc_lif_q8_8"], "icebreaker")
    assert report.fmax_mhz > 12.0  # the board clock
    assert report.utilization["SB_IO"][0] == 5


def test_cli_board(tmp_path, capsys):
    from neurocore_hw.cli import main

    out = tmp_path / "top.v"
    assert main(["board", "ulx3s", "lif", "-o", str(out)]) == 0
    assert "module neurocore_board_ulx3s(" in out.read_text()
    assert main(["board", "arty_a7", "lif", "--pnr"]) == 2
    assert "no open place-and-route" in capsys.readouterr().err
    assert main(["board", "de10", "lif", "-o", str(out)]) == 2


@pytest.mark.cosim
@pytest.mark.parametrize("board, variant", [("icebreaker", None), ("ulx3s", "pipelined")])
def test_whole_board_top_bit_exact(board, variant):
    """The loadable top level itself -- button reset synchronizer, rx synchronizer, host
    link, neuron, LED -- frames in, frames out, against the golden model (the UART runs at
    4 clocks per bit: 3 Mbaud at 12 MHz, 6.25 Mbaud at 25 MHz)."""
    from rtl_gen.verify.hostlink import run_hostlink_cosim

    params = lif.PRESETS["sc_lif_q8_8"] if variant is None else izhikevich.PRESETS["rs"]
    result = run_hostlink_cosim(params, steps=60, seed=9, divisor=4, build_root=BUILD_ROOT,
                                board=board, variant=variant)
    assert result["passed"], result["first_mismatch"]


@pytest.mark.cosim
def test_board_bench_checks_the_led(monkeypatch):
    """Teeth: expecting the LED of the opposite polarity fails the board bench."""
    from rtl_gen import board as board_module
    from rtl_gen.verify.hostlink import run_hostlink_cosim

    spec = board_module.BOARDS["icebreaker"]
    flipped = dict(board_module.BOARDS, icebreaker=type(spec)(
        spec.name, spec.clock_hz, not spec.led_active_low, spec.constraints, spec.device))
    real_verilog = board_module.board_verilog(lif.PRESETS["sc_lif_q8_8"], "icebreaker",
                                              3_000_000)[0]
    monkeypatch.setattr(board_module, "BOARDS", flipped)
    result = run_hostlink_cosim(lif.PRESETS["sc_lif_q8_8"], steps=60, seed=9, divisor=4,
                                build_root=BUILD_ROOT, board="icebreaker",
                                verilog_text=real_verilog)
    assert not result["passed"] and "LED" in result["first_mismatch"]


def test_board_command_names_the_constraint_file_wherever_it_runs(tmp_path, monkeypatch,
                                                                   capsys):
    """`board ... -o` prints the path of the constraint file that exists (not a path
    relative to the repository, wrong from any other folder)."""
    from neurocore_hw.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["board", "icebreaker", "lif", "-o", "top.v"]) == 0
    out = capsys.readouterr().out
    path = Path(out.split("pins in ")[1].rstrip(")\n"))
    assert path.is_absolute() and path.is_file() and path.suffix == ".pcf"


@pytest.mark.parametrize("board", list(BOARDS))
def test_constraint_files_are_generated_from_the_platforms(board):
    """The files in constraints/ are what rtl_gen.platforms writes from amaranth-boards'
    definitions (edit the generator, not the files); an edited pin is caught."""
    from rtl_gen.platforms import constraints_text

    text = (CONSTRAINTS / BOARDS[board].constraints).read_text()
    generated = constraints_text(board)
    assert text == generated
    first_pin = re.search(r"(35|G2|E3)", generated).group(1)
    assert generated.replace(first_pin, "99", 1) != text


@pytest.mark.parametrize("board, suffix, sync, size", [
    ("icebreaker", "bin", b"\x7e\xaa\x99\x7e", 104_090),   # iCE40 UP5K: fixed size
    ("ulx3s", "bit", b"\xbd\xb3", None),                    # ECP5 preamble
])
def test_cli_builds_a_bitstream_with_amaranth_and_yowasp(board, suffix, sync, size, tmp_path,
                                                         capsys):
    """`board B lif --bitstream F`: Amaranth's build through the amaranth-boards platform
    with the YoWASP tools writes a real bitstream and reports Fmax above the board clock."""
    from neurocore_hw.cli import main

    out = tmp_path / f"top.{suffix}"
    assert main(["board", board, "lif", "--bitstream", str(out)]) == 0
    data = out.read_bytes()
    assert sync in data[:256]
    if size is not None:
        assert len(data) == size
    line = capsys.readouterr().out
    fmax, clock = map(float, re.search(r"Fmax ([0-9.]+) MHz at a ([0-9.]+) MHz", line).groups())
    assert fmax > clock
    assert main(["board", "arty_a7", "lif", "--bitstream", str(tmp_path / "x.bit")]) == 2
    assert "synthesis only" in capsys.readouterr().err


def test_a_bitstream_that_misses_timing_is_one_line(tmp_path, capsys):
    """cuba_lif's 24-bit multiplies reach about 10 MHz on the UP5K, below the iCEBreaker's
    12 MHz: no file, one line naming the Fmax, exit 2."""
    from neurocore_hw.cli import main

    out = tmp_path / "top.bin"
    assert main(["board", "icebreaker", "cuba_lif", "--bitstream", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"timing not met: Fmax [0-9.]+ MHz below the 12 MHz", err)
    assert not out.exists()
