"""Real-unit models: one real description per family, quantized to any format."""

import math

import pytest

from neurocore_hw.cli import main
from neurocore_hw.models.cuba_lif import CubaLIFReal
from neurocore_hw.models.lif import LIFParams, LIFReal
from neurocore_hw.models.shift_lif import ShiftLIFReal
from neurocore_hw.real import Format, leak_of_tau, parse_real_value, requantize, tau_of_leak
from neurocore_hw.registry import MODELS
from rtl_gen.emit import emit_verilog

PRESETS = [(name, key) for name, m in MODELS.items() for key in m.presets]


def test_every_family_has_a_real_model():
    assert [name for name, m in MODELS.items() if m.real is None] == []
    for m in MODELS.values():
        assert m.real.params_cls is m.params_cls
        assert set(m.real.units()) == set(m.real.docs()) and all(m.real.docs().values())


@pytest.mark.parametrize(("name", "preset"), PRESETS)
def test_preset_round_trips_through_its_real_model(name, preset):
    """The real model an integer preset stands for, quantized back to the preset's own
    format, gives the preset bit for bit -- or the preset has no real meaning and the
    error says to use --param."""
    model = MODELS[name]
    params = model.presets[preset]
    try:
        real = model.real.from_params(params)
    except ValueError as exc:
        assert "--param" in str(exc)
        return
    again, errors = real.quantize(None, params)
    assert again == params
    for q in errors.values():
        assert math.isfinite(q.error)


@pytest.mark.parametrize(
    ("text", "fmt"),
    [("Q12.6", Format(12, 6)), ("q8.4", Format(8, 4)),
     ("Q16.8,nearest,saturate", Format(16, 8, "nearest", "saturate")),
     ("Q16.8, saturate", Format(16, 8, None, "saturate"))])
def test_format_parse(text, fmt):
    assert Format.parse(text) == fmt
    assert Format.parse(str(fmt)) == fmt


@pytest.mark.parametrize(("text", "match"), [
    ("Q8", "Q<width>.<frac>"), ("12.6", "Q<width>.<frac>"), ("Q8.8", "frac=8"),
    ("Q40.8", "width=40"), ("Q8.4,round", "neither")])
def test_format_parse_rejects(text, match):
    with pytest.raises(ValueError, match=match):
        Format.parse(text)


def test_parse_real_value_units():
    assert parse_real_value("tau", "20ms", "ms") == 20.0
    assert parse_real_value("tau", "0.02 s", "ms") == pytest.approx(20.0)
    assert parse_real_value("tau", "500us", "ms") == pytest.approx(0.5)
    assert parse_real_value("v", "-1.5e-1", "v") == -0.15
    with pytest.raises(ValueError, match="unit 'mV'"):
        parse_real_value("tau", "3mV", "ms")
    with pytest.raises(ValueError, match="cannot read"):
        parse_real_value("tau", "fast", "ms")


def test_leak_and_tau_are_inverse():
    for tau in (0.5, 3.0, 20.0, 1e4):
        assert tau_of_leak(leak_of_tau(tau, 1.0), 1.0) == pytest.approx(tau, rel=1e-9)


@pytest.mark.parametrize("fmt", ["Q12.6", "Q8.4", "Q24.16", "Q10.5,nearest"])
def test_format_change_keeps_the_real_lif(fmt):
    """The issue's bug: --param width=12 frac=6 made the threshold 4.0 and the leak 1/4.
    Re-quantizing keeps threshold 1.0 exactly and the leak within one LSB of its real
    value, which is exp(-1/16) of the preset's tau."""
    base = LIFParams()  # Q16.8, threshold 256 = 1.0, leak 16/256
    fmt = Format.parse(fmt)
    params, errors = requantize(base, fmt)
    assert (params.width, params.frac) == (fmt.width, fmt.frac)
    assert params.v_threshold / 2 ** params.frac == 1.0
    real_leak = 16 / 256
    assert abs(params.leak_k / 2 ** params.frac - real_leak) <= 0.5 / 2 ** params.frac
    assert errors["leak_k"].real == pytest.approx(real_leak)
    if fmt.rounding:
        assert params.rounding == fmt.rounding
    else:
        assert params.rounding == base.rounding


