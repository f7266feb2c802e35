"""Board top levels: constraints, lint, and place-and-route at the board clock."""

import re

import pytest

from neurocore_hw.models import lif
from rtl_gen.board import BOARDS, CONSTRAINTS, BoardTop, board_verilog, place_and_route_board
from rtl_gen.cosim import lint

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