def test_real_errors_are_reported_against_the_ideal():
    real = LIFReal(tau_mem=20.0, v_threshold=0.3)
    params, errors = real.quantize(Format(8, 4))
    assert errors["v_threshold"].value == params.v_threshold == 5
    assert errors["v_threshold"].error == pytest.approx(5 / 16 - 0.3)
    assert errors["leak_k"].real == pytest.approx(1 - math.exp(-1 / 20))


def test_shift_lif_holds_power_of_two_time_constants():
    params, errors = ShiftLIFReal(tau_syn=4.0, tau_mem=16.0).quantize(Format(16, 8))
    assert (params.dash_syn, params.dash_mem) == (2, 4)
    assert ShiftLIFReal.tau_of(4) == pytest.approx(1 / -math.log1p(-1 / 16))
    assert abs(errors["dash_mem"].error) < 0.5


def test_cuba_real_matches_the_snntorch_decays():
    real = CubaLIFReal(tau_syn=5.0, tau_mem=10.0, v_threshold=1.0)
    params, errors = real.quantize(Format(24, 6))
    alpha, beta = math.exp(-1 / 5), math.exp(-1 / 10)
    assert params.du + 1 == round(4096 * (1 - alpha))
    assert params.dv == round(4096 * (1 - beta))
    assert params.vth == 64
    with pytest.raises(ValueError, match="does not fit"):
        CubaLIFReal(v_threshold=1e6).quantize(Format(16, 6))


def test_stream_blocks_take_a_length_not_a_format():
    real_cls = MODELS["sc_sng"].real
    params, errors = real_cls(stream_length=1000).quantize()
    assert params.width == 10 and errors["width"].error == 1023 - 1000
    with pytest.raises(ValueError, match="no fixed-point format"):
        real_cls(stream_length=255).quantize(Format(8, 4))
    with pytest.raises(ValueError, match="more than 32 bits"):
        real_cls(stream_length=2.0 ** 40).quantize()


def test_cli_real_and_format_equal_the_python_api(tmp_path, capsys):
    out = tmp_path / "lif.v"
    assert main(["generate", "lif", "--real", "tau_mem=20ms", "--real", "v_threshold=0.5",
                 "--format", "Q8.4", "-o", str(out)]) == 0
    params, _ = LIFReal(tau_mem=20.0, v_threshold=0.5).quantize(Format(8, 4))
    assert out.read_text() == emit_verilog(params)
    # the format alone re-quantizes the preset's real model
    out2 = tmp_path / "q12.v"
    assert main(["generate", "lif", "--format", "Q12.6", "-o", str(out2)]) == 0
    assert out2.read_text() == emit_verilog(requantize(LIFParams(), Format(12, 6))[0])
    assert "v_threshold = 64" not in capsys.readouterr().err


def test_cli_raw_width_warns_of_the_reinterpretation(tmp_path, capsys):
    assert main(["describe", "lif", "--param", "width=12", "--param", "frac=6"]) == 0
    err = capsys.readouterr().err
    assert "v_threshold 1 -> 4" in err and "--format" in err


def test_cli_describe_shows_units(capsys):
    assert main(["describe", "izhikevich", "--format", "Q20.10"]) == 0
    out = capsys.readouterr().out
    assert "1/ms" in out and "mV" in out and "Q20.10" in out


@pytest.mark.parametrize(("args", "match"), [
    (["--real", "tau_mem=-3ms"], "tau_mem must be > 0"),
    (["--real", "v_threshold=100", "--format", "Q8.4"], "does not fit Q"),
    (["--real", "tau=3"], "unknown real parameter 'tau'"),
    (["--real", "tau_mem"], "KEY=VALUE"),
    (["--format", "Q8.4", "--param", "width=8"], "both set the format"),
    (["--preset", "integrator_wrap", "--format", "Q16.8"], "no finite real time constant"),
])
def test_cli_bad_real_values_one_line_exit_2(tmp_path, capsys, args, match):
    model = "psu_lif" if "integrator_wrap" in args else "lif"
    out = tmp_path / "x.v"
    assert main(["generate", model, *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert match in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
